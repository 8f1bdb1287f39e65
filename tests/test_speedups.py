"""The C speed-ups give what their pure Python twins give."""
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation import speedups

WHITE = (" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2009\u200a\u2028\u2029"
         "\u202f\u205f\u3000")
TEXT = st.text(alphabet=st.sampled_from(list("ab ї😀\u200b") + list(WHITE)), max_size=12) \
    | st.text(max_size=30)


def test_c_speed_ups_are_built_in_ci():
    """The Python twins would hide a broken build (only slower): CI must have the C ones."""
    if os.environ.get("CI") != "true":
        pytest.skip("checked in CI, where the package is built with a C compiler")
    from moderation import _speedups

    assert speedups.split_lookup is _speedups.split_lookup
    assert speedups.char_wb_lookup is _speedups.char_wb_lookup
    assert speedups.fold_simple is _speedups.fold_simple
    assert speedups.join_runs is _speedups.join_runs
    assert speedups.int_columns is _speedups.int_columns


@given(st.lists(TEXT, max_size=8))
@settings(max_examples=500, deadline=None)
def test_split_lookup_equals_python(texts):
    mapping = {"a": 1, "b": (2,), "ї": "x", "😀": 0}
    expected = speedups.split_lookup_py(texts, mapping)
    assert speedups.split_lookup(texts, mapping) == expected
    assert expected[1] == [len(t.split()) for t in texts]
    assert [v for v in expected[0] if v is not None] == \
        [mapping[w] for t in texts for w in t.split() if w in mapping]


def test_split_lookup_rejects_what_is_not_text():
    with pytest.raises((TypeError, AttributeError)):
        speedups.split_lookup(["a", 5], {})


GRAMS = {g: i for i, g in enumerate([" a", "a ", " a ", "ab", " ab", "ab ", " ab ", "b", " b ",
                                     "😀 ", " ї", "її", "ї "])}


@given(st.text(alphabet=st.sampled_from(list("abї😀\u0301")), max_size=6),
       st.integers(1, 5), st.integers(0, 3))
@settings(max_examples=500, deadline=None)
def test_char_wb_lookup_equals_python(word, lo, extra):
    hi = lo + extra
    assert speedups.char_wb_lookup(word, GRAMS, lo, hi) == \
        speedups.char_wb_lookup_py(word, GRAMS, lo, hi)


def test_char_wb_lookup_cuts_as_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    for word in ["a", "ab", "її", "abcdef", "😀x"]:
        analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
        grams = analyzer(word)
        vocabulary = {g: i for i, g in enumerate(dict.fromkeys(grams))}
        expected = [vocabulary[g] for g in grams]
        assert speedups.char_wb_lookup(word, vocabulary, 2, 5) == expected
        assert speedups.char_wb_lookup_py(word, vocabulary, 2, 5) == expected


def test_fold_simple_on_every_foldable_character():
    import random

    from moderation.normalize import _prepare

    simple = [chr(c) for c in range(0x110000) if speedups.FOLDABLE.fullmatch(chr(c))]
    assert len(simple) == 95 + 96 + 2 + 2 + 2 + 3 + (0x1FB00 - 0x1F300)
    rng = random.Random(0)
    texts = simple + ["".join(simple), "Київ — ҐАНОК `так` 👍🏽", ""]
    texts += ["".join(rng.choice(simple) for _ in range(rng.randint(1, 8))) for _ in range(3000)]
    assert speedups.fold_simple(texts) == speedups.fold_simple_py(texts) == \
        [_prepare(t, None)[0] for t in texts]


FOLD_ALPHABET = list("AЯяЁҐ`z«😀🫶\U0001fb00\t")


@given(st.lists(st.text(max_size=12) | st.text(alphabet=st.sampled_from(FOLD_ALPHABET),
                                               max_size=8), max_size=6))
@settings(max_examples=500, deadline=None)
def test_fold_simple_equals_python(texts):
    assert speedups.fold_simple(texts) == speedups.fold_simple_py(texts)


@given(st.lists(st.integers(0, 3), max_size=6))
@settings(max_examples=200, deadline=None)
def test_join_runs_equals_python(lengths):
    words = [f"w{i}" for i in range(sum(lengths))]
    assert speedups.join_runs(words, lengths) == speedups.join_runs_py(words, lengths)
    with pytest.raises(ValueError):
        speedups.join_runs(words, [*lengths, 1])


@given(st.lists(st.tuples(st.text(max_size=3), st.integers(-2**40, 2**40),
                          st.integers(-5, 5)), max_size=12), st.integers(0, 3))
@settings(max_examples=300, deadline=None)
def test_int_columns_and_joining_items_equal_python(rows, k):
    assert speedups.int_columns(rows, (1, 2)) == speedups.int_columns_py(rows, (1, 2))
    lengths = [len(rows) // 2, len(rows) - len(rows) // 2] if k else [len(rows)]
    assert speedups.join_runs(rows, lengths, 0) == speedups.join_runs_py(rows, lengths, 0) \
        == speedups.join_runs_py([r[0] for r in rows], lengths)
