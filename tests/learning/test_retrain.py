"""Retraining: an honest comparison on decisions neither model saw, then a model fitted on all
rows that records what it was trained on (SQLite and PostgreSQL)."""
from __future__ import annotations

import numpy as np
import pytest
from loop import ADMIN, decide_gold, ingest, site_rows

from moderation import load_model
from moderation.auth import AuthError, Moderator
from moderation.learning.data import training_set
from moderation.learning.retrain import NO_CURRENT_MODEL, NO_UNSEEN, UNKNOWN_TRAINING, retrain


def test_retrain_needs_an_admin(tmp_path):
    with pytest.raises(AuthError):
        retrain(Moderator("petro", "moderator"), None, None, tmp_path)


def test_the_loop_compares_only_on_decisions_neither_model_saw(store, tmp_path, tiny_seed):
    rows = site_rows()
    gold = {r["id"]: r["labels"] for r in rows}
    ingest(store, tmp_path, rows)
    first = decide_gold(store, gold, limit=30)

    # no current model: no comparison, and a model trained on everything
    c1 = retrain(ADMIN, store, None, tmp_path / "c1", folds=3, evaluate=False)
    assert c1.comparison.reason == NO_CURRENT_MODEL and not c1.comparison.available
    m1 = load_model(c1.path)
    assert m1.manifest["decisions_until"] == c1.decisions_until > 0
    assert m1.manifest["decisions_used"] == 30 == c1.decisions
    assert m1.manifest["training_data"]["rows"] == len(tiny_seed) + 30  # ALL rows
    assert m1.manifest["decision_weight"]["weight"] == c1.weight.weight
    assert m1.manifest["comparison"]["reason"] == NO_CURRENT_MODEL
    assert "## Learning loop" in m1.card

    # nothing decided since m1 was trained: nothing neither model saw
    c2 = retrain(ADMIN, store, m1, tmp_path / "c2", folds=3, evaluate=False)
    assert c2.comparison.reason == NO_UNSEEN and c2.comparison.rows == 0

    # new decisions: exactly those are the comparison rows
    later = decide_gold(store, gold)
    assert len(later) == len(rows) - 30
    progress = []
    c3 = retrain(ADMIN, store, m1, tmp_path / "c3", folds=3, evaluate=False,
                 progress=progress.append)
    comparison = c3.comparison
    assert comparison.available and comparison.rows == len(later)
    assert comparison.first_decision > m1.manifest["decisions_until"]
    assert comparison.last_decision == c3.decisions_until
    assert comparison.current_version == m1.version
    assert comparison.candidate_version != c3.version  # the evaluation candidate
    positives = sum(c.support for c in comparison.labels)
    data = training_set(store)
    held = data.unseen_by(m1.manifest["decisions_until"])
    assert positives == int((data.data.Y[held] == 1).sum())
    assert any("відкладено" in line for line in progress)
    m3 = load_model(c3.path)
    assert m3.manifest["training_data"]["rows"] == len(tiny_seed) + len(rows)
    assert m3.manifest["comparison"]["rows"] == len(later)
    assert set(first).isdisjoint(later)


def test_a_model_of_unknown_training_is_not_compared(store, tmp_path, tiny_seed):
    from moderation import train_model

    ingest(store, tmp_path, site_rows())
    decide_gold(store, {r["id"]: r["labels"] for r in site_rows()}, limit=10)
    other = train_model(tiny_seed, folds=3)  # trained on a frame, not the seed corpus
    c = retrain(ADMIN, store, other, tmp_path / "c", folds=3, evaluate=False)
    assert c.comparison.reason == UNKNOWN_TRAINING and c.comparison.macro is None


def test_a_seed_only_model_saw_no_decision(store, tmp_path, tiny_seed):
    current = retrain(ADMIN, store, None, tmp_path / "seed-only", folds=3, evaluate=False)
    assert load_model(current.path).manifest["decisions_until"] == 0
    rows = site_rows()
    ingest(store, tmp_path, rows)
    decide_gold(store, {r["id"]: r["labels"] for r in rows}, limit=25)
    c = retrain(ADMIN, store, load_model(current.path), tmp_path / "c", folds=3, evaluate=False)
    assert c.comparison.rows == 25
    assert np.isfinite(c.comparison.macro.diff)
