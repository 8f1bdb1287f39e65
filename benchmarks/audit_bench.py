"""What the audit trail costs: migration 0004 on a store with many decisions, ``db verify``
(the whole hash chain), and appending a decision, on SQLite and PostgreSQL.

    python benchmarks/audit_bench.py [--decisions 100000] [--appends 300]
                                     [--backend sqlite|postgresql|both] [--pg-url URL]

Fills a fresh store at revision 0003 (a temporary SQLite file; a temporary schema on
PostgreSQL, dropped afterwards) with as many comments as decisions, then times the upgrade
to 0004 (every decision hashed in id order), ``verify_store`` on the result, and
``chain.append`` of one decision per transaction (what ``decide`` adds to a decision).
PostgreSQL URL: ``--pg-url`` or ``MODERATION_TEST_PG_URL``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation.store import chain, ensure_schema, make_engine  # noqa: E402
from moderation.store.engine import Store  # noqa: E402
from moderation.store.migrate import alembic_config  # noqa: E402
from moderation.store.schema import utcnow  # noqa: E402
from moderation.store.verify import verify_store  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def at_0003(url: str, n: int) -> None:
    from alembic import command

    store = Store(make_engine(url), claim_minutes=1)
    try:
        with store.write(migration=True) as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0003")
        now = utcnow()
        comments = sa.table("comments", *(sa.column(c) for c in (
            "external_id", "version", "text", "lang", "ingested_at")))
        decisions = sa.table("decisions", *(sa.column(c) for c in (
            "comment_id", "moderator", "action", "labels", "note", "queue", "decided_at")))
        for start in range(0, n, 10_000):
            part = range(start, min(n, start + 10_000))
            with store.write() as conn:
                conn.execute(comments.insert(), [dict(
                    external_id=f"c{i}", version=1, text=f"Коментар номер {i}", lang="uk",
                    ingested_at=now) for i in part])
                conn.execute(decisions.insert(), [dict(
                    comment_id=i + 1, moderator=f"m{i % 7}", action="confirm",
                    labels="insult", note=None if i % 3 else "нотатка", queue="review",
                    decided_at=now) for i in part])
    finally:
        store.dispose()


def run(name: str, url: str, n: int, appends: int) -> None:
    at_0003(url, n)
    started = time.perf_counter()
    ensure_schema(url)
    upgrade = time.perf_counter() - started
    started = time.perf_counter()
    report = verify_store(url)
    verify = time.perf_counter() - started
    assert report.ok and report.decisions == n, report.lines()
    store = Store(make_engine(url), claim_minutes=1)
    times = []
    try:
        for i in range(appends):
            started = time.perf_counter()
            with store.write() as conn:
                chain.append(conn, [dict(comment_id=i + 1, moderator="bench", action="skip",
                                         queue="review", decided_at=utcnow())])
            times.append(time.perf_counter() - started)
    finally:
        store.dispose()
    times.sort()
    median, p99 = statistics.median(times) * 1000, times[int(len(times) * 0.99)] * 1000
    print(f"{name}: {n:,} decisions: upgrade to 0004 {upgrade:.1f} s, verify {verify:.1f} s; "
          f"append one decision (own transaction) median {median:.1f} ms, p99 {p99:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--appends", type=int, default=300)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=os.environ.get("MODERATION_TEST_PG_URL", DEFAULT_PG))
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            run("SQLite", f"sqlite:///{folder}/bench.db", args.decisions, args.appends)
    if args.backend in ("postgresql", "both"):
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        url = sa.make_url(args.pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
        try:
            run("PostgreSQL", url.render_as_string(hide_password=False), args.decisions,
                args.appends)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()


if __name__ == "__main__":
    main()
