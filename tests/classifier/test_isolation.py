"""Each loaded model owns its state: two models in one process, threads, loads meanwhile."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from corpus import ROWS, tiny_frame

from moderation import load_model, train_model

TEXTS = [text for _, text, _, _ in ROWS] + ["нове слово тут", "xyйня 067 123 45 67", "pidor"]


@pytest.fixture(scope="module")
def other_model(tmp_path_factory):
    """A second model, different from ``tiny_model``: other vocabulary (one label's rows
    changed) and other analysis parameters."""
    frame = tiny_frame()
    frame["text"] = frame["text"] + " " + frame.index.astype(str)
    out = tmp_path_factory.mktemp("other") / "bundle"
    train_model(frame, out, folds=3, params={"char_ngrams": (1, 3), "C": 1.0})
    return out


def test_two_models_give_the_same_scores_together_as_alone(tiny_model, other_model):
    alone_a = load_model(tiny_model).score(TEXTS).proba
    alone_b = load_model(other_model).score(TEXTS).proba
    assert np.abs(alone_a - alone_b).max() > 1e-3  # really different models
    for order in ((tiny_model, other_model), (other_model, tiny_model)):
        first, second = (load_model(path) for path in order)
        got = {}
        for model in (first, second, first, second):
            got.setdefault(model.path, []).append(model.score(TEXTS).proba)
        for path, results in got.items():
            expected = alone_a if path == load_model(tiny_model).path else alone_b
            for proba in results:
                assert np.array_equal(proba, expected)


def test_threads_score_while_another_model_loads(tiny_model, other_model):
    model = load_model(tiny_model)
    expected = model.score(TEXTS).proba
    with ThreadPoolExecutor(max_workers=4) as pool:
        scoring = [pool.submit(lambda: model.score(TEXTS).proba) for _ in range(12)]
        loading = [pool.submit(load_model, other_model) for _ in range(3)]
        for future in scoring:
            assert np.array_equal(future.result(), expected)
        for future in loading:
            assert np.array_equal(future.result().score(TEXTS).proba,
                                  load_model(other_model).score(TEXTS).proba)
