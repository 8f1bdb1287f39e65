"""The service as a real uvicorn process on 127.0.0.1 (the installed ``moderation serve``),
with a real model: every endpoint over HTTP, the request log, a graceful stop, and webhook
deliveries that a local receiver fails at first, across a restart of the service (SQLite
and PostgreSQL)."""
from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from helpers import write_csv

from moderation.queue import decide, next_item
from moderation.queue.authors import set_author_action
from moderation.queue.ingest import ingest_file
from moderation.site.feed import decision_feed
from moderation.site.keys import add_key
from moderation.site.webhooks import pending
from moderation.store.schema import API_SCOPES, ingest_runs

EXE = Path(sys.executable).with_name("moderation")
CORAL_SECRET = "coral-secret"
HOOK_SECRET = "hook-secret"
TEXT = "Кредит онлайн без довідок! Пишіть у телеграм @credit_fast або дзвоніть 097 123 45 67"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Service:
    """``moderation serve`` in a child process, its stderr in a file."""

    def __init__(self, db_url: str, model: Path, tmp: Path, env: dict[str, str]):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"serve-{self.port}.log"
        environ = {**os.environ, "MODERATION_DATA_DIR": str(tmp / "data"),
                   "MODERATION_CORAL_SECRET": CORAL_SECRET, **env}
        if not EXE.exists():
            pytest.skip("the console script is not installed (pip install -e .)")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [str(EXE), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--db", db_url,
             "--model", str(model)], stdout=self.log, stderr=subprocess.STDOUT, env=environ)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited: {self.log_path.read_text()[-2000:]}")
            try:
                if call(self.base, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError("serve did not answer /healthz in 90 s")

    def stop(self) -> int:
        """SIGTERM, as systemd stops it; True when it shut down gracefully (uvicorn ends by
        raising the signal again after its shutdown, so the exit status is -SIGTERM)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return (self.proc.returncode in (0, -signal.SIGTERM)
                and "Application shutdown complete" in self.log_path.read_text())

    def lines(self) -> list[dict]:
        out = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                out.append(json.loads(line))
        return out


def call(base, method, path, body=None, headers=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json",
                                              **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text.strip() else None), response.headers
    except urllib.error.HTTPError as exc:
        text = exc.read().decode()
        return exc.code, (json.loads(text) if text.strip() else None), exc.headers


@pytest.fixture
def site_key(store) -> str:
    return add_key(store, "site", API_SCOPES)[1]


@pytest.mark.timeout(300)
def test_every_endpoint_over_http(store, db_url, tiny_model, tmp_path, site_key, keyword_model):
    service = Service(db_url, tiny_model, tmp_path, {"MODERATION_HOLD_AT": "advertising=0.5"})
    auth = {"Authorization": f"Bearer {site_key}"}
    try:
        base = service.base
        assert call(base, "POST", "/v1/comments", {"id": "x", "text": TEXT})[0] == 401
        assert call(base, "POST", "/v1/comments", {"id": "x", "text": TEXT},
                    {"Authorization": "Bearer wrong"})[0] == 401
        status, first, _ = call(base, "POST", "/v1/comments",
                                {"id": "s1", "text": TEXT, "author": "a"}, auth)
        assert status == 200 and "advertising" in first["labels"] and first["action"] == "hold"
        assert call(base, "POST", "/v1/comments", {"id": "s1", "text": TEXT}, auth)[1] == first
        status, edit, _ = call(base, "POST", "/v1/comments",
                               {"id": "s1", "text": "Дякую за новину"}, auth)
        assert status == 200 and edit["version"] == 2 and "advertising" not in edit["labels"]
        status, bad, _ = call(base, "POST", "/v1/comments", {"id": "", "text": ""}, auth)
        assert status == 400 and bad["error"]["field"] == "id"
        status, batch, _ = call(base, "POST", "/v1/comments:batch",
                                {"comments": [{"id": "b1", "text": TEXT}, {"id": "b2"}]}, auth)
        assert status == 200 and batch["results"][1]["error"]["field"] == "text"
        status, big, _ = call(base, "POST", "/v1/comments",
                              raw=json.dumps({"id": "z", "text": "я" * 15_000}).encode(),
                              headers=auth)
        assert status == 413
        item = next_item(store, "olena")
        decide(store, item.comment.id, "olena", "confirm")
        status, feed, _ = call(base, "GET", "/v1/decisions?limit=10", None, auth)
        assert status == 200 and [d["action"] for d in feed["decisions"]] == ["hide"]
        assert feed["next"] == feed["decisions"][0]["cursor"]
        set_author_action(store, "olena", "banned", "ban", "погрози")
        status, banned, _ = call(base, "POST", "/v1/comments",
                                 {"id": "s9", "text": "Дякую ще раз", "author": "banned"}, auth)
        assert status == 200 and banned["action"] == "reject"
        assert banned["reasons"][0]["label"] == "author_ban"
        status, authors, _ = call(base, "GET", "/v1/author-actions", None, auth)
        assert status == 200 and [a["kind"] for a in authors["author_actions"]] == ["ban"]
        status, persp, _ = call(base, "POST", f"/v1alpha1/comments:analyze?key={site_key}",
                                {"comment": {"text": TEXT}, "doNotStore": True,
                                 "requestedAttributes": {"SPAM": {}, "TOXICITY": {}}})
        assert status == 200 and persp["attributeScores"]["SPAM"]["summaryScore"]["value"] > 0.5
        assert call(base, "POST", f"/v1alpha1/comments:analyze?key={site_key}",
                    {"comment": {"text": "x"},
                     "requestedAttributes": {"NO_SUCH": {}}})[1]["error"]["code"] == 400
        raw = json.dumps({"action": "NEW", "comment": {"body": f"<p>{TEXT}</p>"},
                          "author": {"id": "u"}, "story": {"id": "s", "url": "https://e.org/1"},
                          "site": {"id": "x"}, "tenantID": "t", "tenantDomain": "e.org"},
                         indent=2).encode()
        signature = "sha256=" + hmac.new(CORAL_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        status, phase, _ = call(base, "POST", "/v1/coral/phase", raw=raw,
                                headers={"X-Coral-Signature": signature})
        assert status == 200 and phase["actions"][0]["reason"] == "COMMENT_DETECTED_SPAM"
        assert phase["status"] == "SYSTEM_WITHHELD"
        assert call(base, "POST", "/v1/coral/phase", raw=raw,
                    headers={"X-Coral-Signature": "sha256=" + "0" * 64})[0] == 401
        status, health, _ = call(base, "GET", "/healthz")
        assert status == 200 and health["database"] and health["queues"]["review"] >= 1
    finally:
        assert service.stop()  # a graceful stop
    lines = service.lines()
    assert len(lines) >= 15 and {line["status"] for line in lines} == {200, 400, 401, 413}
    log_text = service.log_path.read_text(encoding="utf-8")
    assert "Кредит" not in log_text and "Дякую" not in log_text and site_key not in log_text
    with store.read() as conn:  # the process's ingest run, finished with its counts
        run = conn.execute(sa.select(ingest_runs).where(ingest_runs.c.source.like("service%"))
                           ).one()
    assert run.finished_at is not None and run.stored == 3 and run.edited == 1


class Receiver:
    """The site's webhook endpoint on 127.0.0.1: answers 500 to the first ``fail`` requests."""

    def __init__(self, fail: int):
        self.bodies, self.failed, self.fail = [], 0, fail
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signature = self.headers.get("X-Moderation-Signature", "")
                if receiver.failed < receiver.fail:
                    receiver.failed += 1
                    self.send_response(500)
                else:
                    receiver.bodies.append((body, signature))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/moderation-hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.timeout(300)
def test_webhooks_are_retried_across_a_restart(store, db_url, tiny_model, tmp_path,
                                               keyword_model):
    rows = [{"id": f"c{i}", "text": f"Ти дурень {i}"} for i in range(4)]
    ingest_file(store, write_csv(tmp_path / "c.csv", rows), keyword_model, spot_check_rate=0.0)
    for action in ("confirm", "override", "confirm"):
        decide(store, next_item(store, "olena").comment.id, "olena", action)
    receiver = Receiver(fail=3)
    env = {"MODERATION_WEBHOOK_URL": receiver.url, "MODERATION_WEBHOOK_SECRET": HOOK_SECRET,
           "MODERATION_WEBHOOK_RETRY_SECONDS": "0.3"}
    try:
        first = Service(db_url, tiny_model, tmp_path, env)
        try:
            assert wait_for(lambda: receiver.failed >= 2), "no delivery was attempted"
        finally:
            assert first.stop()
        assert receiver.bodies == [] and pending(store) == 3  # none lost while the site fails
        decide(store, next_item(store, "olena").comment.id, "olena", "override")  # service down
        second = Service(db_url, tiny_model, tmp_path, env)
        try:
            assert wait_for(lambda: pending(store) == 0), "the outbox was not emptied"
        finally:
            second.stop()
    finally:
        receiver.close()
    feed = decision_feed(store, None, 100).entries
    delivered = []
    for body, signature in receiver.bodies:
        expected = "sha256=" + hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(signature, expected)
        message = json.loads(body)
        assert abs(message["sent_at"] - time.time()) < 120
        delivered.append(message)
    assert [m["decision"]["cursor"] for m in delivered] == [e.cursor for e in feed]  # in order
    assert [m["decision"]["action"] for m in delivered] == ["hide", "keep", "hide", "keep"]
    assert delivered[0]["attempt"] == 4  # three refused, the fourth taken (after the restart)
