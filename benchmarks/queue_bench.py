"""Next-item latency of the review queue with 100,000 comments, SQLite and PostgreSQL.

    python benchmarks/queue_bench.py [--comments 100000] [--samples 300]
                                     [--backend sqlite|postgresql|both] [--pg-url URL]

Fills a fresh store (a temporary SQLite file; a temporary schema on PostgreSQL, dropped
afterwards) with comments, predictions and queue items (about half flagged for review, 5% of
the rest in spot check), then times, in the same run:

- baseline: a bare ``SELECT`` of one comment by primary key (a store round trip);
- ``next_item`` (claim + load) by priority, by uncertainty, with a label filter and on the
  spot-check queue, each followed by ``decide`` (timed too), so every sample claims anew;
- ``near_duplicates`` and ``author_history`` of random comments and authors.

Target: next_item p99 < 100 ms. PostgreSQL URL: ``--pg-url`` or ``MODERATION_TEST_PG_URL``.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation.queue import Filters, author_history, decide, near_duplicates, next_item
from moderation.queue.sketches import band_keys
from moderation.store import open_store
from moderation.store.schema import comment_sketches, comments, predictions, queue_items, utcnow
from moderation.taxonomy import LABELS, join_labels

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WORDS = ("місто мер бюджет дорога міст школа лікарня вибори депутат ціни тариф вода світло "
         "автобус парк ремонт рада новина стаття люди влада гроші війна допомога").split()


def fill(store, n: int, seed: int = 1, chunk: int = 5000) -> None:
    rng = random.Random(seed)
    now = utcnow()
    for start in range(0, n, chunk):
        ids = range(start + 1, min(n, start + chunk) + 1)
        texts = {i: " ".join(rng.choices(WORDS, k=rng.randint(8, 30))) for i in ids}
        scores = {i: {label: round(rng.random() ** 6, 4) for label in LABELS} for i in ids}
        with store.write() as conn:
            conn.execute(comments.insert(), [dict(
                id=i, external_id=f"bench-{i}", text=texts[i], lang="uk",
                author=f"author{rng.randint(1, n // 20)}", article_id=f"art{rng.randint(1, 2000)}",
                article_title=f"Стаття {i % 2000}", ingested_at=now) for i in ids])
            conn.execute(predictions.insert(), [dict(
                id=i, comment_id=i, model_version="bench", scores=scores[i],
                flagged_labels=join_labels([lb for lb in LABELS if scores[i][lb] >= 0.5]),
                created_at=now) for i in ids])
            items = []
            for i in ids:
                flagged = [lb for lb in LABELS if scores[i][lb] >= 0.5]
                queue = "review" if flagged else "spot_check" if rng.random() < 0.05 else None
                if queue:
                    items.append(dict(
                        comment_id=i, queue=queue, status="open", prediction_id=i,
                        priority=max(scores[i].values()),
                        uncertainty=min(abs(s - 0.5) for s in scores[i].values()),
                        flagged_labels=join_labels(flagged), entered_at=now))
            conn.execute(queue_items.insert(), items)
            conn.execute(comment_sketches.insert(), [
                dict(comment_id=i, band=b, key=k) for i in ids
                for b, k in enumerate(band_keys(texts[i]))])
    if store.dialect == "postgresql":
        with store.write() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


def timed(samples: int, fn) -> list[float]:
    out = []
    for i in range(samples):
        t0 = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t0)
    return out


def run(url: str, n: int, samples: int) -> dict[str, list[float]]:
    store = open_store(url)
    t0 = time.perf_counter()
    fill(store, n)
    print(f"  filled {n:,} comments in {time.perf_counter() - t0:.1f} s", flush=True)
    with store.read() as conn:
        open_review = conn.execute(sa.select(sa.func.count()).select_from(queue_items)
                                   .where(queue_items.c.queue == "review")).scalar()
    print(f"  review queue: {open_review:,} open", flush=True)
    rng = random.Random(2)
    results: dict[str, list[float]] = {}

    def baseline(_):
        with store.read() as conn:
            conn.execute(sa.select(comments).where(comments.c.id == rng.randint(1, n))).one()

    results["baseline SELECT by id"] = timed(samples, baseline)
    decide_times: list[float] = []
    for name, kwargs in (("next_item priority", {}),
                         ("next_item uncertain", {"order": "uncertain"}),
                         ("next_item label filter", {"filters": Filters(label="improper")}),
                         ("next_item spot_check", {"queue": "spot_check"})):
        def claim_and_decide(i, kwargs=kwargs):
            moderator = f"mod{i % 5}"
            item = next_item(store, moderator, **kwargs)
            t1 = time.perf_counter()
            decide(store, item.comment.id, moderator, "override")
            decide_times.append(time.perf_counter() - t1)

        times = timed(samples, claim_and_decide)
        results[name] = [t - d for t, d in zip(times, decide_times[-samples:], strict=True)]
    results["decide"] = decide_times
    results["near_duplicates"] = timed(
        samples // 3, lambda _: near_duplicates(store, rng.randint(1, n)))
    results["author_history"] = timed(
        samples // 3, lambda _: author_history(store, f"author{rng.randint(1, n // 20)}"))
    store.dispose()
    return results


def report(backend: str, results: dict[str, list[float]]) -> None:
    print(f"  {'operation':<26} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for name, values in results.items():
        print(f"  {name:<26} {pct(values, .5):8.2f} {pct(values, .99):8.2f} "
              f"{statistics.fmean(values) * 1000:8.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=os.environ.get("MODERATION_TEST_PG_URL", DEFAULT_PG))
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"SQLite ({args.comments:,} comments)")
            report("sqlite", run(f"sqlite:///{tmp}/bench.db", args.comments, args.samples))
    if args.backend in ("postgresql", "both"):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.pg_url)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        try:
            url = sa.make_url(args.pg_url).update_query_dict(
                {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
            print(f"PostgreSQL ({args.comments:,} comments)")
            report("postgresql", run(url, args.comments, args.samples))
        finally:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
