"""Per-word feature rows summed per text: the same matrices as scikit-learn, batch or not."""
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from corpus import ROWS
from sklearn.feature_extraction.text import TfidfVectorizer

from moderation import features, words
from moderation.features import WORD_TOKEN_PATTERN, CharTfidf, SignalCounter, WordTfidf
from moderation.normalize import normalize

TEXTS = [normalize(text) for _, text, _, _ in ROWS] + [
    "", "а", "  два   пробіли ", "п*дар _phone_ і т.д.", "suka blyat _url_ _url_!!!",
    "слово слово слово", "!!!!!!!!!!!! ура",
]


def _one_by_one(transformer, texts):
    return sp.vstack([transformer.transform([t]) for t in texts]).tocsr()


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (1, 3), (2, 2)])
def test_word_tfidf_equals_sklearn_in_batch_and_alone(ngram_range):
    ours = WordTfidf(ngram_range=ngram_range, min_df=1).fit(TEXTS)
    ref = TfidfVectorizer(token_pattern=WORD_TOKEN_PATTERN, ngram_range=ngram_range, min_df=1,
                          sublinear_tf=True, lowercase=False).fit(TEXTS)
    expected = ref.transform(TEXTS)
    assert abs(ours.transform(TEXTS) - expected).max() < 1e-6
    assert abs(_one_by_one(ours, TEXTS) - expected).max() < 1e-6
    unseen = ["зовсім нові слова тут", "депутат злодій новий"]
    assert abs(ours.transform(unseen * 20) - ref.transform(unseen * 20)).max() < 1e-6


def test_char_tfidf_equals_sklearn_in_batch_and_alone():
    ours = CharTfidf(ngram_range=(2, 4), min_df=1, translit=False).fit(TEXTS)
    ref = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=1, sublinear_tf=True,
                          lowercase=False).fit(TEXTS)
    expected = ref.transform(TEXTS)
    assert abs(ours.transform(TEXTS) - expected).max() < 1e-6
    assert abs(ours.transform(TEXTS) - expected).max() < 1e-6  # cached words
    assert abs(_one_by_one(ours, TEXTS) - expected).max() < 1e-6


def test_signal_counter_batch_equals_alone():
    counter = SignalCounter().fit(TEXTS)
    batch = counter.transform(TEXTS).toarray()
    assert np.array_equal(batch, _one_by_one(counter, TEXTS).toarray())
    row = batch[TEXTS.index("suka blyat _url_ _url_!!!")]
    names = list(counter.get_feature_names_out())
    assert row[names.index("_url_")] == pytest.approx(np.log1p(2))
    assert row[names.index("obscene")] == pytest.approx(np.log1p(2))  # transliterated
    assert row[names.index("exclaim")] == pytest.approx(np.log1p(3))
    assert batch[TEXTS.index("!!!!!!!!!!!! ура"), names.index("exclaim")] == \
        pytest.approx(np.log1p(10))  # counted up to ten


def test_tables_are_not_pickled_and_rebuilt_after_loading():
    word = WordTfidf(min_df=1).fit(TEXTS)
    char = CharTfidf(min_df=1).fit(TEXTS)
    for transformer in (word, char):
        before = transformer.transform(TEXTS)
        state = transformer.__getstate__()
        assert not any(k.startswith(("_rows", "_tables")) for k in state)
        assert transformer.__dict__.get("_rows")  # still on the live object
        loaded = pickle.loads(pickle.dumps(transformer))
        assert abs(loaded.transform(TEXTS) - before).max() == 0


def test_a_new_word_index_starts_new_tables(monkeypatch):
    monkeypatch.setattr(words, "_INDEX", words.WordIndex())
    monkeypatch.setattr(words, "LIMIT", 10)
    char = CharTfidf(min_df=1).fit(TEXTS)
    counter = SignalCounter().fit(TEXTS)
    first = char.transform(TEXTS)
    table = char.__dict__["_rows"]
    new = [f"нове{i} слово{i} п*дар" for i in range(40)]
    again = char.transform(new + TEXTS)  # the index is full: a new one, a new table
    assert char.__dict__["_rows"] is not table
    assert abs(again[len(new):] - first).max() == 0
    assert np.array_equal(counter.transform(new + TEXTS).toarray()[len(new):],
                          counter.transform(TEXTS).toarray())


def _coef(width):
    return np.random.default_rng(0).normal(size=(width, 6))


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 2), (1, 3)])
@pytest.mark.parametrize("compiled", [True, False])
def test_word_scores_equal_transform_times_coefficients(ngram_range, compiled, monkeypatch):
    from moderation import speedups

    if not compiled:
        monkeypatch.setattr(speedups, "token_ngram_scores", None)  # the numpy path
    ours = WordTfidf(ngram_range=ngram_range, min_df=1).fit(TEXTS)
    coef = _coef(ours.n_columns)
    texts = TEXTS + ["зовсім нові слова", "депутат злодій новий депутат злодій"]
    expected = ours.transform(texts) @ coef
    assert np.allclose(ours.decision(texts, coef), expected, atol=1e-5)
    assert np.allclose(ours.decision(texts[:1], coef), expected[:1], atol=1e-5)


@pytest.mark.parametrize("compiled", [True, False])
def test_char_scores_equal_transform_times_coefficients(compiled, monkeypatch):
    from moderation import speedups

    if not compiled:
        monkeypatch.setattr(features, "word_rows_scores", speedups.word_rows_scores_py)
    ours = CharTfidf(ngram_range=(2, 4), min_df=1).fit(TEXTS)
    coef = _coef(ours.n_columns)
    assert np.allclose(ours.decision(TEXTS, coef), ours.transform(TEXTS) @ coef, atol=1e-5)


@pytest.mark.parametrize("compiled", [True, False])
def test_signal_scores_equal_transform_times_coefficients(compiled, monkeypatch):
    from moderation import speedups

    if not compiled:
        monkeypatch.setattr(features, "dense_rows_scores", speedups.dense_rows_scores_py)
    counter = SignalCounter(scale=0.7).fit(TEXTS)
    coef = _coef(counter.n_columns)
    texts = TEXTS + ["!!!!!!!!!!!!!! сука сука 067 123 45 67", "", "так!"]
    expected = counter.transform(texts) @ coef
    assert np.allclose(counter.decision(texts, coef), expected, atol=1e-9)
    assert np.allclose(counter.decision(texts[-3:], coef), expected[-3:], atol=1e-9)


def test_compiled_scores_refuse_inconsistent_input():
    from moderation import speedups

    if speedups.token_ngram_scores is None:
        pytest.skip("built without the C speed-ups")
    def i64(*values):
        return np.array(values, dtype=np.int64)

    out = np.zeros((1, 1))
    idf, coef = np.ones(2, dtype=np.float32), np.ones((2, 1))
    with pytest.raises(ValueError, match="out of range"):  # word 5 of 1
        speedups.word_rows_scores(i64(0, 1), i64(5), i64(0, 1), np.array([0], np.int32), idf,
                                  coef, out)
    with pytest.raises(ValueError, match="out of range"):  # column 9 of 2
        speedups.word_rows_scores(i64(0, 1), i64(0), i64(0, 1), np.array([9], np.int32), idf,
                                  coef, out)
    rows, caps = np.ones((1, 2)), np.full(2, np.inf)
    with pytest.raises(ValueError, match="out of range"):  # word 5 of 1
        speedups.dense_rows_scores(i64(0, 1), i64(5), rows, caps, 1.0, coef, out)
    with pytest.raises(ValueError, match="inconsistent"):  # three columns of coefficients
        speedups.dense_rows_scores(i64(0, 1), i64(0), rows, caps, 1.0, np.ones((3, 1)), out)
    with pytest.raises(ValueError, match="unsorted"):
        speedups.token_ngram_scores(i64(0, 1), i64(0), i64(0, 1), np.array([0], np.int32),
                                    i64(0, 1), i64(5, 3), i64(0, 1), i64(0, 0, 2), 2, idf,
                                    coef, out)
    with pytest.raises(ValueError, match="heads"):
        speedups.token_ngram_scores(i64(0, 1), i64(0), i64(0, 1), np.array([0], np.int32),
                                    i64(0, 1), i64(1, 3), i64(0, 1), i64(0, 2, 2), 2, idf,
                                    coef, out)


def test_lexicon_prefilter_misses_no_token():
    """``lexicon.is_any`` only skips the three look-ups: it must hold wherever one of them
    does (checked on every token of the corpora and on the lexicon's own examples)."""
    from moderation import lexicon
    from moderation.dataset import load_seed

    tokens = {t for text in load_seed().texts for t in lexicon.tokens(normalize(text))}
    tokens |= {"хуй", "нахуя", "дебіл", "вбити", "суками", "бля", "рахуйте", "небо", "педикюр"}
    for token in tokens:
        hit = lexicon.is_obscene(token) or lexicon.is_insult(token) or lexicon.is_threat(token)
        assert not hit or lexicon.is_any(token), token
