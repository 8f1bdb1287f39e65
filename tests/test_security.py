"""Attacks on the package: SQL in every filter and search field (SQLite and PostgreSQL),
password storage, lockout expiry, and admin-only actions leaving nothing behind.

Already covered elsewhere and not repeated here: tampered / truncated / swapped bundles
(test_bundle.py), lockout, hashes and sessions (tests/auth/), and the
role checks themselves (tests/learning/test_retrain.py, tests/auth/). HTML in the UI:
tests/ui/test_security_ui.py.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from helpers import write_csv

from moderation import auth
from moderation.errors import DataError
from moderation.queue import (
    Filters,
    author_history,
    decide,
    history,
    near_duplicates,
    next_item,
    release,
)
from moderation.queue.ingest import ingest_file

INJECTIONS = ["' OR 1=1 --", "'; DROP TABLE decisions; --", "\" OR \"\"=\"", "%", "_", "\\",
              "%' OR '1'='1", "a%b_c\\", "1; DELETE FROM comments", "' UNION SELECT * FROM claims --",
              "Робота'); DROP TABLE comments;--"]
COMMENTS = [  # KeywordModel flags "дурень" (insult); titles and authors have no % _ \ in them
    dict(id="a", text="Ти дурень", author="Іван", article_id="a1", article_title="Бюджет міста"),
    dict(id="b", text="Сам дурень", author="Оля", article_id="a2", article_title="Вибори мера"),
    dict(id="c", text="Ну ти й дурень, ' OR 1=1 --", author="' OR 1=1 --", article_id="a3",
         article_title="'; DROP TABLE decisions; --"),
]
TABLES = ("comments", "predictions", "queue_items", "decisions", "claims", "comment_sketches",
          "ingest_runs")


@pytest.fixture
def filled(store, keyword_model, tmp_path):
    ingest_file(store, write_csv(tmp_path / "c.csv", COMMENTS), keyword_model,
                spot_check_rate=0.0)
    item = next_item(store, "m", filters=Filters(author="Іван"))
    decide(store, item.comment.id, "m", "confirm", ["insult"], note="'; DROP TABLE claims; --")
    return store


def table_counts(store) -> dict[str, int]:
    with store.read() as conn:
        return {name: conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
                for name in TABLES}


@pytest.mark.parametrize("hostile", INJECTIONS)
def test_sql_in_every_filter_finds_nothing_and_breaks_nothing(filled, hostile):
    before = table_counts(filled)
    literal = {"author": {c["id"] for c in COMMENTS if c["author"] == hostile},
               "article": {c["id"] for c in COMMENTS if hostile in c["article_title"]
                           or hostile == c["article_id"]}}
    skips = 0
    for field, expected in literal.items():  # only comments holding the very string match
        found = claimed_all(filled, f"x-{field}", Filters(**{field: hostile}))
        assert found == expected - {"a"}, field  # "a" is decided already
        skips += len(found)
    assert next_item(filled, hostile) is not None  # a hostile moderator name is only a name
    assert history(filled, moderator=hostile).empty
    assert author_history(filled, hostile).total == len(literal["author"])
    for bad in ({"label": hostile}, {"lang": hostile}):
        with pytest.raises(DataError):
            Filters(**bad)
    with pytest.raises(DataError):
        history(filled, label=hostile)
    with pytest.raises(DataError):
        history(filled, action=hostile)
    after = table_counts(filled)
    after["claims"] = before["claims"]  # claims and skips are the only changes
    after["decisions"] -= skips
    assert after == before


def claimed_all(store, moderator: str, filters: Filters) -> set[str]:
    """External ids of every open comment ``filters`` lets ``moderator`` claim (skipping each)."""
    found = set()
    while (item := next_item(store, moderator, filters=filters)) is not None:
        if item.comment.external_id in found:  # a skipped one offered back: all seen
            release(store, moderator)
            break
        found.add(item.comment.external_id)
        decide(store, item.comment.id, moderator, "skip")
    return found


def test_hostile_values_match_only_themselves(filled):
    """The injection strings stored as an author and a title are found literally."""
    item = next_item(filled, "m", filters=Filters(author="' OR 1=1 --"))
    assert item is not None and item.comment.external_id == "c"
    assert next_item(filled, "m", filters=Filters(article="DROP TABLE")).comment.external_id \
        == "c"
    assert author_history(filled, "' OR 1=1 --").total == 1
    assert list(history(filled, moderator="m")["note"]) == ["'; DROP TABLE claims; --"]
    assert near_duplicates(filled, item.comment.id).count == 0  # its text, not SQL
    assert table_counts(filled)["decisions"] == 1


@pytest.mark.parametrize("wildcard", ["%", "_", "\\", "%%", "_%_"])
def test_like_wildcards_in_article_search_are_literal(filled, wildcard):
    """``article`` is a substring search (LIKE): its wildcards must not match everything."""
    assert next_item(filled, "x", filters=Filters(article=wildcard)) is None
    assert next_item(filled, "x", filters=Filters(article=f"Вибори{wildcard}")) is None


def test_hostile_dates_are_values_not_sql(filled):
    far = datetime(1970, 1, 1, tzinfo=UTC)
    assert next_item(filled, "x", filters=Filters(since=datetime(2999, 1, 1, tzinfo=UTC))) is None
    assert next_item(filled, "x", filters=Filters(until=far)) is None
    assert history(filled, since=datetime.now(UTC) + timedelta(days=1)).empty


# ------------------------------------------------------------------ passwords and lockout


def test_unknown_names_and_injection_names_never_sign_in(store):
    auth.add_moderator(store, "olena", "correct horse", role="admin")
    for name in [*INJECTIONS, "OLENA", "olena\u200b"]:
        assert auth.verify(store, name, "correct horse") is None
    assert auth.verify(store, "olena", "correct horse")


# ------------------------------------------------------------------ admin-only actions


def test_refused_admin_actions_leave_nothing_behind(tmp_path, tiny_model, store):
    from moderation.auth import add_moderator_as
    from moderation.errors import AuthError
    from moderation.learning.promotions import promote
    from moderation.learning.retrain import retrain

    auth.add_moderator(store, "petro", "battery staple")
    moderator = auth.Moderator("petro", "moderator")
    with pytest.raises(AuthError, match="не адміністратор"):
        add_moderator_as(moderator, store, "mallory", "mallory-pass", role="admin")
    with pytest.raises(AuthError, match="не адміністратор"):
        retrain(moderator, None, None, tmp_path / "candidates")
    with pytest.raises(AuthError, match="не адміністратор"):
        promote(moderator, None, tiny_model, model_dir=tmp_path / "model")
    assert auth.list_moderators(store) == [moderator]
    assert not (tmp_path / "candidates").exists() and not (tmp_path / "model").exists()
