"""Author actions (watch, pre-moderate, ban, lifted): checked, append-only, the latest
unexpired one in force, a watched author's comments queued (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from helpers import write_csv

from moderation.errors import DataError
from moderation.queue.authors import (
    actions_in_force,
    author_action_in_force,
    author_actions_after,
    set_author_action,
)
from moderation.queue.ingest import ingest_file
from moderation.store.schema import author_actions, comments, queue_items, utcnow


def in_force(store, author, now=None):
    with store.read() as conn:
        return author_action_in_force(conn, author, now)


def test_the_latest_action_is_in_force(store):
    assert in_force(store, "Іван") is None
    set_author_action(store, "olena", "Іван", "watch", "спам посиланнями")
    ban = set_author_action(store, "taras", "Іван", "ban", "погрози",
                            expires_at=utcnow() + timedelta(days=7))
    found = in_force(store, "Іван")
    assert (found.id, found.kind, found.reason, found.moderator) == (ban.id, "ban", "погрози",
                                                                     "taras")
    assert found.expires_at == ban.expires_at
    set_author_action(store, "olena", "Іван", "lifted", "оскаржив")
    assert in_force(store, "Іван") is None
    assert in_force(store, "Петро") is None


def test_an_expired_action_is_not_in_force(store):
    action = set_author_action(store, "olena", "Іван", "premoderate", "флуд",
                               expires_at=utcnow() + timedelta(days=1))
    assert in_force(store, "Іван").kind == "premoderate"
    assert in_force(store, "Іван", action.expires_at + timedelta(seconds=1)) is None
    assert actions_in_force(store, action.expires_at + timedelta(seconds=1)) == []


def test_actions_in_force_lists_one_per_author(store):
    set_author_action(store, "olena", "Іван", "watch", "a")
    set_author_action(store, "olena", "Петро", "ban", "b")
    set_author_action(store, "olena", "Іван", "premoderate", "c")
    set_author_action(store, "olena", "Оля", "watch", "d")
    set_author_action(store, "olena", "Оля", "lifted", "e")
    assert [(a.author, a.kind) for a in actions_in_force(store)] == [
        ("Іван", "premoderate"), ("Петро", "ban")]


@pytest.mark.parametrize(("author", "kind", "reason", "field"), [
    ("Іван", "mute", "x", "kind"),
    ("Іван", "ban", "  ", "reason"),
    ("", "ban", "x", "author"),
    ("Іван\x00", "ban", "x", "author"),
    ("я" * 201, "ban", "x", "author"),
])
def test_bad_actions_are_refused_naming_the_field(store, author, kind, reason, field):
    with pytest.raises(DataError) as caught:
        set_author_action(store, "olena", author, kind, reason)
    assert caught.value.field == field
    assert author_actions_after(store) == ([], False)


def test_an_expiry_in_the_past_is_refused(store):
    with pytest.raises(DataError, match="future"):
        set_author_action(store, "olena", "Іван", "ban", "x",
                          expires_at=utcnow() - timedelta(minutes=1))


def test_rows_are_append_only(store):
    set_author_action(store, "olena", "Іван", "ban", "погрози")
    for statement in ("UPDATE author_actions SET kind = 'lifted'",
                      "DELETE FROM author_actions"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.write() as conn:
            conn.exec_driver_sql(statement)
    with store.read() as conn:
        assert conn.execute(sa.select(author_actions.c.kind)).scalars().all() == ["ban"]


def test_the_feed_pages_by_id(store):
    made = [set_author_action(store, "olena", f"автор{i}", "watch", "r") for i in range(3)]
    first, more = author_actions_after(store, 0, limit=2)
    assert [a.id for a in first] == [m.id for m in made[:2]] and more
    rest, more = author_actions_after(store, first[-1].id, limit=2)
    assert [a.id for a in rest] == [made[2].id] and not more


def test_a_watched_authors_clean_comment_is_queued(store, keyword_model, tmp_path):
    set_author_action(store, "olena", "Іван", "watch", "нагляд")
    set_author_action(store, "olena", "Оля", "ban", "погрози")
    rows = [{"id": "c1", "text": "Дякую за статтю", "author": "Іван"},
            {"id": "c2", "text": "Дякую за статтю", "author": "Петро"},
            {"id": "c3", "text": "Дякую за статтю", "author": "Оля"}]
    summary = ingest_file(store, write_csv(tmp_path / "in.csv", rows), keyword_model,
                          spot_check_rate=0)
    assert summary.flagged == 1
    with store.read() as conn:
        queued = conn.execute(sa.select(comments.c.external_id, queue_items.c.queue,
                                        queue_items.c.alerts, queue_items.c.flagged_labels)
                              .join(queue_items)).all()
    assert [tuple(r) for r in queued] == [("c1", "review", "watched_author", "")]


def test_a_writer_waits_for_the_one_before_so_the_feed_never_skips(store):
    """PostgreSQL: while one writer's row is uncommitted, the next waits for its advisory
    lock, so a row with a higher id is never visible before a lower one (SQLite: one writer
    at a time anyway)."""
    import threading

    from moderation.queue.authors import FEED_LOCK

    if store.dialect != "postgresql":
        pytest.skip("SQLite serialises writers itself")
    done = threading.Event()
    with store.write() as conn:  # a slow writer holding the lock and an uncommitted row
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(FEED_LOCK)))
        conn.execute(author_actions.insert().values(
            author="Іван", kind="watch", reason="r", moderator="olena", created_at=utcnow()))
        later = threading.Thread(target=lambda: (set_author_action(
            store, "olena", "Петро", "ban", "r"), done.set()))
        later.start()
        assert not done.wait(1.0)  # waits for the lock
        assert author_actions_after(store) == ([], False)  # nothing visible yet
    later.join(10)
    assert done.is_set()
    seen, _ = author_actions_after(store)
    assert [a.author for a in seen] == ["Іван", "Петро"]
    assert seen[0].id < seen[1].id
