"""The word-by-word normaliser must give exactly what ``normalize`` gives."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation import normalize_batch, speedups, words
from moderation.dataset import load_seed
from moderation.normalize import TextNormalizer, normalize
from moderation.normalize_batch import normalize_many, normalize_one, normalize_with_words
from moderation.speedups import WordTable

CROSSING = [
    "дзвоніть 067 123 45 67 після обіду",             # a phone in groups
    "дзвоніть +38 (067) 123-45-67",
    "нуль шість сім один два три чотири п'ять шість сім",  # a phone in words
    "нуль дев'яносто сім 123 45 67",
    "ціна 500 грн, доставка 1 000 000 грн",            # prices across a space
    "всього $ 100 або 100 тис. грн чи 5 к грн",
    "ти с у к а і все",                                 # letters split by spaces
    "Д Е Б І Л",
    "а я в шоці",                                       # real one-letter words
    "а з п'ятниці заморозки",                           # not a split word
    "і т.д і т.п. і т п",
    "промокод VOLYN50 діє",                             # promo codes
    "купон: ABC-123, промо код xyz1",
    "два  пробіли   і\u00a0нерозривний\tтаб\nрядок",   # white space of every kind
    "ка\u200bзи\u200dно і ще",                          # zero-width inside a word
    "слово \u0301наголос ¨ окремо",                     # marks after a space, NFKC to space
    "сто два три сорок",                                # number words in a row
    "iPhone 15 і Wi-Fi, COVID-19, 5G",
    "пенсія 4100 стане 4428 грн. а комуналка",          # a price's edge meets its neighbour
    "ціна $100 5t я k я",                               # ... and the letters after it
    "x $\t5t с\tк.а.з.и.н.о\u00a0т ",                  # (found by fuzzing a run that grew)
    "",
    "   ",
]


@pytest.mark.parametrize("text", CROSSING)
def test_crossing_cases_equal_normalize(text):
    assert normalize_one(text) == normalize(text)
    assert normalize_one(text) == normalize(text)  # cached words


def test_seed_corpus_equals_normalize():
    texts = load_seed().texts
    assert normalize_many(texts) == [normalize(t) for t in texts]


def test_transformer_uses_it():
    texts = ["ДЕБIЛ 067 123 45 67", "с у к а", "звичайний текст"]
    assert list(TextNormalizer().transform(texts)) == [normalize(t) for t in texts]


def test_word_table_is_bounded(monkeypatch):
    """A full table is replaced by an empty one when a batch starts (never emptied while a
    batch reads its slots, so a batch larger than the limit is still right)."""
    monkeypatch.setattr(normalize_batch, "_STATE", (WordTable(), words.current_index()))
    monkeypatch.setattr(normalize_batch, "_CACHE_LIMIT", 5)
    for i in range(20):
        a = chr(0x430 + i)  # letters: a digit would make the text one whose words may meet
        texts = [f"слово{a} інше{a} ще{a}"]
        assert normalize_many(texts) == [normalize(t) for t in texts]
        assert len(normalize_batch._STATE[0]) <= 5 + 3
    texts = [f"слово{i} інше{i} ще{i} слово{i}" for i in range(20)]
    assert normalize_many(texts) == [normalize(t) for t in texts]
    assert len(normalize_batch._STATE[0]) >= 60


def test_words_of_the_batch_are_the_words_of_the_output(monkeypatch):
    texts = load_seed().texts[:300] + CROSSING
    out, batch = normalize_with_words(texts)
    assert batch.n_texts == len(texts)
    for t, text in enumerate(out):
        ids = batch.ids[batch.indptr[t]:batch.indptr[t + 1]]
        assert [batch.index.words[i] for i in ids] == text.split()


def test_a_new_word_index_starts_a_new_cache(monkeypatch):
    monkeypatch.setattr(words, "_INDEX", words.WordIndex())
    monkeypatch.setattr(words, "LIMIT", 10)
    texts = [f"слово{i} ціна 500 грн" for i in range(30)]
    first, batch = normalize_with_words(texts)
    again, batch2 = normalize_with_words(texts)  # the index is full: numbered anew
    assert again == first == [normalize(t) for t in texts]
    assert batch2.index is not batch.index
    for t, text in enumerate(again):
        ids = batch2.ids[batch2.indptr[t]:batch2.indptr[t + 1]]
        assert [batch2.index.words[i] for i in ids] == text.split()


RISKY_WORDS = [
    "0", "1", "067", "123", "45", "67", "+", "+38", "(067)", "-", "–", ",", ".", "грн", "грн,",
    "гривень", "$", "$100", "€", "к", "k", "тис.", "млн", "дол.", "р.", "нуль", "два", "сім",
    "п'ять", "сто", "а", "я", "в", "і", "с", "у", "к", "т.д", "т.п.", "п'ятниці", "x", "xyй",
    "хуй", "п*дар", "к.а.з.и.н.о", "промокод", "promo", "купон:", "t.me/abc", "www.x.ua",
    "a@b.com", "@handle", "дебііііл", "ааа", "!!!!", "слово", "Слово", "iPhone", "5G",
    "тел:0671234567", "3аробіток", "\u200b", "\u0301", "¨", "ﬁ",
]


@given(st.lists(st.tuples(st.sampled_from(RISKY_WORDS),
                          st.sampled_from([" ", " ", " ", "  ", "\u00a0", "\t", ""])),
                max_size=14))
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_word_by_word_equals_normalize_on_risky_text(parts):
    text = "".join(word + sep for word, sep in parts)
    assert normalize_one(text) == normalize(text)


@given(st.text(max_size=200))
@settings(max_examples=1000, deadline=None)
def test_word_by_word_equals_normalize_on_any_text(text):
    assert normalize_one(text) == normalize(text)


PLAINISH = st.text(alphabet=st.sampled_from(list(
    "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяёыabcxyzkop'-.,!?:;()«»\"")), min_size=1, max_size=16)


@given(st.lists(PLAINISH, max_size=6))
@settings(max_examples=2000, deadline=None)
def test_plain_looking_words_equal_normalize(words):
    text = " ".join(words)
    assert normalize_one(text) == normalize(text)


RISKY_TEXT = st.lists(st.tuples(st.sampled_from(RISKY_WORDS),
                                st.sampled_from([" ", " ", "  ", "\u00a0", "\t", ""])),
                      max_size=8).map(lambda parts: "".join(w + s for w, s in parts))


@given(st.lists(st.one_of(RISKY_TEXT, st.text(max_size=60)), max_size=12))
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_batch_equals_normalize_text_by_text(texts):
    """The batch path decides per text which words may meet: texts side by side in one
    batch must not affect each other."""
    assert normalize_many(texts) == [normalize(t) for t in texts]


# the first word-by-word version of ``_links``, kept as the reference for the regular-
# expression one
_NUM, _CUR, _SINGLE, _PROMO = (normalize_batch._NUM, normalize_batch._CUR,
                               normalize_batch._SINGLE, normalize_batch._PROMO)
_SEP, _LEFT, _RIGHT = normalize_batch._SEP, normalize_batch._LEFT, normalize_batch._RIGHT


def _links_reference(entries: list[tuple[str, int, str]]) -> list[bool] | None:
    """``links[i]`` is True when step 4 may reach across the space between words ``i`` and
    ``i + 1`` (None when it may nowhere)."""
    links = [False] * max(len(entries) - 1, 0)
    found = False

    def link(first: int, last: int) -> None:
        nonlocal found
        found = True
        for k in range(max(first, 0), min(last, len(links))):
            links[k] = True

    run_start, run_end, run_num = -1, -1, False  # words with digits or currencies in a row
    for i, (_, flags, _) in enumerate(entries):
        if flags & _PROMO:  # "купон : ABC": the word before and the two after
            link(i - 1, i + 2)
        if flags & _RIGHT and i >= 2 and entries[i - 1][1] & _SINGLE and entries[i - 2][1] & _LEFT:
            link(i - 2, i)
        if flags & _SEP:
            if run_start >= 0:  # "$100 . ," : a price takes the dots and commas after it
                link(run_start, i)
            continue
        if flags & (_NUM | _CUR):
            if run_start < 0:
                run_start, run_num = i, False
            run_end, run_num = i, run_num or bool(flags & _NUM)
            continue
        if run_num and run_end > run_start:
            link(run_start, run_end)
        run_start, run_num = -1, False
    if run_num and run_end > run_start >= 0:
        link(run_start, run_end)
    return links if found else None


def _links(link_runs, flags: list[int]) -> list[bool] | None:
    """``links[i]``: True when words ``i`` and ``i + 1`` are in one of the runs that
    ``link_runs`` gives for a text of words with ``flags``."""
    texts, firsts, lasts = (np.frombuffer(b, dtype=np.int64).tolist() for b in
                            link_runs(np.array(flags, dtype=np.int64),
                                      np.array([len(flags)], dtype=np.int64)))
    if not texts:
        return None
    assert set(texts) == {0}
    links = [False] * max(len(flags) - 1, 0)
    for first, last in zip(firsts, lasts):
        links[first:last] = [True] * (last - first)
    return links


@pytest.mark.parametrize("link_runs", [speedups.link_runs, speedups.link_runs_py])
@given(flags=st.lists(st.integers(0, 127), max_size=14))
@settings(max_examples=3000, deadline=None)
def test_links_equal_the_word_by_word_reference(link_runs, flags):
    entries = [("w", f, chr(0x100 + f)) for f in flags]
    links, expected = _links(link_runs, flags), _links_reference(entries)
    assert (links if links and any(links) else None) == \
        (expected if expected and any(expected) else None)


def test_short_numbers_alone_are_left_as_they_are():
    """``_word`` takes them without normalising: check that normalising leaves them."""
    import random

    rng = random.Random(0)
    numbers = [str(n) for n in range(10_000)] + [f"{n:04d}" for n in range(1000)]
    numbers += ["".join(rng.choice("0123456789") for _ in range(rng.randint(5, 8)))
                for _ in range(3000)]
    assert [w for w in numbers if normalize(w) != w] == []


def test_words_without_strings_are_the_same_words():
    texts = load_seed().texts[:300] + CROSSING + ["пиши @olena_k, 500 грн"]
    out, batch = normalize_with_words(texts)
    none, words_only = normalize_with_words(texts, strings=False)
    assert words_only.ids.tolist() == batch.ids.tolist()
    assert words_only.indptr.tolist() == batch.indptr.tolist()
    assert all(o is None or o == t for o, t in zip(none, out))
