"""Correcting decided comments from «Історія»: relabel and reopen, as new audit entries;
the latest entry is in force for exports, stats and the chain (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from helpers import write_csv

from moderation.errors import DataError, NotDecided, NothingToUndo, Superseded
from moderation.queue import (
    correct,
    current_item,
    decide,
    history,
    next_item,
    reopen,
    stats,
    undo,
)
from moderation.queue.export import decisions_frame
from moderation.queue.ingest import ingest_file
from moderation.store.schema import decisions, queue_items, webhook_outbox
from moderation.store.verify import verify_store

ROWS = [dict(id="a", text="Ти дурень #0.9", article_title="Міст"),
        dict(id="b", text="Голосуйте за Петренка #0.8", article_title="Вибори")]


@pytest.fixture
def filled(store, keyword_model, tmp_path):
    ingest_file(store, write_csv(tmp_path / "q.csv", ROWS), keyword_model, spot_check_rate=0)
    return store


def exported(store) -> dict[str, str]:
    return dict(zip(*(decisions_frame(store)[c] for c in ("id", "labels"))))


def status(store, comment_id) -> str:
    with store.read() as conn:
        return conn.execute(sa.select(queue_items.c.status)
                            .where(queue_items.c.comment_id == comment_id)).scalar_one()


def test_a_correction_is_a_new_entry_and_the_one_in_force(filled):
    item = next_item(filled, "petro")
    first = decide(filled, item.comment.id, "petro", "confirm")  # J: the model's insult
    assert exported(filled) == {"a": "insult"}
    assert correct(filled, item.comment.id, "olena", "insult", "один рядок").labels == (
        "insult",)  # one label as a string, not its letters
    fixed = correct(filled, item.comment.id, "olena", ["advertising", "insult"],
                    "  також реклама  ")
    assert (fixed.action, fixed.labels, fixed.note, fixed.moderator) == (
        "relabel", ("advertising", "insult"), "також реклама", "olena")
    assert fixed.id > first.id and fixed.queue == first.queue
    assert exported(filled) == {"a": "advertising;insult"}
    allowed = correct(filled, item.comment.id, "marta", [], "це думка, не образа")
    assert allowed.labels == () and not allowed.hides
    assert exported(filled) == {"a": ""}
    frame = history(filled)
    assert list(frame["action"]) == ["relabel"] * 3 + ["confirm"]  # nothing replaced
    assert stats(filled).override_rate == 1.0  # the corrected verdict counts: allowed
    with filled.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar() == 4
        outbox = conn.scalars(sa.select(webhook_outbox.c.decision_id)
                              .order_by(webhook_outbox.c.decision_id)).all()
    assert outbox == list(history(filled)["decision_id"])[::-1]  # the site hears of each
    assert status(filled, item.comment.id) == "done"
    assert verify_store(filled).ok


def test_reopen_puts_the_comment_back_for_anyone(filled):
    item = next_item(filled, "petro")
    decide(filled, item.comment.id, "petro", "confirm")
    entry = reopen(filled, item.comment.id, "olena", "помилково приховано")
    assert (entry.action, entry.note, entry.moderator) == ("undo", "помилково приховано",
                                                           "olena")
    assert status(filled, item.comment.id) == "open"
    assert exported(filled) == {}  # nothing in force: not a training row
    assert current_item(filled, "olena") is None  # unclaimed
    again = next_item(filled, "marta")
    assert again.comment.id == item.comment.id  # highest priority, offered to anyone
    decide(filled, again.comment.id, "marta", "override")
    assert exported(filled) == {"a": ""}
    with pytest.raises(NotDecided, match="waits in the queue"):
        reopen(filled, next_item(filled, "marta").comment.id, "olena", "ще не вирішено")
    assert verify_store(filled).ok


def test_an_undo_after_someone_corrected_does_not_reopen_silently(filled):
    item = next_item(filled, "petro")
    decide(filled, item.comment.id, "petro", "confirm")
    correct(filled, item.comment.id, "olena", ["insult", "improper"], "мат")
    with pytest.raises(NothingToUndo, match="nothing to undo"):
        undo(filled, "petro")  # his verdict is no longer the one in force
    undone = undo(filled, "olena")  # hers is: she may take her correction back
    assert undone.comment_id == item.comment.id
    assert exported(filled) == {}
    assert status(filled, item.comment.id) == "open"


def test_corrections_need_a_verdict_in_force_and_a_note(filled):
    item = next_item(filled, "petro")
    with pytest.raises(NotDecided, match="no verdict in force"):
        correct(filled, item.comment.id, "olena", ["insult"], "чому")
    with pytest.raises(NotDecided):
        reopen(filled, item.comment.id, "olena", "чому")
    decide(filled, item.comment.id, "petro", "skip")
    with pytest.raises(NotDecided):  # a skip is no verdict
        correct(filled, item.comment.id, "olena", ["insult"], "чому")
    item = next_item(filled, "petro")
    decide(filled, item.comment.id, "petro", "confirm")
    for note in (None, "", "   "):
        with pytest.raises(DataError, match="needs a note"):
            correct(filled, item.comment.id, "olena", ["insult"], note)
        with pytest.raises(DataError, match="needs a note"):
            reopen(filled, item.comment.id, "olena", note)
    with pytest.raises(DataError, match="unknown label"):
        correct(filled, item.comment.id, "olena", ["spam"], "чому")
    with pytest.raises(DataError, match="needs the labels"):
        correct(filled, item.comment.id, "olena", None, "чому")
    with pytest.raises(DataError, match="without NUL"):
        correct(filled, item.comment.id, "olena", ["insult"], "a\x00b")
    with pytest.raises(ValueError, match="moderator name"):
        correct(filled, item.comment.id, " ", ["insult"], "чому")
    assert list(history(filled)["action"]) == ["confirm", "skip"]  # the refusals wrote nothing


def test_an_edited_comments_earlier_version_is_relabelled_not_reopened(filled, keyword_model,
                                                                       tmp_path):
    item = next_item(filled, "petro")
    decide(filled, item.comment.id, "petro", "confirm")
    edited = [dict(ROWS[0], text="Ти дурень, виправлено #0.9")]
    ingest_file(filled, write_csv(tmp_path / "e.csv", edited), keyword_model, spot_check_rate=0)
    with pytest.raises(Superseded):
        reopen(filled, item.comment.id, "olena", "чому")
    fixed = correct(filled, item.comment.id, "olena", ["improper"], "стара версія: мат")
    assert fixed.comment_id == item.comment.id
    assert verify_store(filled).ok


def test_db_verify_passes_after_corrections(filled, db_url, capsys):
    from moderation.cli import main

    item = next_item(filled, "petro")
    decide(filled, item.comment.id, "petro", "confirm")
    correct(filled, item.comment.id, "olena", [], "дозволено")
    reopen(filled, item.comment.id, "olena", "ще раз")
    capsys.readouterr()
    assert main(["db", "verify", "--db", db_url]) == 0
    assert "3 decisions" in capsys.readouterr().out
    with filled.write() as conn, pytest.raises(sa.exc.DBAPIError, match="append-only"):
        conn.execute(decisions.update().values(labels="insult"))  # still refused


def test_two_reopenings_at_once_give_one_entry(filled):
    import threading

    from moderation.errors import QueueError

    item = next_item(filled, "petro")
    decide(filled, item.comment.id, "petro", "confirm")
    barrier, results = threading.Barrier(2), []

    def go(name):
        barrier.wait(timeout=30)
        try:
            results.append(reopen(filled, item.comment.id, name, "разом").action)
        except QueueError as exc:
            results.append(type(exc).__name__)

    threads = [threading.Thread(target=go, args=(name,)) for name in ("olena", "marta")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["NotDecided", "undo"]
    assert list(history(filled)["action"]) == ["undo", "confirm"]
    assert status(filled, item.comment.id) == "open"
    assert verify_store(filled).ok
