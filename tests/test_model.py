import numpy as np
import pytest
from sklearn.base import clone

from moderation import load_model
from moderation.errors import DataError
from moderation.features import SIGNAL_FEATURES, SignalCounter
from moderation.model import UNKNOWN, MultiLabelLinear, build_pipeline
from moderation.taxonomy import LABELS


def test_pipeline_is_one_clonable_pipeline():
    pipe = build_pipeline()
    assert [name for name, _ in pipe.steps] == ["normalize", "features", "clf"]
    assert clone(pipe).get_params()["clf__C"] == pipe.get_params()["clf__C"]


def test_signal_counter_counts_placeholders_and_lexicon():
    X = SignalCounter().fit_transform(["_phone_ _phone_ _url_ хуйня дебіл п*дар", "добрий день"])
    row = dict(zip(SIGNAL_FEATURES, X.toarray()[0]))
    assert row["_phone_"] == pytest.approx(np.log1p(2))
    assert row["_url_"] > 0 and row["obscene"] > 0 and row["insult"] > 0 and row["masked"] > 0
    assert X.toarray()[1].sum() == 0


def test_multilabel_linear_skips_unknown_rows():
    X = np.array([[1, 0], [0, 1], [1, 0], [0, 1], [1, 1], [0, 0]], dtype=float)
    Y = np.array([[1, UNKNOWN], [0, 1], [1, UNKNOWN], [0, 0], [1, 1], [0, 0]])
    clf = MultiLabelLinear(C=10).fit(X, Y)
    assert clf.coef_.shape == (2, 2)
    p = clf.predict_proba(X)
    assert p.shape == (6, 2) and ((p >= 0) & (p <= 1)).all()
    assert p[0, 0] > p[1, 0]


def test_multilabel_linear_needs_both_classes():
    with pytest.raises(DataError, match="only one class"):
        MultiLabelLinear().fit(np.eye(3), np.array([[1], [1], [1]]))


def test_model_api(tiny_model):
    model = load_model(tiny_model)
    proba = model.predict_proba(["Голосуйте за Поліщука!", "дякую за статтю", "ти дебіл"])
    assert list(proba.columns) == list(LABELS)
    assert proba.shape == (3, 6)
    flags = model.predict(["Голосуйте за Поліщука!", "дякую за статтю", "ти дебіл"])
    assert "political_pr" in flags[0] and "insult" in flags[2]
    assert proba.loc[0, "political_pr"] > proba.loc[1, "political_pr"]
    assert proba.loc[2, "insult"] > proba.loc[1, "insult"]
    assert flags == model.flags(proba)


def test_model_api_rejects_bad_input(tiny_model):
    model = load_model(tiny_model)
    with pytest.raises(TypeError, match="list of texts"):
        model.predict_proba("one text")
    with pytest.raises(DataError, match="empty"):
        model.predict_proba(["ok", None])


def test_huge_comment_is_scored_quickly(tiny_model):
    model = load_model(tiny_model)
    proba = model.predict_proba(["дебіл " * 200_000])  # ~1.2 MB
    assert proba.shape == (1, 6)


def test_char_tfidf_equals_sklearn_char_wb():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from corpus import ROWS
    from moderation.features import CharTfidf
    from moderation.normalize import normalize

    texts = [normalize(text) for _, text, _, _ in ROWS] + ["", "а", "  два   пробіли "]
    ours = CharTfidf(ngram_range=(2, 4), min_df=1, translit=False).fit(texts)
    ref = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=1, sublinear_tf=True,
                          lowercase=False).fit(texts)
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    assert abs(ours.transform(texts) - ref.transform(texts)).max() < 1e-6
    assert abs(ours.transform(texts) - ref.transform(texts)).max() < 1e-6  # cached words


def test_word_tfidf_equals_sklearn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from corpus import ROWS
    from moderation.features import WORD_TOKEN_PATTERN, WordTfidf
    from moderation.normalize import normalize

    texts = [normalize(text) for _, text, _, _ in ROWS] + ["", "а", "п*дар _phone_ і т.д."]
    ours = WordTfidf(ngram_range=(1, 2), min_df=1).fit(texts)
    ref = TfidfVectorizer(token_pattern=WORD_TOKEN_PATTERN, ngram_range=(1, 2), min_df=1,
                          sublinear_tf=True, lowercase=False).fit(texts)
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    assert abs(ours.transform(texts) - ref.transform(texts)).max() < 1e-6


def test_fast_scoring_path_equals_the_pipeline(tiny_model):
    from corpus import ROWS

    model = load_model(tiny_model)
    texts = ["Голосуйте за Поліщука!", "ти дебіл", "pidor", "", "дзвони 0671234567",
             "пиши @olena_k, або @petro.", "ціна 500 грн, 067 123 45 67"]
    texts += [text for _, text, _, _ in ROWS]
    fast = model.predict_proba(texts).to_numpy()
    assert np.allclose(fast, model.pipeline.predict_proba(texts), atol=1e-6)
    assert np.allclose(model.predict_proba(texts[:1]).to_numpy(), fast[:1], atol=1e-6)


def test_words_handed_over_by_the_normaliser_give_the_features_of_the_text(tiny_model):
    """The normaliser hands its words to the features (no second split): the same matrix
    as from the normalised text itself, words that normalise to two included."""
    from corpus import ROWS

    pipeline = load_model(tiny_model).pipeline
    texts = ["пиши @olena_k, або @petro.", "ціна 500 грн, 067 123 45 67", "к.а.з.и.н.о",
             "", "   ", "ДЕБIЛ !!!"] + [text for _, text, _, _ in ROWS]
    normalised = pipeline.named_steps["normalize"].transform(texts)
    handed = pipeline.named_steps["features"].transform(normalised)
    copies = np.array([t.encode().decode() for t in normalised], dtype=object)  # new objects
    assert abs(handed - pipeline.named_steps["features"].transform(copies)).max() < 1e-6
