"""The kept model bundles: every promoted model stays under ``<data dir>/models/<version>/``
so that any earlier one can be restored. A kept bundle is verified with
``moderation.load_model`` every time before it is used."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from moderation.errors import ModelError
from moderation.settings import get_settings

_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


@dataclass(frozen=True)
class KeptModel:
    version: str
    path: Path
    created_at: str | None
    decisions_until: int | None
    problem: str | None = None  # why the bundle does not load (None: it verified)


def models_dir(data_dir: str | Path | None = None) -> Path:
    return Path(data_dir or get_settings().data_dir) / "models"


def check_version(version: str) -> str:
    """A version string safe to use as a folder name (as ``new_model_version`` makes them)."""
    if not isinstance(version, str) or not _VERSION.match(version):
        raise ModelError(f"{version!r} is not a model version (letters, digits, '.', '_', '-')")
    return version


def keep(model, root: str | Path):
    """Save ``model`` (a loaded, verified model) as ``root/<version>`` unless a bundle that
    verifies is there already; returns the kept model, loaded from disk."""
    from moderation import load_model
    from moderation.classifier.bundle import save_bundle

    path = Path(root) / check_version(model.version)
    if path.exists():
        try:
            return load_model(path)
        except ModelError:
            pass  # damaged: write it again from the verified model in hand
    save_bundle(model, path, card=model.card)
    return load_model(path)


def load_kept(root: str | Path, version: str):
    """The kept model ``version``, verified. Raises ``ModelError`` naming what is kept."""
    from moderation import load_model

    path = Path(root) / check_version(version)
    if not path.is_dir():
        have = ", ".join(k.version for k in kept_models(root)) or "none"
        raise ModelError(f"no kept model {version!r} in {root} (kept: {have})")
    return load_model(path)


def kept_models(root: str | Path) -> list[KeptModel]:
    """Every kept bundle, newest version first; each manifest checked, nothing unpickled."""
    from moderation.classifier.bundle import verify_bundle

    root = Path(root)
    out = []
    for path in sorted(root.iterdir() if root.is_dir() else [], reverse=True):
        if not path.is_dir() or path.name.startswith(".") or not _VERSION.match(path.name):
            continue
        try:
            manifest = verify_bundle(path)
        except ModelError as exc:
            out.append(KeptModel(path.name, path, None, None, problem=str(exc)))
            continue
        until = manifest.get("decisions_until")
        out.append(KeptModel(str(manifest.get("model_version", path.name)), path,
                             manifest.get("created_at"), until if isinstance(until, int) else None))
    return out
