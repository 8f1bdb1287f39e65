"""Bidirectional controls: the display order of overridden text, controls made visible."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderation.text.bidi import CONTROLS, display_order, has_controls, visible

RLO, LRO, PDF, RLE, LRI, PDI = "\u202e", "\u202d", "\u202c", "\u202b", "\u2066", "\u2069"


def shown(text):
    return "".join(text[i] for i in display_order(text))


@pytest.mark.parametrize("stored, displayed", [
    ("звичайний текст", "звичайний текст"),
    (RLO + "отнорп тномер", "ремонт пронто"),
    ("Пишіть " + RLO + "кьцуЛ_тидерк@" + PDF + " вже", "Пишіть @кредит_Луцьк вже"),
    (RLO + "ab" + LRO + "cd" + PDF + "ef", "fe" + "cd" + "ba"),
    ("a" + RLE + "bc" + PDF + "d", "abcd"),
    ("x" + LRI + "yz" + PDI + "w", "xyzw"),
    (RLO + "ba\ndc", "ab\ndc"),  # a new line ends the override
    (PDF + PDI + "ok", "ok"),  # stray closers are dropped
])
def test_display_order(stored, displayed):
    assert shown(stored) == displayed


@given(st.text(alphabet="ab \n" + "".join(CONTROLS), max_size=60))
def test_display_order_is_a_permutation_of_the_other_characters(text):
    order = display_order(text)
    assert sorted(order) == [i for i, ch in enumerate(text) if ch not in CONTROLS]


def test_controls_are_made_visible_in_stored_order():
    assert visible("a" + RLO + "b") == "a⟦RLO⟧b"
    assert visible("без керівних") == "без керівних"
    assert has_controls("x" + PDI) and not has_controls("x") and not has_controls(None)


def test_a_pdi_that_closes_no_isolate_does_not_end_an_override():
    # a browser keeps the override going: the text displays reversed, so must ours
    assert shown(RLO + PDI + "тидерк") == "кредит"
    assert shown(LRO + RLO + "ba" + PDF + PDF + PDF + "dc") == "abdc"  # extra PDFs: ignored


def test_controls_nest_at_most_max_depth_deep():
    from moderation.text.bidi import MAX_DEPTH

    deep = LRO * MAX_DEPTH + RLO + "ba" + PDF + "cd"  # the RLO is one level too deep
    assert shown(deep) == "bacd"
    inside = LRO * (MAX_DEPTH - 1) + RLO + "ba"
    assert shown(inside) == "ab"


def test_deep_nesting_is_read_without_recursion_errors():
    text = (RLO + "ab") * 30_000 + (LRI + "cd") * 30_000 + PDI * 30_000
    assert len(display_order(text)) == 120_000
