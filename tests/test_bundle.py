import json
import shutil

import joblib
import pytest

from moderation import load_model
from moderation.bundle import MANIFEST_FILE, PIPELINE_FILE, verify_bundle
from moderation.errors import ModelError, ModelIntegrityError, ModelVersionError


@pytest.fixture
def bundle(tiny_model, tmp_path):
    copy = tmp_path / "bundle"
    shutil.copytree(tiny_model, copy)
    return copy


@pytest.fixture
def no_unpickling(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("joblib.load called on an unverified bundle")
    monkeypatch.setattr(joblib, "load", refuse)


def test_round_trip(bundle):
    model = load_model(bundle)
    manifest = json.loads((bundle / MANIFEST_FILE).read_text())
    assert model.version == manifest["model_version"]
    assert set(manifest["files"]) == {PIPELINE_FILE, "MODEL_CARD.md"}
    for key in ("libraries", "labels", "thresholds", "training_data", "metrics", "created_at"):
        assert key in manifest
    assert manifest["training_data"]["rows"] == 52
    assert "Model card" in model.card


def test_flipped_byte_is_refused_before_unpickling(bundle, no_unpickling):
    p = bundle / PIPELINE_FILE
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="altered or swapped"):
        load_model(bundle)


def test_truncated_file_is_refused(bundle, no_unpickling):
    p = bundle / PIPELINE_FILE
    p.write_bytes(p.read_bytes()[:100])
    with pytest.raises(ModelIntegrityError, match="truncated"):
        load_model(bundle)


def test_swapped_file_is_refused(bundle, tmp_path, no_unpickling):
    other = tmp_path / "evil.joblib"
    with open(other, "wb") as fh:
        fh.write(b"\x80\x04not the model" * 1000)
    size = (bundle / PIPELINE_FILE).stat().st_size
    other.write_bytes(other.read_bytes()[:size].ljust(size, b"\0"))
    shutil.copy(other, bundle / PIPELINE_FILE)
    with pytest.raises(ModelIntegrityError):
        load_model(bundle)


def test_edited_card_is_refused(bundle, no_unpickling):
    (bundle / "MODEL_CARD.md").write_text("changed", encoding="utf-8")
    with pytest.raises(ModelIntegrityError):
        load_model(bundle)


@pytest.mark.parametrize("edit, error, match", [
    (lambda m: m["libraries"].update({"scikit-learn": "0.24.2"}), ModelVersionError,
     "scikit-learn 0.24.2"),
    (lambda m: m.update({"labels": ["insult"]}), ModelVersionError, "labels"),
    (lambda m: m["files"].pop(PIPELINE_FILE), ModelIntegrityError, "does not list"),
    (lambda m: m["files"].update({"../x": {"sha256": "0", "bytes": 0}}), ModelIntegrityError,
     "outside"),
])
def test_manifest_problems(bundle, no_unpickling, edit, error, match):
    m = json.loads((bundle / MANIFEST_FILE).read_text())
    edit(m)
    (bundle / MANIFEST_FILE).write_text(json.dumps(m))
    with pytest.raises(error, match=match):
        load_model(bundle)


def test_missing_and_broken(tmp_path, bundle):
    with pytest.raises(ModelError, match="no model at"):
        load_model(tmp_path / "nothing")
    (bundle / MANIFEST_FILE).write_text("{not json")
    with pytest.raises(ModelIntegrityError, match="not valid JSON"):
        load_model(bundle)
    (bundle / MANIFEST_FILE).unlink()
    with pytest.raises(ModelIntegrityError, match="missing"):
        load_model(bundle)


def test_signature_with_key(tiny_model, tmp_path, monkeypatch):
    from corpus import tiny_frame
    from moderation import train_model

    monkeypatch.setenv("MODERATION_MODEL_KEY", "secret-1")
    signed = tmp_path / "signed"
    train_model(tiny_frame(), signed, folds=3)
    assert load_model(signed).version
    monkeypatch.setenv("MODERATION_MODEL_KEY", "another")
    with pytest.raises(ModelIntegrityError, match="signature"):
        verify_bundle(signed)
    with pytest.raises(ModelIntegrityError, match="signature"):
        verify_bundle(tiny_model)  # unsigned bundle while a key is required


def test_save_replaces_atomically(tiny_model, tmp_path):
    from corpus import tiny_frame
    from moderation import train_model

    out = tmp_path / "m"
    first = train_model(tiny_frame(), out, folds=3).version
    second = train_model(tiny_frame(), out, folds=3)
    assert load_model(out).version == second.version
    assert first.split("-")[-1] == second.version.split("-")[-1]  # same data fingerprint
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no temporary leftovers
