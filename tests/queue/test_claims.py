"""Claims an admin sees and releases, and skipped comments coming back (both databases)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import write_csv

from moderation.auth import Moderator
from moderation.errors import AuthError, ClaimLost
from moderation.queue import (
    decide,
    held_claims,
    next_item,
    release_claims,
    skipped,
    undo,
)
from moderation.queue.ingest import ingest_file
from moderation.store.verify import verify_store

ADMIN = Moderator("olena", "admin")
MODERATOR = Moderator("petro", "moderator")
ROWS = [dict(id=f"c{i}", text=f"Ти дурень номер {i} #0.{9 - i}", author=f"a{i}")
        for i in range(3)]


@pytest.fixture
def filled(store, keyword_model, tmp_path):
    ingest_file(store, write_csv(tmp_path / "q.csv", ROWS), keyword_model, spot_check_rate=0)
    return store


def test_skipped_comments_are_listed_and_come_back_when_nothing_else_is_left(filled):
    first = next_item(filled, "petro")
    assert first.comment.external_id == "c0"
    decide(filled, first.comment.id, "petro", "skip")
    listed = skipped(filled, "petro")
    assert [s.comment.external_id for s in listed] == ["c0"]
    assert listed[0].queue == "review" and listed[0].skipped_at.tzinfo is not None
    assert skipped(filled, "petro", queue="spot_check") == []
    assert skipped(filled, "marta") == []  # only one's own skips
    second = next_item(filled, "petro")
    assert second.comment.external_id == "c1"  # something else first
    decide(filled, second.comment.id, "petro", "confirm")
    third = next_item(filled, "petro")
    assert third.comment.external_id == "c2"
    decide(filled, third.comment.id, "petro", "skip")
    assert [s.comment.external_id for s in skipped(filled, "petro")] == ["c2", "c0"]
    back = next_item(filled, "petro")  # nothing else is left: a skipped one comes back
    assert back is not None and back.comment.external_id == "c0"
    decide(filled, back.comment.id, "petro", "override")
    assert [s.comment.external_id for s in skipped(filled, "petro")] == ["c2"]
    assert next_item(filled, "petro").comment.external_id == "c2"


def test_a_skipped_comment_decided_by_another_leaves_the_list(filled):
    item = next_item(filled, "petro")
    decide(filled, item.comment.id, "petro", "skip")
    other = next_item(filled, "marta")
    assert other.comment.id == item.comment.id  # offered to others at once
    decide(filled, other.comment.id, "marta", "confirm")
    assert skipped(filled, "petro") == []


def test_a_skip_before_an_undo_does_not_count(filled):
    item = next_item(filled, "marta")
    decide(filled, item.comment.id, "marta", "skip")
    again = next_item(filled, "petro")
    decide(filled, again.comment.id, "petro", "confirm")
    undo(filled, "petro")  # back in the queue: entered again, the old skip is forgotten
    assert skipped(filled, "marta") == []


def test_admin_sees_and_releases_claims(filled):
    a = next_item(filled, "petro")
    b = next_item(filled, "marta")
    held = held_claims(filled)
    assert [(c.moderator, c.external_id, c.queue) for c in held] == [
        ("marta", b.comment.external_id, "review"), ("petro", a.comment.external_id, "review")]
    assert all(c.claimed_at < c.expires_at for c in held)
    assert release_claims(filled, ADMIN, comment_id=a.comment.id) == 1
    with pytest.raises(ClaimLost):
        decide(filled, a.comment.id, "petro", "confirm")
    assert next_item(filled, "taras").comment.id == a.comment.id  # free for others
    assert release_claims(filled, ADMIN, moderator="marta") == 1
    assert release_claims(filled, ADMIN, moderator="marta") == 0
    assert [c.moderator for c in held_claims(filled)] == ["taras"]
    assert verify_store(filled).ok  # claims are no part of the audit trail


def test_expired_claims_are_not_listed(filled):
    next_item(filled, "petro", now=datetime(2020, 1, 1, tzinfo=UTC))
    assert held_claims(filled) == []
    later = datetime.now(UTC) + timedelta(days=1)
    next_item(filled, "marta")
    assert held_claims(filled, now=later) == []


def test_only_an_admin_releases_claims(filled):
    item = next_item(filled, "petro")
    with pytest.raises(AuthError):  # the type, not the wording
        release_claims(filled, MODERATOR, comment_id=item.comment.id)
    with pytest.raises(ValueError, match="exactly one"):
        release_claims(filled, ADMIN)
    with pytest.raises(ValueError, match="exactly one"):
        release_claims(filled, ADMIN, moderator="petro", comment_id=item.comment.id)
    assert [c.moderator for c in held_claims(filled)] == ["petro"]
