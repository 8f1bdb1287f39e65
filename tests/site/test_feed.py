"""The decision feed: entries for verdicts, undos and imports; paging that never misses or
repeats an entry, also while moderators keep deciding and when a transaction commits after
a later id was read (PostgreSQL). SQLite and PostgreSQL."""
from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
import sqlalchemy as sa
from helpers import work_queue, write_csv

from moderation.errors import DataError
from moderation.queue import decide, next_item, undo
from moderation.queue.imports import import_decisions
from moderation.queue.ingest import ingest_file
from moderation.site.feed import MAX_LIMIT, decision_feed, parse_cursor
from moderation.store import chain
from moderation.store.schema import FEED_ACTIONS, comments, decisions, utcnow
from moderation.taxonomy import BY_NAME


def fill(store, model, tmp_path, n: int, *, prefix="c") -> None:
    rows = [{"id": f"{prefix}{i}", "text": f"Ти дурень номер {i} #0.{50 + i % 49:02d}"}
            for i in range(n)]
    summary = ingest_file(store, write_csv(tmp_path / f"{prefix}.csv", rows), model,
                          spot_check_rate=0.0)
    assert summary.flagged == n


def read_all(store, *, limit=MAX_LIMIT, after=None, expect: int | None = None):
    """Every entry after ``after``, page by page. With ``expect``: read again (for up to 30 s)
    until that many are served. On PostgreSQL the feed serves only rows below the oldest
    transaction still running on the server, which any other client (another test run on
    the same server) can hold back for a while; it never serves a gap or a repeat."""
    deadline = time.monotonic() + 30
    while True:
        entries, cursor = [], after
        while True:
            page = decision_feed(store, cursor, limit)
            entries.extend(page.entries)
            cursor = page.next
            if not page.more:
                break
        if expect is None or len(entries) >= expect or time.monotonic() > deadline:
            return entries, cursor
        time.sleep(0.2)


def test_entries_for_verdicts_undos_and_imports(store, keyword_model, tmp_path):
    fill(store, keyword_model, tmp_path, 3)
    first = next_item(store, "olena")
    decide(store, first.comment.id, "olena", "confirm")  # hide: insult
    second = next_item(store, "olena")
    decide(store, second.comment.id, "olena", "override")  # keep
    decide(store, next_item(store, "petro").comment.id, "petro", "skip")  # not in the feed
    undo(store, "olena")  # takes the override back
    decide(store, second.comment.id, "olena", "relabel", ["insult", "improper"])
    external = {first.comment.id: first.comment.external_id,
                second.comment.id: second.comment.external_id}
    third = ({"c0", "c1", "c2"} - set(external.values())).pop()
    import_decisions(store, write_csv(tmp_path / "past.csv", [{"id": third, "labels": ""}]),
                     "ops")
    entries, _ = read_all(store, expect=5)
    got = [(e.comment_id, e.decision, e.action, e.labels) for e in entries]
    assert got == [
        (external[first.comment.id], "confirm", "hide", ("insult",)),
        (external[second.comment.id], "override", "keep", ()),
        (external[second.comment.id], "undo", "keep", ()),
        (external[second.comment.id], "relabel", "hide", ("insult", "improper")),
        (third, "import", "keep", ()),
    ]
    assert entries[2].reverts == entries[1].cursor and entries[1].reverts is None
    assert [r.rule for r in entries[3].reasons] == [BY_NAME["insult"].rule_uk,
                                                     BY_NAME["improper"].rule_uk]
    assert entries[0].moderator == "olena" and entries[4].moderator == "ops"
    assert entries[0].decided_at.tzinfo is not None and entries[0].version == 1


def test_an_undo_falls_back_to_the_verdict_still_in_force(store, keyword_model, tmp_path):
    fill(store, keyword_model, tmp_path, 1)
    import_decisions(store, write_csv(tmp_path / "a.csv", [{"id": "c0", "labels": "insult"}]),
                     "ops")
    import_decisions(store, write_csv(tmp_path / "b.csv", [{"id": "c0", "labels": ""}]), "ops")
    entries, _ = read_all(store, expect=3)  # the second import replaces the first: undo, then
    # import
    assert [(e.decision, e.action) for e in entries] == [
        ("import", "hide"), ("undo", "keep"), ("import", "keep")]


def test_paging_never_misses_or_repeats(store, keyword_model, tmp_path):
    fill(store, keyword_model, tmp_path, 23)
    while (item := next_item(store, "m")) is not None:
        decide(store, item.comment.id, "m", "confirm" if item.comment.id % 3 else "override")
    read_all(store, expect=23)  # served once no other transaction on the server is older
    whole = decision_feed(store, None, MAX_LIMIT)
    assert len(whole.entries) == 23 and not whole.more
    paged, last = read_all(store, limit=4)
    assert [e.cursor for e in paged] == [e.cursor for e in whole.entries]
    assert last == whole.next
    again = decision_feed(store, last, 4)  # nothing new: the same cursor back
    assert again.entries == () and again.next == last and not again.more
    keys = [parse_cursor(e.cursor) for e in paged]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


@pytest.mark.parametrize(("after", "limit", "field"), [
    ("abc", 10, "after"), ("1.2.3", 10, "after"), ("-1.5", 10, "after"), (None, 0, "limit"),
    (None, MAX_LIMIT + 1, "limit")])
def test_bad_cursor_or_limit(store, after, limit, field):
    with pytest.raises(DataError) as exc:
        decision_feed(store, after, limit)
    assert exc.value.field == field


def _raw_decision(conn, comment_id: int) -> int:
    """A decision appended to the hash chain, in the caller's transaction."""
    row, = chain.append(conn, [dict(comment_id=comment_id, moderator="m", action="confirm",
                                    labels="insult", queue="review", decided_at=utcnow())])
    return row.id


def test_a_decision_that_commits_late_is_served_after_the_ones_read_meanwhile(
        store, keyword_model, tmp_path):
    """A writer holds a decision uncommitted: the feed must neither block nor serve it, and
    a second writer cannot commit a later id before it (decisions are appended to the hash
    chain one transaction at a time), so nothing is served out of order."""
    fill(store, keyword_model, tmp_path, 3)
    with store.read() as conn:
        ids = conn.scalars(sa.select(comments.c.id).order_by(comments.c.id)).all()
    with store.write() as conn:
        _raw_decision(conn, ids[0])
    seen, cursor = read_all(store)
    assert len(seen) == 1
    slow = store.engine.connect()
    quick: list[int] = []
    writer = None
    try:
        slow_tx = slow.begin()
        if store.dialect == "sqlite":
            slow.exec_driver_sql("SELECT 1")
        late_id = _raw_decision(slow, ids[1])  # not committed yet
        if store.dialect == "postgresql":
            def write_quick():
                with store.write() as conn:
                    quick.append(_raw_decision(conn, ids[2]))

            writer = threading.Thread(target=write_quick)
            writer.start()
            writer.join(timeout=1.0)
            assert writer.is_alive() and not quick  # waits for the chain's lock
        page = decision_feed(store, cursor, 10)  # answers at once, serves neither
        assert page.entries == () and page.next == cursor
        slow_tx.commit()
    finally:
        slow.close()  # rolls back on failure, so the schema can be dropped
        if writer is not None:
            writer.join(timeout=30)
    entries, _ = read_all(store, after=cursor)
    served = [int(e.cursor.split(".")[1]) for e in entries]
    expected = [late_id] + quick
    if store.dialect == "postgresql":
        assert quick and quick[0] > late_id
    assert served == expected


@pytest.mark.timeout(240)
def test_no_gap_and_no_repeat_while_moderators_decide(store, keyword_model, tmp_path, db_url):
    n = 60
    fill(store, keyword_model, tmp_path, n)
    polled, done, errors = [], threading.Event(), []

    def poll():
        after = None
        try:
            while True:
                finished = done.is_set()
                page = decision_feed(store, after, 7)
                polled.extend(page.entries)
                after = page.next
                if finished and not page.more:
                    return
                if not page.more:
                    time.sleep(0.01)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    poller = threading.Thread(target=poll)
    poller.start()
    ctx = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(3, mp_context=ctx) as pool:
            decided = [cid for worker in pool.map(work_queue, [db_url] * 3,
                                                  [f"p{i}" for i in range(3)])
                       for cid in worker]
    finally:
        done.set()
        poller.join(timeout=60)
    assert not errors, errors
    assert len(decided) == n
    with store.read() as conn:
        in_store = conn.scalars(sa.select(decisions.c.id)
                                .where(decisions.c.action.in_(FEED_ACTIONS))).all()
    served = [int(e.cursor.split(".")[1]) for e in polled]
    assert len(served) == len(set(served)), "an entry was served twice"
    assert sorted(served) == sorted(in_store), "an entry was missed"
    keys = [parse_cursor(e.cursor) for e in polled]
    assert keys == sorted(keys)


def test_a_correction_from_history_is_the_latest_entry_the_site_applies(store, keyword_model,
                                                                        tmp_path):
    from moderation.queue import correct, reopen

    fill(store, keyword_model, tmp_path, 1)
    item = next_item(store, "petro")
    decide(store, item.comment.id, "petro", "confirm")  # hide: insult
    correct(store, item.comment.id, "olena", [], "це не образа")  # keep
    correct(store, item.comment.id, "olena", ["advertising"], "насправді реклама")  # hide
    reopen(store, item.comment.id, "olena", "треба ще раз глянути")  # keep: back in the queue
    entries, _ = read_all(store, expect=4)
    assert [(e.decision, e.action, e.labels) for e in entries] == [
        ("confirm", "hide", ("insult",)), ("relabel", "keep", ()),
        ("relabel", "hide", ("advertising",)), ("undo", "keep", ())]
    assert entries[-1].reverts == entries[2].cursor  # the reopening reverts the correction
    assert [r.label for r in entries[2].reasons] == ["advertising"]
