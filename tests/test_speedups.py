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
    assert speedups.fold_simple is _speedups.fold_simple
    assert speedups.WordTable is _speedups.WordTable
    assert speedups.link_runs is _speedups.link_runs


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


GRAMS = [" a", "a ", " a ", "ab", " ab", "ab ", " ab ", "b", " b ", "😀 ", " ї", "її", "ї ", "é "]


def _gram_tables(grams):
    """A C table and its twin holding ``grams`` (entries ``(gram, 0, column)``)."""
    tables = [speedups.WordTable(), speedups.WordTablePy()]
    for table in tables:
        for column, gram in enumerate(grams):
            table.add(gram, (gram, 0, 100 + column))
    return tables


@given(st.lists(st.text(alphabet=st.sampled_from(list("abїé😀\u0301")), max_size=6), max_size=4),
       st.integers(1, 5), st.integers(0, 3))
@settings(max_examples=500, deadline=None)
def test_char_wb_rows_equal_python(words, lo, extra):
    c, py = _gram_tables(GRAMS)
    assert c.char_wb_rows(words, lo, lo + extra) == py.char_wb_rows(words, lo, lo + extra)


def test_char_wb_rows_cut_as_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    for word in ["a", "ab", "її", "abcdef", "😀x", "é" * 70 + "ї"]:
        analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
        grams = list(dict.fromkeys(analyzer(word)))
        expected = [100 + grams.index(g) for g in analyzer(word)]
        for table in _gram_tables(grams):
            assert table.char_wb_rows([word], 2, 5) == [expected]
            with pytest.raises(ValueError):
                table.char_wb_rows([word], 0, 5)


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


WORDS = st.sampled_from(["a", "ab", "їж", "😀", "x" * 70, "ї" * 70, "aé", "ab" * 40])


@given(st.lists(st.lists(WORDS, max_size=5), max_size=5), st.lists(WORDS, max_size=6),
       st.lists(st.sampled_from([" ", "  ", "\t", "\u3000"]), min_size=1, max_size=3))
@settings(max_examples=500, deadline=None)
def test_word_table_equals_python(texts, known, spaces):
    """Words of every width (ASCII, Latin-1, two- and four-byte, short and long) in texts
    of every width are found, in both twins, and give the same slots and entries."""
    import numpy as np

    texts = [spaces[i % len(spaces)].join(words) for i, words in enumerate(texts)]
    known = list(dict.fromkeys(known))  # a word added again keeps its first slot
    tables = [speedups.WordTable(), speedups.WordTablePy()]
    for table in tables:
        for i, word in enumerate(known):
            assert table.add(word, (word.upper(), i, -i)) == i
            assert table.add(word, ("other", 0, 0)) == i
        assert len(table) == len(known)
    results = [table.lookup(texts) for table in tables]
    assert results[0] == results[1]
    slots, lengths, missing = results[0]
    slots = np.frombuffer(slots, dtype=np.int64)
    words = [w for t in texts for w in t.split()]
    assert np.frombuffer(lengths, dtype=np.int64).tolist() == [len(t.split()) for t in texts]
    assert slots.tolist() == [known.index(w) if w in known else -1 for w in words]
    assert missing == [(k, w) for k, w in enumerate(words) if w not in known]
    found = slots[slots >= 0].copy()
    n = np.array([len(found)], dtype=np.int64)
    for table in tables:
        assert table.norms(found) == [table.get(words[k])[0] for k in np.flatnonzero(slots >= 0)]
        assert table.columns(found) == tables[0].columns(found)
        assert table.join(found, n) == [" ".join(table.get(w)[0] for w in words if w in known)]
        assert table.get("absent") is None


@pytest.mark.parametrize("table", [speedups.WordTable, speedups.WordTablePy])
def test_word_table_rejects_bad_entries_and_slots(table):
    import numpy as np

    t = table()
    for entry in [("a", 1), ("a", 1, "2"), ["a", 1, 2], (1, 1, 1)]:
        with pytest.raises(TypeError):
            t.add("w", entry)
    assert len(t) == 0
    t.add("w", ("w", 0, 0))
    for slots in [np.array([1], dtype=np.int64), np.array([-1], dtype=np.int64)]:
        with pytest.raises(ValueError):
            t.norms(slots)
        with pytest.raises(ValueError):
            t.columns(slots)
    with pytest.raises(ValueError):
        t.join(np.array([0], dtype=np.int64), np.array([2], dtype=np.int64))
    with pytest.raises((TypeError, AttributeError)):
        t.lookup(["w", 5])


def test_word_table_tells_apart_words_of_the_same_bytes():
    """Keys are compared by width and length too: "ab" and U+6261 have the same two bytes,
    "a" and "a\\0" the same bytes once padded."""
    import numpy as np

    words = ["ab", "\u6261", "a", "a\x00", "ї" * 8, "ї" * 9, "x" * 300, "x" * 301]
    for table in (speedups.WordTable(), speedups.WordTablePy()):
        assert [table.add(w, (w, 0, i)) for i, w in enumerate(words)] == list(range(8))
        slots, _, missing = table.lookup([" ".join(words)])
        assert np.frombuffer(slots, dtype=np.int64).tolist() == list(range(8))
        assert [table.get(w)[2] for w in words] == list(range(8))


def test_word_table_grows_past_its_first_buckets():
    import numpy as np

    words = [f"слово{i}" for i in range(20_000)]
    table = speedups.WordTable()
    assert [table.add(w, (w, i, i)) for i, w in enumerate(words)] == list(range(len(words)))
    slots, _, missing = table.lookup([" ".join(words[::-1])])
    assert np.frombuffer(slots, dtype=np.int64).tolist() == list(range(len(words)))[::-1]
    assert missing == []


@given(st.lists(st.lists(st.integers(0, 127), max_size=10), max_size=6))
@settings(max_examples=1000, deadline=None)
def test_link_runs_equals_python_text_by_text(texts):
    """A batch gives each text's runs, as the text alone would (texts do not meet)."""
    import numpy as np

    flags = np.array([f for text in texts for f in text], dtype=np.int64)
    lengths = np.array([len(text) for text in texts], dtype=np.int64)
    got = speedups.link_runs(flags, lengths)
    assert got == speedups.link_runs_py(flags, lengths)
    alone = [speedups.link_runs(np.array(text, dtype=np.int64),
                                np.array([len(text)], dtype=np.int64)) for text in texts]
    runs = list(zip(*(np.frombuffer(b, dtype=np.int64).tolist() for b in got)))
    assert runs == [(t, first, last) for t, one in enumerate(alone)
                    for _, first, last in zip(*(np.frombuffer(b, dtype=np.int64).tolist()
                                                for b in one))]
    with pytest.raises(ValueError):
        speedups.link_runs(flags, np.append(lengths, 1))


TOKEN_TEXT = st.text(alphabet=st.sampled_from(list("ab_*'-.,їЁ1٣²½😀\u0301\u200b ") + ["ﬁ", "ǅ"]),
                     max_size=12) | st.text(max_size=20)


@given(st.lists(TOKEN_TEXT, max_size=5), st.lists(st.sampled_from(["ab", "ї", "1", "a*b", "'",
                                                                   "٣", "½", "ǅ"]), max_size=4))
@settings(max_examples=1000, deadline=None)
def test_token_rows_equal_python_and_the_regular_expression(words, known):
    """Tokens are cut as ``re.findall(TOKEN_PATTERN)`` cuts them (\\w as the re module reads
    it: Unicode letters, digits and numbers, and "_"), in both twins."""
    import re

    known = list(dict.fromkeys(known))
    tables = [speedups.WordTable(), speedups.WordTablePy()]
    for table in tables:
        for i, token in enumerate(known):
            table.add(token, (token, 0, 10 + i))
    expected = [[10 + known.index(t) if t in known else -1
                 for t in re.findall(speedups.TOKEN_PATTERN, word)] for word in words]
    assert tables[0].token_rows(words) == tables[1].token_rows(words) == expected


def test_token_characters_are_those_of_the_regular_expression():
    """Every code point: a token character for the C twin exactly when ``[\\w*']`` takes
    it."""
    import re

    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    token = re.compile(speedups.TOKEN_PATTERN)
    expected = [1 if token.fullmatch(c) else 0 for c in chars]
    assert [len(row) for row in speedups.WordTable().token_rows(chars)] == expected
