"""The promotion record: the latest promotion is the current model."""
from __future__ import annotations

from moderation.learning.promotions import current_promotion, promotions, record_promotion


def test_promotions_are_recorded_in_order(store):
    assert current_promotion(store) is None
    record_promotion(store, "v1", "olena", path="/models/v1", metrics={"f1": 0.7})
    second = record_promotion(store, "v2", "olena", note="<b>retrained</b>")
    assert current_promotion(store) == second
    assert [p.version for p in promotions(store)] == ["v2", "v1"]
    assert promotions(store)[1].metrics == {"f1": 0.7}
    assert second.note == "<b>retrained</b>"
