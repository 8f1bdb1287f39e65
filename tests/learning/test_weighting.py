"""The weight of a decided row: chosen by cross-validation on the decisions."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from loop import small_seed

from moderation.classifier.metrics import choose_threshold
from moderation.classifier.training import as_labelled, train_model
from moderation.errors import DataError
from moderation.learning.weighting import MIN_DECISIONS, WeightChoice, choose_weight

NEUTRAL = ["дорогу ремонтують", "автобус запізнюється", "світло вимкнули", "школу відкрили",
           "ярмарок у неділю", "міст закрили", "воду дали", "ціни на ринку"]


def rows(prefix: str, n: int, template: str, labels: str, articles: int) -> pd.DataFrame:
    return pd.DataFrame([{"id": f"{prefix}{i}", "article_title": f"{prefix} стаття {i % articles}",
                          "text": template.format(NEUTRAL[i % len(NEUTRAL)], i),
                          "labels": labels, "lang": "uk"} for i in range(n)])


def site_disagrees_with_seed():
    """A seed corpus that calls every comment naming the village Гнидава an insult, and a
    site whose moderators say such comments are clean (and confirm real insults)."""
    seed = pd.concat([small_seed(),
                      rows("seed-g", 60, "Гнидава: {} ({})", "insult", 12)], ignore_index=True)
    decided = pd.concat([rows("site-g", 24, "Гнидава: {} ({})", "", 8),
                         rows("site-i", 16, "Ти дурень і ідіот, {} {}", "insult", 8)],
                        ignore_index=True)
    data = as_labelled(pd.concat([seed, decided], ignore_index=True))
    mask = np.r_[np.zeros(len(seed), bool), np.ones(len(decided), bool)]
    return data, mask


def test_decisions_that_disagree_with_the_seed_get_a_higher_weight():
    data, decided = site_disagrees_with_seed()
    choice = choose_weight(data, decided)
    assert choice.reason == "cross-validated" and choice.decisions == 40
    assert set(choice.scores) == {1.0, 3.0, 10.0, 30.0}
    assert choice.weight >= 10
    assert choice.scores[choice.weight] > choice.scores[1.0]
    assert list(choice.weights(decided)) == [1.0] * (~decided).sum() + [choice.weight] * 40
    # the weighted model keeps the village's comments clean; the unweighted one does not
    texts = ["Гнидава: міст закрили (2)", "Гнидава: ціни на ринку (7)"]
    flagged = {}
    for w in (1.0, choice.weight):
        model = train_model(data, folds=3, sample_weight=np.where(decided, w, 1.0))
        flagged[w] = sum("insult" in labels for labels in model.predict(texts))
    assert flagged[choice.weight] < flagged[1.0]


def test_too_few_decisions_or_no_violation_among_them_mean_weight_one():
    data, decided = site_disagrees_with_seed()
    few = decided.copy()
    few[np.flatnonzero(decided)[MIN_DECISIONS - 1:]] = False
    choice = choose_weight(data, few)
    assert (choice.weight, choice.scores, choice.decisions) == (1.0, {}, MIN_DECISIONS - 1)
    assert "need" in choice.reason
    clean_only = decided & (data.Y == 1).sum(axis=1).__eq__(0)
    assert clean_only.sum() >= MIN_DECISIONS
    assert choose_weight(data, clean_only).weight == 1.0


def test_weight_choice_round_trip():
    choice = WeightChoice(10.0, 40, {1.0: 0.5, 3.0: None, 10.0: 0.8}, 3)
    assert WeightChoice.from_dict(choice.as_dict()) == choice


def test_train_model_checks_its_weights():
    data = as_labelled(small_seed())
    with pytest.raises(DataError, match="one positive number per row"):
        train_model(data, folds=3, sample_weight=np.ones(3))
    with pytest.raises(DataError, match="one positive number per row"):
        train_model(data, folds=3, sample_weight=np.zeros(len(data)))


def test_thresholds_follow_the_weighted_rows():
    # two populations: unweighted, the best-F1 cut sits low (many low-scored positives);
    # when the high-scored population counts 10x, the cut moves up
    y = np.array([1, 1, 1, 0, 0, 0, 1, 0, 0, 0])
    p = np.array([.3, .35, .4, .2, .25, .5, .9, .6, .65, .7])
    plain = choose_threshold(y, p)
    weighted = choose_threshold(y, p, sample_weight=np.r_[np.ones(6), np.full(4, 10.0)])
    assert plain < 0.5 < weighted
