"""Comparing two models on rows neither trained on: paired intervals, and no figures without
rows."""
from __future__ import annotations

import numpy as np
import pytest

from moderation.classifier.model import Scores
from moderation.learning.card import learning_card
from moderation.learning.comparison import Comparison, compare, no_comparison
from moderation.taxonomy import LABELS

INSULT, ADS = LABELS.index("insult"), LABELS.index("advertising")


class FixedModel:
    """Flags exactly what it is told, whatever the text (rows by position)."""

    def __init__(self, flags: np.ndarray, version: str):
        self.flags, self.version = flags, version

    def score(self, texts):
        assert len(texts) == len(self.flags)
        return Scores(LABELS, np.where(self.flags, 0.9, 0.1), np.full(len(LABELS), 0.5))


def truth(n: int = 120) -> np.ndarray:
    Y = np.zeros((n, len(LABELS)), dtype=np.int8)
    Y[:40, INSULT] = 1
    Y[40:70, ADS] = 1
    return Y


def test_same_predictions_differ_by_nothing():
    Y = truth()
    model = FixedModel(Y == 1, "a")
    c = compare(model, FixedModel(Y == 1, "b"), ["t"] * len(Y), Y)
    assert c.available and c.rows == 120 and c.worse_labels == []
    assert c.macro.current_f1 == c.macro.candidate_f1 == 1.0
    assert c.macro.diff_ci == (0.0, 0.0)
    insult = c.labels[INSULT]
    assert insult.support == 40 and insult.diff == 0.0
    assert c.labels[LABELS.index("improper")].diff is None  # no positives: no F1
    assert (c.clean_rows, c.clean_flagged_current, c.clean_flagged_candidate) == (50, 0, 0)
    assert (c.current_version, c.candidate_version) == ("a", "b")


def test_a_candidate_that_misses_insults_is_worse_beyond_noise():
    Y = truth()
    worse = (Y == 1).copy()
    worse[:30, INSULT] = False  # finds 10 of 40 insults
    worse[80:90, ADS] = True  # and flags 10 clean comments as advertising
    c = compare(FixedModel(Y == 1, "cur"), FixedModel(worse, "new"), ["t"] * len(Y), Y)
    assert c.worse_labels == ["advertising", "insult"]  # in the order of LABELS
    insult = c.labels[INSULT]
    assert insult.candidate_f1 == pytest.approx(2 * 10 / (2 * 10 + 30))
    assert insult.diff_ci[1] < 0 and insult.worse and not insult.better
    assert c.macro.worse
    assert c.clean_flagged_candidate == 10
    # the other way round the candidate is better, not worse
    better = compare(FixedModel(worse, "cur"), FixedModel(Y == 1, "new"), ["t"] * len(Y), Y)
    assert better.worse_labels == [] and better.labels[INSULT].better


def test_a_small_difference_on_few_rows_is_noise():
    Y = truth(30)
    Y[:, :] = 0
    Y[:8, INSULT] = 1
    near = (Y == 1).copy()
    near[0, INSULT] = False  # one miss in eight
    c = compare(FixedModel(Y == 1, "cur"), FixedModel(near, "new"), ["t"] * len(Y), Y)
    insult = c.labels[INSULT]
    assert insult.diff < 0 and insult.diff_ci[0] < 0 <= insult.diff_ci[1]
    assert not insult.worse and c.worse_labels == []


def test_no_rows_no_figures():
    c = compare(FixedModel(np.zeros((0, 6), bool), "a"), FixedModel(np.zeros((0, 6), bool), "b"),
                [], np.zeros((0, len(LABELS))))
    assert not c.available and c.rows == 0 and c.macro is None and c.reason
    assert no_comparison("no_unseen_decisions").labels == ()


def test_rows_without_violations_compare_false_flags_only():
    Y = np.zeros((20, len(LABELS)), dtype=np.int8)
    flags = np.zeros_like(Y, dtype=bool)
    flags[:3, ADS] = True
    c = compare(FixedModel(flags, "a"), FixedModel(np.zeros_like(flags), "b"), ["t"] * 20, Y)
    assert c.rows == 20 and c.macro is None and not c.available
    assert (c.clean_flagged_current, c.clean_flagged_candidate) == (3, 0)


def test_round_trip_through_json_and_the_card():
    import json

    Y = truth()
    worse = (Y == 1).copy()
    worse[:30, INSULT] = False
    c = compare(FixedModel(Y == 1, "cur"), FixedModel(worse, "new"), ["t"] * len(Y), Y,
                first_decision=5, last_decision=130, candidate_weight=10.0)
    again = Comparison.from_dict(json.loads(json.dumps(c.as_dict())))
    assert again == c and again.worse_labels == ["insult"]
    card = learning_card({"decisions_until": 130, "decisions_used": 120,
                          "decision_weight": {"weight": 10.0, "reason": "cross-validated",
                                              "scores": [{"weight": 1.0,
                                                          "macro_f1_decisions": 0.5}]},
                          "comparison": c.as_dict()})
    assert "## Learning loop" in card and "| insult | 40 | 1.000 | 0.400 | -0.600 |" in card
    assert "worse" in card and "decisions 5-130" in card
    none = learning_card({"decisions_until": 0, "comparison": no_comparison("x").as_dict()})
    assert "No comparison: x." in none
    assert learning_card({}) == ""
