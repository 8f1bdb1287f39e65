"""Migration 0008 on a store at 0007 with data, on SQLite and PostgreSQL: every comment's
sketch is recomputed with the word-pair keys, the rest stays, and the downgrade brings the
keys of 0001-0007 back."""
from __future__ import annotations

from test_migration import DATA_0001, migrate, rows, run

from moderation.queue.sketches import band_keys
from moderation.store import ensure_schema, make_engine



def sketches(url: str) -> dict[int, list[int]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            out: dict[int, list[int]] = {}
            for cid, _band, key in conn.exec_driver_sql(
                    "SELECT comment_id, band, key FROM comment_sketches ORDER BY 1, 2"):
                out.setdefault(cid, []).append(key)
            return out
    finally:
        engine.dispose()


def test_upgrade_recomputes_every_sketch_and_downgrade_restores_the_old_keys(db_url):
    migrate(db_url, "0001")
    run(db_url, *DATA_0001)
    migrate(db_url, "0007")
    before = rows(db_url)
    assert ensure_schema(db_url) == "0008"
    assert rows(db_url) == before
    assert sketches(db_url) == {1: band_keys("Ти дурень"), 2: band_keys("Дякую")}
    migrate(db_url, "0007", down=True)
    old = sketches(db_url)
    assert sorted(old) == [1, 2] and all(len(keys) == 8 for keys in old.values())
    assert old[1] != band_keys("Ти дурень")[:8]
    assert ensure_schema(db_url) == "0008"
    assert sketches(db_url) == {1: band_keys("Ти дурень"), 2: band_keys("Дякую")}
