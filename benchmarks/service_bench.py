"""The site integration service under load, on 127.0.0.1: capacity and latency.

    python benchmarks/service_bench.py [--model DIR] [--db URL] [--workers 1]
                                       [--requests 3000] [--rate 50] [--seconds 30]

Starts ``moderation serve`` (the installed console script) on a free port of 127.0.0.1 over a
fresh store (a temporary SQLite file unless ``--db``), with a new API key and the per-key
rate limit raised out of the way, then measures, in the same run:

- the in-process baseline: ``model.score([text])`` of one comment (the call every request
  makes), p50 / p99 over the demo comments;
- **capacity**: 20 concurrent clients (keep-alive connections) sending ``--requests`` requests
  in all, as fast as answers come: requests per second, for ``POST /v1/comments`` (every
  request a new comment: scored, stored, queued) and for the Perspective endpoint
  (``doNotStore``, as Coral sends it). A closed loop like this measures queueing, not
  latency (latency = clients / throughput), so latency is measured apart:
- **latency at a steady load**: requests sent at fixed times, ``--rate`` a second for
  ``--seconds`` (open loop: a late answer does not delay the next request), latency counted
  from each request's *scheduled* time, so time spent waiting for a free connection or the
  server counts too: p50 / p95 / p99.

Targets (issue 12): capacity >= 200 requests/s on SQLite; p99 < 50 ms at 50 requests/s; p50
< 2x the in-process call + 5 ms. The load generator is bounded (request counts and a time
limit) and stops by itself; it only talks to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moderation import load_model  # noqa: E402
from moderation.settings import get_settings  # noqa: E402
from moderation.site.keys import add_key  # noqa: E402
from moderation.store import open_store  # noqa: E402
from moderation.store.schema import API_SCOPES  # noqa: E402

CLIENTS = 20
TIME_LIMIT = 600.0  # seconds, for any one phase
DEMO = ROOT / "moderation" / "data" / "demo_comments.csv"


def texts() -> list[str]:
    with DEMO.open(encoding="utf-8") as fh:
        return [row["text"] for row in csv.DictReader(fh)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class Target:
    """One kind of request: path and a body for request number ``i``."""

    def __init__(self, name: str, path: str, body, headers: dict[str, str]):
        self.name, self.path, self.body, self.headers = name, path, body, headers


def targets(key: str, corpus: list[str], tag: str) -> list[Target]:
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    return [
        Target("POST /v1/comments", "/v1/comments", lambda i: json.dumps(
            {"id": f"{tag}-{i}", "text": corpus[i % len(corpus)], "author": f"a{i % 97}",
             "article_id": f"art{i % 31}"}, ensure_ascii=False).encode(), auth),
        Target("Perspective analyze", f"/v1alpha1/comments:analyze?key={key}", lambda i: json.dumps(
            {"comment": {"text": corpus[i % len(corpus)]}, "doNotStore": True,
             "requestedAttributes": {"TOXICITY": {}, "SPAM": {}}}, ensure_ascii=False).encode(),
               {"Content-Type": "application/json"}),
    ]


class Client:
    """A keep-alive connection; reconnects after an error."""

    def __init__(self, port: int):
        self.port, self.conn = port, None

    def send(self, target: Target, i: int) -> int:
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request("POST", target.path, body=target.body(i),
                                  headers=target.headers)
                response = self.conn.getresponse()
                response.read()
                return response.status
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        return 0

    def close(self):
        if self.conn is not None:
            self.conn.close()


def capacity(port: int, target: Target, total: int, offset: int) -> tuple[float, dict]:
    """``total`` requests from ``CLIENTS`` clients as fast as answers come."""
    counter = iter(range(offset, offset + total))
    lock, statuses = threading.Lock(), {}
    deadline = time.monotonic() + TIME_LIMIT

    def work():
        client = Client(port)
        try:
            while time.monotonic() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                status = client.send(target, i)
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
        finally:
            client.close()

    threads = [threading.Thread(target=work) for _ in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return sum(statuses.values()) / elapsed, statuses


def steady(port: int, target: Target, rate: float, seconds: float, offset: int
           ) -> tuple[list[float], dict]:
    """Requests scheduled every 1/rate s; latency from each one's scheduled time (ms)."""
    n = int(rate * seconds)
    jobs: queue.Queue = queue.Queue()
    latencies, statuses, lock = [], {}, threading.Lock()
    start = time.perf_counter() + 0.5
    for k in range(n):
        jobs.put((offset + k, start + k / rate))

    def work():
        client = Client(port)
        try:
            while True:
                try:
                    i, at = jobs.get_nowait()
                except queue.Empty:
                    return
                pause = at - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                status = client.send(target, i)
                done = time.perf_counter()
                with lock:
                    latencies.append((done - at) * 1000)
                    statuses[status] = statuses.get(status, 0) + 1
        finally:
            client.close()

    # enough senders that one slow answer never holds back the next scheduled request
    threads = [threading.Thread(target=work) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + TIME_LIMIT)
    return latencies, statuses


def in_process(model, corpus: list[str], n: int = 600) -> list[float]:
    for text in corpus[:50]:
        model.score([text])  # warm: words seen once, as in the server
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        model.score([corpus[i % len(corpus)]])
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="model bundle (default: the settings', "
                        "else the default model is trained into a temporary folder)")
    parser.add_argument("--db", default=None, help="store URL (default: a temporary SQLite)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="service-bench-"))
    model_dir = Path(args.model) if args.model else get_settings().model_dir
    if not (model_dir / "manifest.json").is_file():
        from moderation.classifier.dataset import load_seed
        from moderation.classifier.training import train_model

        model_dir = tmp / "model"
        print(f"training the default model into {model_dir} ...", flush=True)
        train_model(load_seed(), model_dir, folds=5)
    db_url = args.db or f"sqlite:///{tmp / 'bench.db'}"
    store = open_store(db_url)
    _, key = add_key(store, f"bench-{os.getpid()}", API_SCOPES)
    store.dispose()
    model = load_model(model_dir)
    corpus = texts()
    port = free_port()
    env = {**os.environ, "MODERATION_DATA_DIR": str(tmp / "data"),
           "MODERATION_RATE_LIMIT": "1000000", "MODERATION_RATE_BURST": "1000000",
           "MODERATION_SPOT_CHECK_RATE": "0.05"}
    exe = Path(sys.executable).with_name("moderation")
    log = open(tmp / "serve.log", "wb")
    server = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--db", db_url, "--model", str(model_dir), "--workers",
                               str(args.workers)], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        for _ in range(600):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("the service did not start: see " + str(tmp / "serve.log"))
        print(f"service on 127.0.0.1:{port}, {args.workers} worker(s), store {db_url.split('?')[0]}, "
              f"model {model.version}; {os.cpu_count()} cores\n", flush=True)
        base = in_process(model, corpus)
        kinds = targets(key, corpus, f"b{os.getpid()}")
        warm = Client(port)
        for i in range(200):  # warm the server's word tables as the baseline's are
            warm.send(kinds[i % 2], 10_000_000 + i)
        warm.close()
        rows, offset = [], 0
        for target in kinds:
            rate, statuses = capacity(port, target, args.requests, offset)
            offset += args.requests
            lat, steady_statuses = steady(port, target, args.rate, args.seconds, offset)
            offset += len(lat)
            rows.append((target.name, rate, statuses, lat, steady_statuses))
        base_again = in_process(model, corpus)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    base_all = base + base_again
    b50, b99 = statistics.median(base_all), percentile(base_all, 99)
    print(f"in-process model.score([one comment]): p50 {b50:.2f} ms, p99 {b99:.2f} ms "
          f"({len(base_all)} calls, before and after the load)\n")
    print(f"| endpoint | capacity, {CLIENTS} clients | p50 | p95 | p99 at {args.rate:g}/s "
          "| statuses |")
    print("|---|---:|---:|---:|---:|---|")
    ok = True
    for name, rate, statuses, lat, steady_statuses in rows:
        p50, p95, p99 = (percentile(lat, q) for q in (50, 95, 99))
        print(f"| {name} | {rate:,.0f} /s | {p50:.1f} ms | {p95:.1f} ms | {p99:.1f} ms | "
              f"{statuses} / {steady_statuses} |")
        checks = {"capacity >= 200/s": rate >= 200, "p99 < 50 ms": p99 < 50,
                  f"p50 < 2 x {b50:.2f} + 5 ms": p50 < 2 * b50 + 5,
                  "all answered 200": set(statuses) == {200} and set(steady_statuses) == {200}}
        for what, passed in checks.items():
            ok &= passed
            print(f"    {'pass' if passed else 'FAIL'}: {what}")
    print(f"\nserver log: {tmp / 'serve.log'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
