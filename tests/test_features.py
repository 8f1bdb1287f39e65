"""Per-word feature rows summed per text: the same matrices as scikit-learn, batch or not."""
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from corpus import ROWS
from sklearn.feature_extraction.text import TfidfVectorizer

from moderation import features
from moderation.features import (
    SMALL_BATCH,
    WORD_TOKEN_PATTERN,
    CharTfidf,
    SignalCounter,
    WordTfidf,
    word_batch,
)
from moderation.normalize import normalize

TEXTS = [normalize(text) for _, text, _, _ in ROWS] + [
    "", "а", "  два   пробіли ", "п*дар _phone_ і т.д.", "suka blyat _url_ _url_!!!",
    "слово слово слово", "!!!!!!!!!!!! ура",
]


def _one_by_one(transformer, texts):
    return sp.vstack([transformer.transform([t]) for t in texts]).tocsr()


def test_batch_is_larger_than_the_small_path():
    assert len(TEXTS) > SMALL_BATCH


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


def test_word_batch_is_reused_only_for_the_same_texts():
    texts = ["перше слово", "друге слово"]
    first = word_batch(texts)
    assert word_batch(list(texts)) is first  # same strings, another list
    texts[1] = "інше слово"                  # changed in place
    second = word_batch(texts)
    assert second is not first
    assert second.uniques == ["перше", "слово", "інше"]
    assert second.occurrences.toarray().tolist() == [[1, 1, 0], [0, 1, 1]]


def test_caches_are_not_pickled_and_rebuilt_after_loading():
    word = WordTfidf(min_df=1).fit(TEXTS)
    char = CharTfidf(min_df=1).fit(TEXTS)
    for transformer in (word, char):
        before = transformer.transform(TEXTS)
        state = transformer.__getstate__()
        assert not any(k.startswith(("_cache", "_tables")) for k in state)
        assert transformer.__dict__.get("_cache")  # still on the live object
        loaded = pickle.loads(pickle.dumps(transformer))
        assert abs(loaded.transform(TEXTS) - before).max() == 0


def test_word_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(features, "_CACHE_LIMIT", 10)
    char = CharTfidf(min_df=1).fit(TEXTS)
    char.transform(TEXTS)
    char.transform([f"нове{i} слово{i}" for i in range(40)])
    assert len(char.__dict__["_cache"]) <= 10 + 80
