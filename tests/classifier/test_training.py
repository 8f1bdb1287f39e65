import numpy as np
import pytest
from corpus import tiny_frame, write_corpus

from moderation.classifier.dataset import read_labelled
from moderation.classifier.metrics import binary_metrics, choose_threshold
from moderation.classifier.training import cross_val_proba, train_model
from moderation.errors import DataError
from moderation.taxonomy import LABELS


def test_cross_validated_metrics_and_thresholds_are_stored():
    model = train_model(tiny_frame(), folds=3)
    cv = model.manifest["metrics"]["cv"]
    assert set(cv["labels"]) == set(LABELS)
    for label in LABELS:
        m = cv["labels"][label]
        assert 0 <= m["precision"] <= 1 and 0 <= m["recall"] <= 1
        assert m["threshold"] == model.thresholds[label]
        assert m["n"] == 52
    assert 0 <= cv["macro_f1"] <= 1


def test_out_of_fold_predictions_differ_from_training_fit(tmp_path):
    data = read_labelled(write_corpus(tmp_path / "c.csv"))
    P = cross_val_proba(data, folds=3)
    fitted = train_model(data, folds=3).pipeline.predict_proba(np.asarray(data.texts))
    # a model scoring its own training rows is far more confident than out-of-fold
    assert np.abs(fitted - (data.Y == 1)).mean() < np.abs(P - (data.Y == 1)).mean()


def test_target_precision_raises_the_threshold():
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.35, 0.4, 0.6, 0.7, 0.9])
    best = choose_threshold(y, p)
    strict = choose_threshold(y, p, target_precision=1.0)
    assert strict >= best
    assert binary_metrics(y, p, strict)["precision"] == 1.0


def test_too_little_data():
    frame = tiny_frame().head(8)
    with pytest.raises(DataError, match="usable rows|positive"):
        train_model(frame, folds=3)


def test_label_without_positives(tmp_path):
    frame = tiny_frame()
    frame["labels"] = frame["labels"].str.replace("advertising", "", regex=False)
    frame["labels"] = frame["labels"].str.strip(";").str.replace(";;", ";")
    with pytest.raises(DataError, match="'advertising' has 0 positive"):
        train_model(frame, folds=3)
