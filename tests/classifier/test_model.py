"""The model: one clonable Pipeline, thresholds fitted with it, one batch scoring call."""
import pickle

import numpy as np
import pytest
from corpus import ROWS, tiny_frame
from sklearn.base import clone

from moderation import load_model
from moderation.classifier import model as model_module
from moderation.classifier.dataset import UNKNOWN
from moderation.classifier.model import ModerationModel, MultiLabelLinear, build_pipeline
from moderation.classifier.training import as_labelled
from moderation.errors import DataError
from moderation.taxonomy import LABELS

TEXTS = ["Голосуйте за Поліщука!", "ти дебіл", "pidor", "", "дзвони 0671234567",
         "пиши @olena_k, або @petro.", "ціна 500 грн, 067 123 45 67", "к.а.з.и.н.о"]
TEXTS += [text for _, text, _, _ in ROWS]


def test_pipeline_is_one_clonable_pipeline():
    pipe = build_pipeline()
    assert [name for name, _ in pipe.steps] == ["analyze", "features", "clf"]
    copy = clone(pipe)
    assert copy.get_params()["clf__C"] == pipe.get_params()["clf__C"]
    copy.set_params(features__char__ngram_range=(2, 3), clf__C=1.0)
    assert copy.get_params()["features__char__ngram_range"] == (2, 3)
    assert pipe.get_params()["features__char__ngram_range"] == (2, 4)


def test_thresholds_are_fitted_with_the_classifier_and_predict_uses_them():
    data = as_labelled(tiny_frame())
    pipe = build_pipeline().fit(data.texts, data.Y, clf__thresholds=[0.2] * 6)
    clf = pipe.named_steps["clf"]
    assert list(clf.thresholds_) == [0.2] * 6
    proba = pipe.predict_proba(TEXTS)
    assert np.array_equal(pipe.predict(TEXTS), (proba >= 0.2).astype(int))
    assert list(clone(clf).fit(pipe[:-1].transform(data.texts), data.Y).thresholds_) == [0.5] * 6
    with pytest.raises(ValueError, match="thresholds"):
        clone(pipe).fit(data.texts, data.Y, clf__thresholds=[0.5] * 2)


def test_multilabel_linear_skips_unknown_rows():
    X = np.array([[1, 0], [0, 1], [1, 0], [0, 1], [1, 1], [0, 0]], dtype=float)
    Y = np.array([[1, UNKNOWN], [0, 1], [1, UNKNOWN], [0, 0], [1, 1], [0, 0]])
    clf = MultiLabelLinear(C=10).fit(X, Y)
    assert clf.coef_.shape == (2, 2)
    p = clf.predict_proba(X)
    assert p.shape == (6, 2) and ((p >= 0) & (p <= 1)).all()
    assert p[0, 0] > p[1, 0]


def test_multilabel_linear_takes_sample_weights():
    X = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 3, dtype=float)
    Y = np.array([[1], [0], [0], [0]] * 3)
    light = MultiLabelLinear(C=10).fit(X, Y).predict_proba(X)[2, 0]
    heavy = MultiLabelLinear(C=10).fit(X, Y, sample_weight=[1, 1, 20, 1] * 3).predict_proba(X)
    assert heavy[2, 0] < light  # the heavily weighted negative row pulls its score down


def test_multilabel_linear_needs_both_classes():
    with pytest.raises(DataError, match="only one class"):
        MultiLabelLinear().fit(np.eye(3), np.array([[1], [1], [1]]))


def test_score_is_the_pipeline(tiny_model):
    model = load_model(tiny_model)
    scores = model.score(TEXTS)
    assert np.abs(scores.proba - model.pipeline.predict_proba(TEXTS)).max() < 1e-9
    assert scores.frame().columns.tolist() == list(LABELS)
    thresholds = np.array([model.thresholds[label] for label in LABELS])
    assert scores.flags == [tuple(label for label, p, t in zip(LABELS, row, thresholds)
                                  if p >= t) for row in scores.proba]
    assert np.allclose(scores.priority, scores.proba.max(axis=1))
    assert np.allclose(scores.uncertainty, np.abs(scores.proba - thresholds).min(axis=1))
    rows = scores.rows()
    assert rows[0].flagged == scores.flags[0] and rows[0].scores["political_pr"] == \
        pytest.approx(scores.proba[0, 0])
    assert model.predict(TEXTS) == [list(f) for f in scores.flags]


def test_score_in_slices_equals_one_pass(tiny_model, monkeypatch):
    model = load_model(tiny_model)
    whole = model.score(TEXTS).proba
    monkeypatch.setattr(model_module, "CHUNK_CHARS", 50)
    monkeypatch.setattr(model_module, "CHUNK_TEXTS", 3)
    assert np.abs(model.score(TEXTS).proba - whole).max() < 1e-12


def test_scoring_writes_nothing_into_the_model(tiny_model):
    model = load_model(tiny_model)
    before = pickle.dumps(model.pipeline)
    model.score(TEXTS * 3)
    model.explain(TEXTS[0])
    assert pickle.dumps(model.pipeline) == before


def test_model_api(tiny_model):
    model = load_model(tiny_model)
    proba = model.predict_proba(["Голосуйте за Поліщука!", "дякую за статтю", "ти дебіл"])
    assert list(proba.columns) == list(LABELS)
    assert proba.shape == (3, 6)
    flags = model.predict(["Голосуйте за Поліщука!", "дякую за статтю", "ти дебіл"])
    assert "political_pr" in flags[0] and "insult" in flags[2]
    assert proba.loc[0, "political_pr"] > proba.loc[1, "political_pr"]
    assert proba.loc[2, "insult"] > proba.loc[1, "insult"]


def test_model_api_rejects_bad_input(tiny_model):
    model = load_model(tiny_model)
    with pytest.raises(TypeError, match="list of texts"):
        model.predict_proba("one text")
    with pytest.raises(DataError, match="empty"):
        model.predict_proba(["ok", None])


def test_huge_comment_is_scored_on_its_first_max_chars(tiny_model):
    model = load_model(tiny_model)
    huge = "дебіл " * 200_000  # ~1.2 MB
    proba = model.predict_proba([huge])
    assert np.allclose(proba, model.predict_proba([huge[:model.max_chars]]))


def test_an_unsaved_model_scores_too():
    data = as_labelled(tiny_frame())
    model = ModerationModel(build_pipeline().fit(data.texts, data.Y))
    assert model.version == "unsaved" and len(model.score(TEXTS)) == len(TEXTS)
