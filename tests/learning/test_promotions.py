"""Promotion and rollback: kept bundles, the record, re-scoring (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import shutil

import pytest
import sqlalchemy as sa
from loop import ADMIN, ingest, site_rows, small_seed

from moderation import load_model, train_model
from moderation.auth import AuthError, Moderator
from moderation.errors import ModelError, ModelIntegrityError
from moderation.learning import promotions as promotions_module
from moderation.learning.promotions import (
    current_promotion,
    current_version,
    promote,
    promotions,
    record_promotion,
    rollback,
)
from moderation.learning.versions import kept_models, models_dir
from moderation.settings import get_settings
from moderation.store.schema import predictions, queue_items


def test_promotions_are_recorded_in_order(store):
    assert current_promotion(store) is None
    record_promotion(store, "v1", "olena", path="/models/v1", metrics={"f1": 0.7})
    second = record_promotion(store, "v2", "olena", note="<b>retrained</b>")
    assert current_promotion(store) == second
    assert [p.version for p in promotions(store)] == ["v2", "v1"]
    assert promotions(store)[1].metrics == {"f1": 0.7}
    assert second.note == "<b>retrained</b>" and second.action == "promote"


@pytest.fixture
def bundles(tmp_path, tiny_model):
    """The current model (the session's tiny model, in the model directory) and a candidate."""
    model_dir = get_settings().model_dir
    shutil.copytree(tiny_model, model_dir)
    candidate = train_model(small_seed(), tmp_path / "candidate", folds=3)
    return load_model(model_dir), candidate


def test_promote_keeps_both_records_and_rescores(store, tmp_path, bundles):
    first, candidate = bundles
    ingest(store, tmp_path, site_rows())
    with store.read() as conn:
        open_items = conn.execute(sa.select(sa.func.count()).select_from(queue_items)
                                  .where(queue_items.c.status == "open")).scalar()
    result = promote(ADMIN, store, candidate.path, note="May retrain")
    assert current_version() == candidate.version == result.promotion.version
    assert result.previous_version == first.version
    assert result.promotion.promoted_by == "olena" and result.promotion.note == "May retrain"
    assert result.promotion.path == str(models_dir() / candidate.version)
    assert {k.version for k in kept_models(models_dir())} == {first.version, candidate.version}
    assert result.rescore.rescored == open_items
    with store.read() as conn:
        versions = set(conn.scalars(
            sa.select(predictions.c.model_version)
            .join(queue_items, queue_items.c.prediction_id == predictions.c.id)
            .where(queue_items.c.status == "open")))
    assert versions == {candidate.version}


def test_rollback_restores_the_previous_model_or_a_chosen_one(store, tmp_path, bundles):
    first, candidate = bundles
    promote(ADMIN, store, candidate.path)
    back = rollback(ADMIN, store, note="false flags")
    assert current_version() == first.version == back.promotion.version
    assert back.previous_version == candidate.version
    assert back.promotion.action == "rollback" and back.promotion.note == "false flags"
    assert load_model().version == first.version
    again = rollback(ADMIN, store, candidate.version)
    assert current_version() == candidate.version == again.promotion.version
    assert [p.action for p in promotions(store)] == ["rollback", "rollback", "promote"]
    with pytest.raises(ModelError, match="current model already"):
        rollback(ADMIN, store, candidate.version)
    with pytest.raises(ModelError, match="no kept model 'nope'"):
        rollback(ADMIN, store, "nope")
    with pytest.raises(ModelError, match="not a model version"):
        rollback(ADMIN, store, "../model")


def test_rollback_without_history_says_so(store, bundles):
    with pytest.raises(ModelError, match="no earlier model"):
        rollback(ADMIN, store)


def test_a_tampered_kept_bundle_is_refused(store, bundles):
    first, candidate = bundles
    promote(ADMIN, store, candidate.path)
    kept = models_dir() / first.version
    card = kept / "MODEL_CARD.md"
    card.write_text(card.read_text(encoding="utf-8") + "tampered", encoding="utf-8")
    assert next(k for k in kept_models(models_dir()) if k.version == first.version).problem
    with pytest.raises(ModelIntegrityError):
        rollback(ADMIN, store, first.version)
    assert current_version() == candidate.version


def test_a_refused_candidate_changes_nothing(store, tmp_path, bundles):
    first, candidate = bundles
    manifest = json.loads((candidate.path / "manifest.json").read_text())
    manifest["thresholds"]["insult"] = 0.01  # not what the pipeline holds: hash still ok,
    (candidate.path / "pipeline.skops").write_bytes(b"not a pipeline")  # but this is not
    with pytest.raises(ModelIntegrityError):
        promote(ADMIN, store, candidate.path)
    assert current_version() == first.version and promotions(store) == []
    assert not models_dir().exists() or not any(models_dir().iterdir())


def test_when_the_record_fails_the_previous_model_is_put_back(store, bundles, monkeypatch):
    first, candidate = bundles

    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(promotions_module, "record_promotion", broken)
    with pytest.raises(sa.exc.OperationalError):
        promote(ADMIN, store, candidate.path)
    assert current_version() == first.version
    assert load_model().version == first.version


def test_only_an_admin_promotes_or_rolls_back(store, bundles):
    first, candidate = bundles
    petro = Moderator("petro", "moderator")
    with pytest.raises(AuthError):
        promote(petro, store, candidate.path)
    with pytest.raises(AuthError):
        rollback(petro, store, first.version)
    assert current_version() == first.version and promotions(store) == []
