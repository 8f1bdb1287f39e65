"""Quality on the public evaluation files in ../shared/data/eval (skipped when absent).

The default model trains on the bundled seed corpus only; these files are never trained on.
"""
import pytest

from moderation.classifier.evaluation import evaluate_shared, shared_data_dir

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def results(request):
    data_dir = shared_data_dir()
    if data_dir is None or not (data_dir / "eval").is_dir():
        pytest.skip("../shared/data is absent")
    model = request.getfixturevalue("seed_model")  # trained once per session (conftest)
    return model, evaluate_shared(model, data_dir)


def test_every_eval_file_is_scored(results):
    _, res = results
    assert {"uk_toxic_pairs.csv", "ru_toxic_pairs.csv", "ru_spam.csv"} <= set(res)
    for name, m in res.items():
        assert 0 <= m["f1"] <= 1, name


def test_ukrainian_rudeness_not_topic(results):
    """Toxic tweets vs the same tweets rewritten politely: F1 >= 0.85 (the issue's aim)."""
    _, res = results
    assert res["uk_toxic_pairs.csv"]["f1"] >= 0.85
    assert res["uk_toxic_pairs.csv"]["roc_auc"] >= 0.90


def test_default_model_cross_validated_quality(results):
    model, _ = results
    cv = model.manifest["metrics"]["cv"]
    assert cv["macro_f1"] >= 0.78
    # disguised violations are caught about as well as plain ones
    assert cv["recall_disguised"] >= cv["recall_plain"] - 0.10
