import hashlib
import json
import os
import shutil
import threading
import zipfile

import numpy as np
import pytest
import skops.io
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from moderation import load_model
from moderation.classifier import bundle as bundle_module
from moderation.classifier.bundle import CARD_FILE, MANIFEST_FILE, PIPELINE_FILE, verify_bundle
from moderation.errors import ModelError, ModelIntegrityError, ModelVersionError


@pytest.fixture
def bundle(tiny_model, tmp_path):
    copy = tmp_path / "bundle"
    shutil.copytree(tiny_model, copy)
    return copy


@pytest.fixture
def nothing_built(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("a pipeline was built from an unverified bundle")
    monkeypatch.setattr(skops.io, "loads", refuse)


def _manifest(bundle):
    return json.loads((bundle / MANIFEST_FILE).read_text(encoding="utf-8"))


def test_round_trip(bundle):
    model = load_model(bundle)
    manifest = _manifest(bundle)
    assert model.version == manifest["model_version"]
    assert set(manifest["files"]) == {PIPELINE_FILE, CARD_FILE}
    for key in ("libraries", "labels", "thresholds", "training_data", "metrics", "created_at"):
        assert key in manifest
    assert manifest["training_data"]["rows"] == 52
    assert manifest["thresholds"] == model.thresholds
    assert "Model card" in model.card
    assert zipfile.is_zipfile(bundle / PIPELINE_FILE)  # skops, not a pickle


def test_the_bytes_checked_are_the_bytes_loaded(bundle, monkeypatch):
    seen = []
    real = skops.io.loads

    def recording(data, **kwargs):
        seen.append(hashlib.sha256(data).hexdigest())
        return real(data, **kwargs)

    monkeypatch.setattr(skops.io, "loads", recording)
    load_model(bundle)
    assert seen == [_manifest(bundle)["files"][PIPELINE_FILE]["sha256"]]


def test_flipped_byte_is_refused_before_anything_is_built(bundle, nothing_built):
    p = bundle / PIPELINE_FILE
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="altered or swapped"):
        load_model(bundle)


def test_truncated_and_grown_files_are_refused(bundle, nothing_built):
    p = bundle / PIPELINE_FILE
    good = p.read_bytes()
    p.write_bytes(good[:100])
    with pytest.raises(ModelIntegrityError, match="truncated"):
        load_model(bundle)
    p.write_bytes(good + b"\0")
    with pytest.raises(ModelIntegrityError, match="larger than its manifest"):
        load_model(bundle)


def test_edited_card_is_refused(bundle, nothing_built):
    (bundle / CARD_FILE).write_text("changed", encoding="utf-8")
    with pytest.raises(ModelIntegrityError):
        load_model(bundle)


def test_the_card_shown_is_the_verified_card(bundle):
    model = load_model(bundle)
    verified = (bundle / CARD_FILE).read_text(encoding="utf-8")
    (bundle / CARD_FILE).write_text("[evil](https://evil.example) <b>x</b>", encoding="utf-8")
    assert model.card == verified


def _evil_pickle(marker, size):
    """A pickle that would create ``marker`` when unpickled, padded to ``size`` bytes."""
    payload = (b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")
    return payload.ljust(size, b"\0")


def test_a_file_swapped_during_loads_never_runs_code(bundle, tmp_path):
    """A thread keeps swapping the pipeline file with a same-size malicious pickle and back
    while the main thread loads the bundle again and again: every load either refuses the
    bundle or builds the verified model; the malicious bytes never run."""
    marker = tmp_path / "pwned"
    good = (bundle / PIPELINE_FILE).read_bytes()
    evil = _evil_pickle(marker, len(good))
    stop = threading.Event()

    def swap():
        for n in range(10**6):
            if stop.is_set():
                return
            tmp = bundle / f".swap{n % 2}"
            tmp.write_bytes(evil if n % 2 else good)
            os.replace(tmp, bundle / PIPELINE_FILE)

    swapper = threading.Thread(target=swap)
    swapper.start()
    loaded = refused = 0
    expected = None
    try:
        for _ in range(60):
            try:
                model = load_model(bundle)
            except ModelIntegrityError:
                refused += 1
                continue
            loaded += 1
            proba = model.score(["Голосуйте за Поліщука!", "ти дебіл"]).proba
            expected = proba if expected is None else expected
            assert np.array_equal(proba, expected)
    finally:
        stop.set()
        swapper.join()
    assert not marker.exists()
    assert loaded + refused == 60


def test_untrusted_types_are_refused_even_with_matching_hashes(bundle):
    """A manifest an attacker rewrote (no signing key set) cannot smuggle code in: the
    pipeline file may only build the project's own and scikit-learn's types."""
    evil = skops.io.dumps(make_pipeline(FunctionTransformer(os.system)))
    (bundle / PIPELINE_FILE).write_bytes(evil)
    manifest = _manifest(bundle)
    manifest["files"][PIPELINE_FILE] = {"sha256": hashlib.sha256(evil).hexdigest(),
                                        "bytes": len(evil)}
    (bundle / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="never writes"):
        load_model(bundle)


@pytest.mark.parametrize("edit, error, match", [
    (lambda m: m["libraries"].update({"scikit-learn": "0.24.2"}), ModelVersionError,
     "scikit-learn 0.24.2"),
    (lambda m: m.update({"labels": ["insult"]}), ModelVersionError, "labels"),
    (lambda m: m.update({"format_version": 1}), ModelVersionError, "format"),
    (lambda m: m["files"].pop(PIPELINE_FILE), ModelIntegrityError, "does not list"),
    (lambda m: m["files"].update({"../x": {"sha256": "0", "bytes": 0}}), ModelIntegrityError,
     "outside"),
])
def test_manifest_problems(bundle, nothing_built, edit, error, match):
    m = _manifest(bundle)
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


def test_trusted_list_is_exactly_what_a_pipeline_needs(bundle):
    untrusted = skops.io.get_untrusted_types(data=(bundle / PIPELINE_FILE).read_bytes())
    assert sorted(untrusted) == sorted(bundle_module.TRUSTED)
