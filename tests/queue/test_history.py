"""«Історія» as a table: text search (case-insensitive for Cyrillic on both databases) and
the readable form (Ukrainian headers, words for actions and labels, «—» for none)."""
from __future__ import annotations

import pandas as pd
import pytest
from helpers import write_csv

from moderation.errors import DataError
from moderation.queue import correct, decide, history, next_item, readable_history
from moderation.queue.ingest import ingest_file

ROWS = [dict(id="a", text="ЇЖАК Єнот: ти ДУРЕНЬ #0.9", author="Іван", article_title="Міст"),
        dict(id="b", text="Голосуйте за Петренка, 100% #0.8"),
        dict(id="c", text="Ти дурень, знову? #0.7", author="Оля")]


@pytest.fixture
def decided(store, keyword_model, tmp_path):
    ingest_file(store, write_csv(tmp_path / "q.csv", ROWS), keyword_model, spot_check_rate=0)
    a = next_item(store, "petro")
    decide(store, a.comment.id, "petro", "confirm")
    b = next_item(store, "petro")
    decide(store, b.comment.id, "petro", "override")
    c = next_item(store, "petro")
    decide(store, c.comment.id, "petro", "skip")
    correct(store, a.comment.id, "olena", ["insult", "improper"], "=мат")
    return store


@pytest.mark.parametrize("search, expected", [
    ("дурень", ["a", "c", "a"]),  # newest first: the correction, the skip, the confirm
    ("ДУРЕНЬ", ["a", "c", "a"]),
    ("їжак єнот", ["a", "a"]),  # Cyrillic capitals beyond Russian's: Ї, Є
    ("ЇЖАК", ["a", "a"]),
    ("100%", ["b"]),  # a wildcard character is only itself
    ("%", ["b"]),
    ("_", []),
    ("  петренка ", ["b"]),
    ("", ["a", "c", "b", "a"]),
    ("немає такого", []),
])
def test_text_search_ignores_case(decided, search, expected):
    assert list(history(decided, text=search)["external_id"]) == expected


def test_text_search_combines_with_the_other_filters(decided):
    assert list(history(decided, text="дурень", moderator="olena")["action"]) == ["relabel"]
    assert list(history(decided, text="дурень", action="skip")["external_id"]) == ["c"]
    with pytest.raises(DataError, match="without NUL"):
        history(decided, text="a\x00")


def test_readable_history(decided):
    frame = readable_history(history(decided))
    assert list(frame.columns[:5]) == ["Текст коментаря", "Час", "Модератор", "Дія", "Мітки"]
    rows = frame.to_dict("records")
    assert [r["Дія"] for r in rows] == ["мітки змінено", "пропущено", "дозволено: залишено",
                                        "порушення: приховано"]
    assert [r["Мітки"] for r in rows] == ["Образа, Некоректне", "—", "без порушень",
                                          "Образа"]
    assert rows[0]["Текст коментаря"] == ROWS[0]["text"]
    assert rows[0]["Примітка"] == "=мат" and rows[1]["Примітка"] == "—"
    assert rows[2]["Автор"] == "—" and rows[2]["Стаття"] == "—"
    assert rows[0]["Черга"] == "черга"
    assert isinstance(rows[0]["Час"], pd.Timestamp)
    assert not frame.isna().any().any()  # no None / NaN shown anywhere
    assert readable_history(history(decided, text="немає")).empty
