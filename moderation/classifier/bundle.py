"""The model bundle on disk: ``pipeline.skops``, ``manifest.json``, ``MODEL_CARD.md``.

Saving is atomic (a temporary directory beside the target, then a rename). Loading reads
each file ONCE into memory, and the bytes that are checked are the bytes that are used:

1. ``manifest.json`` is read and, when ``MODERATION_MODEL_KEY`` is set, its HMAC-SHA256
   signature checked (so replacing the whole bundle, manifest included, is caught);
2. every listed file is read (no more than the size the manifest gives) and its size and
   sha256 compared with the manifest; the format, labels and library versions are checked;
3. the pipeline is built from those same bytes with ``skops.io.loads``, which constructs
   only the types in :data:`TRUSTED` (scikit-learn's, numpy's and scipy's are trusted by
   skops itself) and never runs pickle code; the card shown anywhere is the verified text.

A file swapped on disk after it was read changes nothing: it is not opened again. A
tampered, truncated, swapped or missing file is refused with
:class:`~moderation.errors.ModelIntegrityError` before anything is built from it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import platform
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import skops.io
from skops.io.exceptions import UntrustedTypesFoundException

from moderation.classifier.model import ModerationModel
from moderation.errors import ModelError, ModelIntegrityError, ModelVersionError
from moderation.taxonomy import LABELS

FORMAT_VERSION = 2
PIPELINE_FILE = "pipeline.skops"
MANIFEST_FILE = "manifest.json"
CARD_FILE = "MODEL_CARD.md"
KEY_ENV = "MODERATION_MODEL_KEY"
MAX_MANIFEST_BYTES = 4 << 20
# the project's own classes that a pipeline file may build (everything else it holds is
# a scikit-learn, numpy, scipy or builtin type that skops trusts by default)
TRUSTED = (
    "moderation.classifier.analysis.Analyzer",
    "moderation.classifier.features.CharNgrams",
    "moderation.classifier.features.Signals",
    "moderation.classifier.features.WordNgrams",
    "moderation.classifier.model.MultiLabelLinear",
)


def library_versions() -> dict[str, str]:
    import numpy
    import pandas
    import scipy
    import sklearn

    from moderation import __version__

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__, "scipy": scipy.__version__, "pandas": pandas.__version__,
            "skops": skops.__version__, "moderation": __version__}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _signature(manifest: dict, key: str) -> str:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hmac.new(key.encode("utf-8"), payload, hashlib.sha256).hexdigest()


def save_bundle(model: ModerationModel, out_dir: str | Path, *, card: str) -> ModerationModel:
    """Write the bundle atomically to ``out_dir`` (replacing an older bundle there)."""
    out_dir = Path(out_dir).expanduser().resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    contents = {
        PIPELINE_FILE: skops.io.dumps(model.pipeline, compression=zipfile.ZIP_DEFLATED,
                                      compresslevel=6),
        CARD_FILE: card.encode("utf-8"),
    }
    manifest = {**model.manifest, "format_version": FORMAT_VERSION,
                "files": {name: {"sha256": _sha256(data), "bytes": len(data)}
                          for name, data in contents.items()},
                "libraries": library_versions(), "labels": list(model.labels),
                "thresholds": model.thresholds}
    manifest.pop("signature", None)
    key = os.environ.get(KEY_ENV)
    if key:
        manifest["signature"] = _signature(manifest, key)
    contents[MANIFEST_FILE] = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        for name, data in contents.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
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
    return ModerationModel(model.pipeline, manifest, card, out_dir, model.labels)


def _read(path: Path, limit: int) -> bytes:
    """The file's bytes, read once; refused when it is longer than ``limit``."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise ModelIntegrityError(f"{path} is missing from the bundle") from None
    except OSError as exc:
        raise ModelIntegrityError(f"{path} cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise ModelIntegrityError(f"{path} is larger than its manifest says: replaced or "
                                  "altered; refusing to load it")
    return data


def read_manifest(model_dir: str | Path) -> dict:
    """The manifest, its signature checked when ``MODERATION_MODEL_KEY`` is set."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise ModelError(f"no model at {model_dir}: train one with `moderation train --out "
                         f"{model_dir}` or set MODERATION_MODEL_DIR")
    path = model_dir / MANIFEST_FILE
    if not path.is_file():
        raise ModelIntegrityError(f"{path} is missing: not a model bundle (or an unfinished one)")
    try:
        manifest = json.loads(_read(path, MAX_MANIFEST_BYTES).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelIntegrityError(f"{path} is not valid JSON ({exc}); the bundle is damaged") \
            from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ModelIntegrityError(f"{path} has no file list; the bundle is damaged")
    key = os.environ.get(KEY_ENV)
    if key:
        sig = manifest.get("signature")
        if not isinstance(sig, str) or not hmac.compare_digest(sig, _signature(manifest, key)):
            raise ModelIntegrityError(f"{model_dir}: manifest signature does not match "
                                      f"{KEY_ENV}; the bundle was not made with this key")
    return manifest


def _release(version: str) -> tuple[int, ...]:
    """The leading numbers of a version (``1.9.1`` -> (1, 9, 1), ``1.10rc1`` -> (1, 10))."""
    match = re.match(r"\d+(?:\.\d+)*", str(version))
    return tuple(int(part) for part in match.group().split(".")) if match else ()


def library_differences(manifest: dict) -> list[str]:
    """Each library whose version here differs from the one the bundle was made with, as
    ``name made -> here``."""
    made = manifest.get("libraries", {})
    have = library_versions()
    return [f"{name} {made[name]} -> {have[name]}" for name in have
            if name in made and str(made[name]) != have[name]]


def _check_compatible(model_dir: Path, manifest: dict) -> None:
    """Refuse only what cannot work: another bundle format, another label set, or another
    scikit-learn major.minor release (scikit-learn changes its estimators' fitted state
    between minor releases and does not support loading them across; patch releases keep
    it). numpy, scipy, pandas, skops and Python may differ: skops stores arrays in numpy's
    own file format, and a file it cannot read fails to load with a ``ModelVersionError``
    naming every library that differs (``load_bundle``)."""
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ModelVersionError(f"{model_dir}: bundle format {manifest.get('format_version')!r} "
                                f"is not {FORMAT_VERSION}; retrain with `moderation train`")
    labels = tuple(manifest.get("labels", ()))
    if labels != LABELS:
        raise ModelVersionError(f"bundle labels {labels} differ from this version's {LABELS}; "
                                "retrain with `moderation train`")
    have = library_versions()["scikit-learn"]
    made = str(manifest.get("libraries", {}).get("scikit-learn", "?"))
    if _release(made)[:2] != _release(have)[:2] or len(_release(made)) < 2:
        series = ".".join(map(str, _release(made)[:2])) or made
        raise ModelVersionError(
            f"{model_dir}: model made with scikit-learn {made}, this environment has {have}; "
            f"scikit-learn does not load models across minor releases. Install "
            f"scikit-learn=={series}.* (the project's lock file pins the version its models "
            "are trained with: requirements/app.lock) or retrain with `moderation train`")


def verified_files(model_dir: str | Path) -> tuple[dict, dict[str, bytes]]:
    """The manifest and the bytes of every file it lists, each read once and checked."""
    model_dir = Path(model_dir)
    manifest = read_manifest(model_dir)
    _check_compatible(model_dir, manifest)
    if PIPELINE_FILE not in manifest["files"]:
        raise ModelIntegrityError(f"{model_dir}: manifest does not list {PIPELINE_FILE}")
    contents = {}
    for name, meta in manifest["files"].items():
        if Path(name).name != name or name == MANIFEST_FILE or not isinstance(meta, dict):
            raise ModelIntegrityError(f"{model_dir}: manifest lists a path outside the bundle")
        size = meta.get("bytes")
        if not isinstance(size, int) or size < 0:
            raise ModelIntegrityError(f"{model_dir}: manifest gives no size for {name}")
        data = _read(model_dir / name, size)
        if len(data) != size:
            raise ModelIntegrityError(f"{model_dir / name} is {len(data)} bytes, the manifest "
                                      f"says {size}: truncated or replaced; refusing to load it")
        if not hmac.compare_digest(_sha256(data), str(meta.get("sha256"))):
            raise ModelIntegrityError(f"{model_dir / name} does not match its sha256 in the "
                                      "manifest: the file was altered or swapped; refusing to "
                                      "load it")
        contents[name] = data
    return manifest, contents


def load_bundle(model_dir: str | Path) -> ModerationModel:
    """Verify, then build the model from the verified bytes. Raises a :class:`ModelError`
    subclass with a clear message."""
    model_dir = Path(model_dir).expanduser()
    manifest, contents = verified_files(model_dir)
    try:
        pipeline = skops.io.loads(contents[PIPELINE_FILE], trusted=list(TRUSTED))
    except UntrustedTypesFoundException as exc:
        raise ModelIntegrityError(f"{model_dir / PIPELINE_FILE} holds types this version never "
                                  f"writes ({exc}); refusing to build them") from None
    except Exception as exc:  # verified bytes that still fail: a library mismatch
        differ = library_differences(manifest)
        versions = (f"; made with other library versions than these: {', '.join(differ)}"
                    if differ else "")
        raise ModelVersionError(f"{model_dir / PIPELINE_FILE} passed its integrity check but "
                                f"could not be loaded ({type(exc).__name__}: {exc}){versions}; "
                                "install the versions of requirements/app.lock or retrain "
                                "with `moderation train`") from None
    card = contents.get(CARD_FILE, b"").decode("utf-8", errors="replace")
    return ModerationModel(pipeline, manifest, card, model_dir.resolve(), LABELS)


def verify_bundle(model_dir: str | Path) -> dict:
    """Check a bundle without loading it; returns its manifest."""
    return verified_files(model_dir)[0]


def new_model_version(fingerprint: str) -> str:
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%d-%H%M%S}-{fingerprint[:8]}"
