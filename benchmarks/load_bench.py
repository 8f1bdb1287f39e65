"""Load: moderators in separate processes clear the review queue while more comments arrive.

    python benchmarks/load_bench.py [--backend both|sqlite|postgresql] [--comments 20000]
                                    [--extra 50000] [--moderators 10] [--quick]
                                    [--flagged-share 0.5] [--model DIR] [--time-limit 480]
                                    [--pg-url URL] [--json FILE]

Per backend (a temporary SQLite file; a temporary schema on PostgreSQL at 127.0.0.1, dropped
afterwards):

1. baseline, measured in the same run: one moderator alone (``next_item`` + ``decide`` in a
   loop, one process, nothing else running) on a small separate store;
2. ``--comments`` comments are ingested with ``ingest_file`` (alone: the ingest baseline);
3. ``--moderators`` processes work the review queue (``next_item``, then a random action:
   confirm, override, relabel, skip, or a verdict followed by ``undo``) while one more
   process ingests ``--extra`` comments. A moderator stops only when ``next_item`` gives
   nothing, the ingest has finished and no comment is left open;
4. checks, each PASS or FAIL: no decision lost (what the workers did == the ``decisions``
   table, row for row), no comment decided twice under one claim, the queue ends exactly
   empty, and the counts in the database match the ingest and the decisions.

Scoring: by default a stand-in scorer (a hash of the text gives the scores; a
``--flagged-share`` of comments is flagged), because the real model's text pipeline would
make the 50,000-comment ingest the bottleneck of a queue benchmark; ``--model DIR`` uses a
real bundle instead. The output says which one ran. Exit status 1 when any check fails.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import json
import multiprocessing as mp
import os
import queue as queue_mod
import random
import sys
import tempfile
import time
import traceback
import uuid
import zlib
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation.errors import StoreError
from moderation.queue import decide, next_item, undo
from moderation.queue.ingest import ingest_file
from moderation.store import open_store
from moderation.store.schema import (
    DONE,
    OPEN,
    VERDICTS,
    claims,
    comments,
    decisions,
    ingest_runs,
    predictions,
    queue_items,
)
from moderation.taxonomy import LABELS

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WORDS = ["місто", "мер", "бюджет", "дорога", "міст", "школа", "лікарня", "вибори", "депутат", "ціни", "тариф", "вода", "світло", "автобус", "парк", "ремонт", "рада", "новина", "стаття", "люди", "влада", "гроші", "війна", "допомога"]
# a moderator's random action: (action, weight); "undo" = a verdict, then undo it at once
ACTIONS = (("confirm", 45), ("override", 30), ("relabel", 15), ("skip", 7), ("undo", 3))
POLL_SECONDS = 0.02  # a moderator with nothing to take looks again after this


# ------------------------------------------------------------------ scoring and input


class StandInScorer:
    """A fast stand-in for the model: scores from a hash of the text, deterministic.

    ``flagged_share`` of the comments get one label at or above its threshold.
    """

    labels = LABELS
    version = "stand-in-hash-1"

    def __init__(self, flagged_share: float = 0.5):
        self.flagged_share = flagged_share
        self.thresholds = {label: 0.5 for label in LABELS}

    def predict_proba(self, texts):
        rows = []
        for text in texts:
            h = zlib.crc32(text.encode("utf-8"))
            u = (h % 10_000) / 10_000
            row = {label: ((h >> (2 + i)) % 45) / 100 for i, label in enumerate(LABELS)}
            if u < self.flagged_share:
                row[LABELS[(h >> 20) % len(LABELS)]] = 0.5 + ((h >> 8) % 50) / 100
            rows.append(row)
        return pd.DataFrame(rows, columns=list(LABELS))


def load_scorer(model_dir: str | None, flagged_share: float):
    if model_dir:
        from moderation import load_model

        return load_model(model_dir)
    return StandInScorer(flagged_share)


def write_comments(path: Path, prefix: str, n: int, seed: int) -> Path:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text", "author", "article_id", "article_title", "posted_at"])
        for i in range(n):
            writer.writerow([f"{prefix}-{i}", " ".join(rng.choices(WORDS, k=rng.randint(6, 30)))
                             + f" №{i}", f"автор{rng.randint(1, max(1, n // 20))}",
                             f"art{i % 500}", f"Стаття {i % 500}", "2026-11-20T10:00:00+02:00"])
    return path


# ------------------------------------------------------------------ stores


@contextlib.contextmanager
def temporary_store(backend: str, pg_url: str, name: str):
    """The URL of a fresh empty database, removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"load-{name}-") as tmp:
            yield f"sqlite:///{tmp}/store.db"
        return
    host = sa.make_url(pg_url).host
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load-test {host!r}: only 127.0.0.1")
    schema = f"load_{name}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield sa.make_url(pg_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def open_review(store) -> int:
    with store.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(queue_items).where(
            queue_items.c.queue == "review", queue_items.c.status == OPEN)).scalar_one()


# ------------------------------------------------------------------ one moderator


def pick_action(rng: random.Random) -> str:
    return rng.choices([a for a, _ in ACTIONS], weights=[w for _, w in ACTIONS])[0]


def act(store, item, name: str, action: str, rng: random.Random, timings, log) -> None:
    """One decision on ``item`` (two for ``undo``: the verdict, then its undo)."""
    verdict = rng.choice(("confirm", "override")) if action == "undo" else action
    labels = rng.sample(LABELS, rng.randint(0, 2)) if verdict == "relabel" else None
    t0 = time.perf_counter()
    decision = decide(store, item.comment.id, name, verdict, labels, note=name)
    timings["decide"].append(time.perf_counter() - t0)
    log.append((decision.id, decision.comment_id, decision.action, time.time()))
    if action == "undo":
        t0 = time.perf_counter()
        reverted = undo(store, name, comment_id=item.comment.id)
        timings["undo"].append(time.perf_counter() - t0)
        log.append((reverted.id, reverted.comment_id, reverted.action, time.time()))


def moderator(url: str, name: str, seed: int, ready, go, ingest_done, time_limit: float,
              results) -> None:
    """A moderator process: work the review queue until it is empty for good."""
    rng = random.Random(seed)
    timings = {"next_item": [], "next_item_empty": [], "decide": [], "undo": []}
    log: list[tuple[int, int, str, float]] = []  # (decision id, comment id, action, time)
    taken: list[tuple[int, str]] = []  # (comment id, claim expiry) per next_item given
    errors: list[str] = []
    finished = False
    store = None
    try:
        store = open_store(url, migrate=False)
        ready.put(name)
        go.wait()
        deadline = time.time() + time_limit
        while time.time() < deadline:
            t0 = time.perf_counter()
            try:
                item = next_item(store, name)
            except StoreError as exc:
                errors.append(f"next_item: {exc}")
                continue
            elapsed = time.perf_counter() - t0
            if item is None:
                timings["next_item_empty"].append(elapsed)
                if ingest_done.is_set() and open_review(store) == 0:
                    finished = True
                    break
                time.sleep(POLL_SECONDS)
                continue
            timings["next_item"].append(elapsed)
            taken.append((item.comment.id, item.claim_expires_at.isoformat()))
            try:
                act(store, item, name, pick_action(rng), rng, timings, log)
            except StoreError as exc:
                errors.append(f"decide: {exc}")
    except Exception:  # noqa: BLE001 - reported to the parent, which prints FAIL
        errors.append(traceback.format_exc())
    finally:
        if store is not None:
            store.dispose()
        results.put(("moderator", name, {
            "timings": timings, "log": log, "taken": taken, "errors": errors,
            "finished": finished}))


def ingester(url: str, path: str, model_dir: str | None, flagged_share: float, ready, go,
             ingest_done, results) -> None:
    """The concurrent ingest: one ``ingest_file`` of the extra comments."""
    out: dict = {"errors": []}
    try:
        scorer = load_scorer(model_dir, flagged_share)
        store = open_store(url, migrate=False)
        ready.put("ingest")
        go.wait()
        t0 = time.perf_counter()
        out["start"] = time.time()
        summary = ingest_file(store, path, scorer, spot_check_rate=0.0)
        out.update(seconds=time.perf_counter() - t0, end=time.time(), counts=summary.counts())
        store.dispose()
    except Exception:  # noqa: BLE001
        out["errors"].append(traceback.format_exc())
    finally:
        ingest_done.set()
        results.put(("ingest", "ingest", out))


# ------------------------------------------------------------------ figures


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] * 1000


def latency(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": pct(values, .50), "p95_ms": pct(values, .95),
            "p99_ms": pct(values, .99), "max_ms": pct(values, 1.0)}


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:8.1f}"


def print_latencies(rows: dict[str, dict]) -> None:
    print(f"    {'operation':<22} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8}")
    for name, lat in rows.items():
        print(f"    {name:<22} {lat['n']:7d} {fmt(lat['p50_ms'])} {fmt(lat['p95_ms'])} "
              f"{fmt(lat['p99_ms'])} {fmt(lat['max_ms'])}")


# ------------------------------------------------------------------ phases


def baseline(backend: str, pg_url: str, n: int, scorer, tmp: Path) -> dict:
    """One moderator alone, one process, on a separate store of ``n`` flagged comments."""
    with temporary_store(backend, pg_url, "base") as url:
        store = open_store(url)
        try:
            flagged_all = StandInScorer(1.0) if isinstance(scorer, StandInScorer) else scorer
            ingest_file(store, write_comments(tmp / "base.csv", "base", n, 7), flagged_all,
                        spot_check_rate=0.0)
            rng = random.Random(3)
            timings = {"next_item": [], "decide": [], "undo": []}
            log: list = []
            t0 = time.perf_counter()
            while True:
                t1 = time.perf_counter()
                item = next_item(store, "alone")
                if item is None:
                    break
                timings["next_item"].append(time.perf_counter() - t1)
                act(store, item, "alone", rng.choice(("confirm", "override", "relabel")), rng,
                    timings, log)
            wall = time.perf_counter() - t0
        finally:
            store.dispose()
    return {"decisions": len(log), "seconds": wall, "decisions_per_s": len(log) / wall,
            "next_item": latency(timings["next_item"]), "decide": latency(timings["decide"])}


def run_concurrent(url: str, args, extra_path: Path) -> tuple[dict, dict, float]:
    """Start the moderators and the ingest together; their results and the wall time."""
    ctx = mp.get_context("spawn")
    ready, results = ctx.Queue(), ctx.Queue()
    go, ingest_done = ctx.Event(), ctx.Event()
    procs = [ctx.Process(target=moderator, name=f"mod{i}", args=(
        url, f"mod{i:02d}", 1000 + i, ready, go, ingest_done, args.time_limit, results))
        for i in range(args.moderators)]
    procs.append(ctx.Process(target=ingester, name="ingest", args=(
        url, str(extra_path), args.model, args.flagged_share, ready, go, ingest_done, results)))
    for proc in procs:
        proc.start()
    workers: dict[str, dict] = {}
    ingest: dict = {}
    try:
        for _ in procs:  # everyone has imported and connected
            ready.get(timeout=120)
        t0 = time.perf_counter()
        go.set()
        deadline = time.time() + args.time_limit + 60  # the workers stop at time_limit
        while len(workers) + bool(ingest) < len(procs):
            try:
                kind, name, payload = results.get(timeout=max(5.0, deadline - time.time()))
            except queue_mod.Empty:
                break
            if kind == "ingest":
                ingest = payload
            else:
                workers[name] = payload
        wall = time.perf_counter() - t0
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
    return workers, ingest, wall


def check(store, workers: dict, ingest: dict, pre_counts: dict, expected_comments: int) -> list:
    """(name, passed, detail) for every check."""
    out = []
    logged = [(did, cid, action, name) for name, w in workers.items()
              for did, cid, action, _ in w["log"]]
    with store.read() as conn:
        rows = conn.execute(sa.select(decisions.c.id, decisions.c.comment_id,
                                      decisions.c.action, decisions.c.moderator,
                                      decisions.c.reverts_id)
                            .order_by(decisions.c.id)).all()
        n_comments = conn.execute(sa.select(sa.func.count()).select_from(comments)).scalar_one()
        n_predictions = conn.execute(
            sa.select(sa.func.count()).select_from(predictions)).scalar_one()
        items = dict(conn.execute(sa.select(queue_items.c.status, sa.func.count())
                                  .where(queue_items.c.queue == "review")
                                  .group_by(queue_items.c.status)).all())
        n_claims = conn.execute(sa.select(sa.func.count()).select_from(claims)).scalar_one()
        runs = conn.execute(sa.select(ingest_runs.c.stored, ingest_runs.c.flagged,
                                      ingest_runs.c.finished_at)).all()
    errors = [e for w in workers.values() for e in w["errors"]] + ingest.get("errors", [])
    out.append(("every process finished without error",
                not errors and all(w["finished"] for w in workers.values()) and "counts" in ingest,
                f"{len(errors)} errors" + (f"; first: {errors[0].strip()[:300]}" if errors else "")
                + f"; {sum(w['finished'] for w in workers.values())}/{len(workers)} moderators "
                  "saw the queue empty for good"))

    db = {(r.id, r.comment_id, r.action, r.moderator) for r in rows}
    mine = set(logged)
    per_action_workers = Counter(a for _, _, a, _ in logged)
    per_action_db = Counter(r.action for r in rows)
    out.append(("no decision lost (worker counts == decisions rows)",
                len(logged) == len(mine) == len(rows) and mine == db
                and per_action_workers == per_action_db,
                (f"workers {len(logged):,} ({dict(per_action_workers)}), "
                 f"table {len(rows):,} ({dict(per_action_db)}), "
                 f"missing {len(mine - db)}, unexplained {len(db - mine)}")))

    twice, in_force = 0, Counter()
    by_comment: dict[int, list] = defaultdict(list)
    for row in rows:
        by_comment[row.comment_id].append(row)
    for cid, seq in by_comment.items():
        live = None  # the verdict in force, if any
        for row in seq:
            if row.action in VERDICTS:
                twice += live is not None
                live = row.id
            elif row.action == "undo":
                twice += row.reverts_id != live
                live = None
        in_force[cid] = live is not None
    given = Counter(cid for w in workers.values() for cid, _ in w["taken"])
    claims_given = sum(given.values())
    verdicts = sum(1 for r in rows if r.action in VERDICTS)
    out.append(("no comment decided twice under one claim",
                twice == 0 and verdicts + per_action_db["skip"] <= claims_given,
                (f"{twice} verdicts on a comment already decided (no undo between); "
                 f"{verdicts:,} verdicts + {per_action_db['skip']:,} skips from "
                 f"{claims_given:,} claims")))

    flagged = pre_counts["flagged"] + ingest.get("counts", {}).get("flagged", 0)
    out.append(("queue ends exactly empty",
                items.get(OPEN, 0) == 0 and n_claims == 0,
                f"open review items {items.get(OPEN, 0)}, claims left {n_claims}"))

    decided = sum(in_force.values())
    out.append(("counts in the database match",
                n_comments == n_predictions == expected_comments
                and sum(r.stored for r in runs) == expected_comments
                and all(r.finished_at is not None for r in runs)
                and sum(r.flagged for r in runs) == flagged == items.get(DONE, 0) == decided,
                (f"comments {n_comments:,}, predictions {n_predictions:,}, expected "
                 f"{expected_comments:,}; flagged at ingest {flagged:,}, review items done "
                 f"{items.get(DONE, 0):,}, comments with a verdict in force {decided:,}")))
    return out


def run_backend(backend: str, args, scorer, tmp: Path) -> dict:
    print(f"\n== {backend} ==", flush=True)
    base = baseline(backend, args.pg_url, args.baseline, scorer, tmp)
    print(f"  baseline (one moderator alone, {base['decisions']:,} decisions): "
          f"{base['decisions_per_s']:.0f} decisions/s", flush=True)
    print_latencies({"next_item": base["next_item"], "decide": base["decide"]})
    pre_path = write_comments(tmp / "pre.csv", "pre", args.comments, 1)
    extra_path = write_comments(tmp / "extra.csv", "extra", args.extra, 2)
    with temporary_store(backend, args.pg_url, "main") as url:
        store = open_store(url)
        try:
            t0 = time.perf_counter()
            pre = ingest_file(store, pre_path, scorer, spot_check_rate=0.0)
            pre_seconds = time.perf_counter() - t0
            print(f"  pre-ingest alone: {pre.stored:,} comments in {pre_seconds:.1f} s "
                  f"({pre.stored / pre_seconds:.0f}/s), {pre.flagged:,} in the review queue",
                  flush=True)
            print(f"  {args.moderators} moderators + ingest of {args.extra:,} more ...",
                  flush=True)
            workers, ingest, wall = run_concurrent(url, args, extra_path)
            checks = check(store, workers, ingest, pre.counts(), args.comments + args.extra)
        finally:
            store.dispose()
    logs = [entry for w in workers.values() for entry in w["log"]]
    timings = {k: [v for w in workers.values() for v in w["timings"][k]]
               for k in ("next_item", "next_item_empty", "decide", "undo")}
    during = sum(1 for *_, at in logs if ingest.get("start", 0) <= at <= ingest.get("end", 0))
    ingest_s = ingest.get("seconds")
    result = {
        "backend": backend, "moderators": args.moderators, "pre_ingested": pre.stored,
        "pre_flagged": pre.flagged, "extra": args.extra,
        "extra_flagged": ingest.get("counts", {}).get("flagged"),
        "wall_seconds": wall, "decisions": len(logs), "decisions_per_s": len(logs) / wall,
        "decisions_during_ingest_per_s": during / ingest_s if ingest_s else None,
        "ingest_alone_per_s": pre.stored / pre_seconds,
        "ingest_concurrent_per_s": args.extra / ingest_s if ingest_s else None,
        "latency": {k: latency(v) for k, v in timings.items()}, "baseline": base,
        "checks": [{"name": n, "passed": ok, "detail": d} for n, ok, d in checks],
    }
    print(f"  wall {wall:.1f} s: {len(logs):,} decisions = {result['decisions_per_s']:.0f} "
          f"decisions/s ({during / ingest_s if ingest_s else 0:.0f}/s while the ingest ran); "
          f"ingest {args.extra / ingest_s if ingest_s else 0:.0f} comments/s concurrently vs "
          f"{result['ingest_alone_per_s']:.0f}/s alone", flush=True)
    print_latencies({"next_item": result["latency"]["next_item"],
                     "next_item (empty)": result["latency"]["next_item_empty"],
                     "decide": result["latency"]["decide"], "undo": result["latency"]["undo"]})
    for name, ok, detail in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--comments", type=int, default=None,
                        help="ingested before the moderators start (20,000; quick 2,000)")
    parser.add_argument("--extra", type=int, default=None,
                        help="ingested while they work (50,000; quick 5,000)")
    parser.add_argument("--moderators", type=int, default=10)
    parser.add_argument("--baseline", type=int, default=None,
                        help="comments for the one-moderator baseline (1,000; quick 300)")
    parser.add_argument("--flagged-share", type=float, default=0.5,
                        help="share of comments the stand-in scorer flags (0.5)")
    parser.add_argument("--model", metavar="DIR", default=None,
                        help="score with this real model bundle instead of the stand-in")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds the moderators may work per backend (480; quick 120)")
    parser.add_argument("--quick", action="store_true", help="a small run (about a minute)")
    parser.add_argument("--pg-url", default=os.environ.get("MODERATION_TEST_PG_URL", DEFAULT_PG))
    parser.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = parser.parse_args(argv)
    quick = args.quick
    args.comments = args.comments if args.comments is not None else 2_000 if quick else 20_000
    args.extra = args.extra if args.extra is not None else 5_000 if quick else 50_000
    args.baseline = args.baseline if args.baseline is not None else 300 if quick else 1_000
    args.time_limit = args.time_limit or (120.0 if quick else 480.0)
    scorer = load_scorer(args.model, args.flagged_share)
    print(f"scorer: {'real model ' + scorer.version if args.model else 'STAND-IN'} "
          + ("" if args.model else f"(hash of the text, {args.flagged_share:.0%} flagged; "
             "the real model would make the ingest, not the queue, the bottleneck)"))
    print(f"{args.moderators} moderators, {args.comments:,} comments first, {args.extra:,} "
          f"more during the run, time limit {args.time_limit:.0f} s per backend; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = []
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        for backend in backends:
            results.append(run_backend(backend, args, scorer, Path(tmp)))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(f"load average {os.getloadavg()[0]:.1f} at the end (other work on this machine "
          "slows every figure)")
    failed = [(r["backend"], c["name"]) for r in results for c in r["checks"] if not c["passed"]]
    print("\nALL CHECKS PASS" if not failed else f"\nFAILED: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
