"""The model bundle on disk: ``pipeline.joblib``, ``manifest.json``, ``MODEL_CARD.md``.

Saving is atomic (a temporary directory beside the target, then a rename). Loading reads
the manifest (plain JSON), checks the size and sha256 of every listed file and the
library versions BEFORE anything is unpickled; a tampered, truncated, swapped or missing
file is refused with :class:`ModelIntegrityError`.

When ``MODERATION_MODEL_KEY`` is set, the manifest also carries an HMAC-SHA256 signature
made with that key, and loading with the key set refuses a bundle whose signature is
missing or wrong (so replacing the whole bundle, manifest included, is caught too).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import platform
import shutil
import tempfile
from pathlib import Path

import joblib

from moderation import words
from moderation.errors import ModelError, ModelIntegrityError, ModelVersionError
from moderation.model import ModerationModel
from moderation.taxonomy import LABELS

FORMAT_VERSION = 1
PIPELINE_FILE = "pipeline.joblib"
MANIFEST_FILE = "manifest.json"
CARD_FILE = "MODEL_CARD.md"
KEY_ENV = "MODERATION_MODEL_KEY"


def library_versions() -> dict[str, str]:
    import numpy
    import pandas
    import scipy
    import sklearn

    from moderation import __version__

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__, "scipy": scipy.__version__, "pandas": pandas.__version__,
            "joblib": joblib.__version__, "moderation": __version__}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _signature(manifest: dict, key: str) -> str:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hmac.new(key.encode("utf-8"), payload, hashlib.sha256).hexdigest()


def save_bundle(model: ModerationModel, out_dir: str | Path, *, card: str,
                manifest: dict) -> ModerationModel:
    """Write the bundle atomically to ``out_dir`` (replacing an older bundle there)."""
    out_dir = Path(out_dir).expanduser().resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        joblib.dump(model.pipeline, tmp / PIPELINE_FILE, compress=3)
        (tmp / CARD_FILE).write_text(card, encoding="utf-8")
        files = {}
        for name in (PIPELINE_FILE, CARD_FILE):
            files[name] = {"sha256": sha256_file(tmp / name), "bytes": (tmp / name).stat().st_size}
        manifest = {**manifest, "format_version": FORMAT_VERSION, "files": files,
                    "libraries": library_versions(), "labels": list(model.labels),
                    "thresholds": model.thresholds}
        key = os.environ.get(KEY_ENV)
        if key:
            manifest["signature"] = _signature(manifest, key)
        with open(tmp / MANIFEST_FILE, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ModerationModel(model.pipeline, dict(model.thresholds), model.labels, manifest, out_dir)


def read_manifest(model_dir: str | Path) -> dict:
    model_dir = Path(model_dir)
    path = model_dir / MANIFEST_FILE
    if not model_dir.is_dir():
        raise ModelError(f"no model at {model_dir}: train one with `moderation train --out "
                         f"{model_dir}` or set MODERATION_MODEL_DIR")
    if not path.is_file():
        raise ModelIntegrityError(f"{path} is missing: not a model bundle (or an unfinished one)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelIntegrityError(f"{path} is not valid JSON ({exc}); the bundle is damaged") \
            from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ModelIntegrityError(f"{path} has no file list; the bundle is damaged")
    return manifest


def verify_bundle(model_dir: str | Path) -> dict:
    """Check the manifest, signature, every file's size and sha256, and library versions."""
    model_dir = Path(model_dir)
    manifest = read_manifest(model_dir)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ModelVersionError(f"bundle format {manifest.get('format_version')!r} is not "
                                f"{FORMAT_VERSION}; retrain with `moderation train`")
    key = os.environ.get(KEY_ENV)
    if key:
        sig = manifest.get("signature")
        if not isinstance(sig, str) or not hmac.compare_digest(sig, _signature(manifest, key)):
            raise ModelIntegrityError(f"{model_dir}: manifest signature does not match "
                                      f"{KEY_ENV}; the bundle was not made with this key")
    if PIPELINE_FILE not in manifest["files"]:
        raise ModelIntegrityError(f"{model_dir}: manifest does not list {PIPELINE_FILE}")
    for name, meta in manifest["files"].items():
        if Path(name).name != name:
            raise ModelIntegrityError(f"{model_dir}: manifest lists a path outside the bundle")
        path = model_dir / name
        if not path.is_file():
            raise ModelIntegrityError(f"{path} is missing from the bundle")
        size = path.stat().st_size
        if size != meta.get("bytes"):
            raise ModelIntegrityError(f"{path} is {size} bytes, the manifest says "
                                      f"{meta.get('bytes')}: truncated or replaced; refusing to "
                                      "load it")
        if not hmac.compare_digest(sha256_file(path), str(meta.get("sha256"))):
            raise ModelIntegrityError(f"{path} does not match its sha256 in the manifest: the "
                                      "file was altered or swapped; refusing to load it")
    labels = tuple(manifest.get("labels", ()))
    if labels != LABELS:
        raise ModelVersionError(f"bundle labels {labels} differ from this version's {LABELS}; "
                                "retrain with `moderation train`")
    have = library_versions()["scikit-learn"]
    made = manifest.get("libraries", {}).get("scikit-learn", "?")
    if made.split(".")[:2] != have.split(".")[:2]:
        raise ModelVersionError(f"model made with scikit-learn {made}, this environment has "
                                f"{have}: retrain with `moderation train` or install "
                                f"scikit-learn=={made}")
    return manifest


def load_bundle(model_dir: str | Path) -> ModerationModel:
    """Verify, then load. Raises a :class:`ModelError` subclass with a clear message."""
    model_dir = Path(model_dir).expanduser()
    manifest = verify_bundle(model_dir)
    try:
        pipeline = joblib.load(model_dir / PIPELINE_FILE)
    except Exception as exc:  # verified bytes that still fail: a library mismatch
        raise ModelVersionError(f"{model_dir / PIPELINE_FILE} passed its integrity check but "
                                f"could not be loaded ({type(exc).__name__}: {exc}); retrain "
                                "with `moderation train`") from None
    thresholds = {label: float(manifest["thresholds"][label]) for label in LABELS}
    words.new_index()  # the new model's word tables start from the words it will score
    return ModerationModel(pipeline, thresholds, LABELS, manifest, model_dir.resolve())


def new_model_version(fingerprint: str) -> str:
    now = dt.datetime.now(dt.timezone.utc)
    return f"{now:%Y%m%d-%H%M%S}-{fingerprint[:8]}"
