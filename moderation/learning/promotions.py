"""Promotions: making a model the current one, restoring an earlier one, and the record.

``promote`` and ``rollback`` (admin actions) each:

1. load the bundle to be used, verified (``moderation.load_model``), and keep it under
   ``<data dir>/models/<version>/`` (the bundle being replaced is kept there too, if it
   was not yet);
2. write it atomically into the model directory (``MODERATION_MODEL_DIR``), which every
   process loads;
3. record who did it in ``model_versions`` (append-only; the current model is the latest
   row); when the record cannot be written the previous bundle is put back;
4. re-score the comments still open in the queues (:mod:`moderation.learning.rescore`).

Each prediction keeps the version that made it, so older scores stay explainable.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from moderation.auth import Moderator, require_admin
from moderation.errors import ModelError
from moderation.learning.rescore import RescoreSummary, rescore_open
from moderation.learning.versions import keep, load_kept, models_dir
from moderation.settings import get_settings
from moderation.store import Store
from moderation.store.schema import model_versions, utcnow

PROMOTE, ROLLBACK = "promote", "rollback"


@dataclass(frozen=True)
class Promotion:
    id: int
    version: str
    path: str | None
    promoted_by: str
    promoted_at: datetime
    metrics: dict | None  # {"action": "promote" | "rollback", "previous": version, ...}
    note: str | None

    @property
    def action(self) -> str:
        return str((self.metrics or {}).get("action", PROMOTE))


@dataclass(frozen=True)
class PromotionResult:
    promotion: Promotion
    previous_version: str | None
    rescore: RescoreSummary


def record_promotion(store: Store, version: str, promoted_by: str, *, path: str | None = None,
                     metrics: dict | None = None, note: str | None = None) -> Promotion:
    """Record that ``promoted_by`` made ``version`` the current model (check the role first)."""
    with store.write() as conn:
        row = conn.execute(model_versions.insert().values(
            version=version, path=path, promoted_by=promoted_by, promoted_at=utcnow(),
            metrics=metrics, note=note).returning(*model_versions.c)).one()
    return Promotion(**row._mapping)


def promotions(store: Store, *, limit: int | None = None) -> list[Promotion]:
    """The promotions, newest first."""
    query = sa.select(model_versions).order_by(model_versions.c.id.desc()).limit(limit)
    with store.read() as conn:
        return [Promotion(**row._mapping) for row in conn.execute(query)]


def current_promotion(store: Store) -> Promotion | None:
    latest = promotions(store, limit=1)
    return latest[0] if latest else None


def summary_metrics(manifest: dict) -> dict:
    """What a promotion record keeps of a bundle's learning-loop figures."""
    out: dict = {}
    weight = manifest.get("decision_weight")
    if weight:
        out["decision_weight"] = weight.get("weight")
    if "decisions_until" in manifest:
        out["decisions_until"] = manifest["decisions_until"]
    comparison = manifest.get("comparison")
    if comparison:
        macro = comparison.get("macro") or {}
        out["comparison"] = {
            "rows": comparison.get("rows"), "reason": comparison.get("reason"),
            "macro_current": macro.get("current_f1"), "macro_candidate": macro.get("candidate_f1"),
            "macro_diff_ci": macro.get("diff_ci"),
            "worse": [c["label"] for c in comparison.get("labels", [])
                      if c.get("diff_ci") is not None and c["diff_ci"][1] < 0]}
    return out


def promote(admin: Moderator, store: Store, candidate_path: str | Path, *,
            model_dir: str | Path | None = None, data_dir: str | Path | None = None,
            note: str | None = None) -> PromotionResult:
    """Make the bundle at ``candidate_path`` the current model; kept, recorded, re-scored."""
    from moderation import load_model

    require_admin(admin)
    model = load_model(candidate_path)
    metrics = {"action": PROMOTE, **summary_metrics(model.manifest)}
    return _make_current(admin, store, model, metrics, model_dir=model_dir, data_dir=data_dir,
                         note=note)


def rollback(admin: Moderator, store: Store, version: str | None = None, *,
             model_dir: str | Path | None = None, data_dir: str | Path | None = None,
             note: str | None = None) -> PromotionResult:
    """Restore the kept model ``version`` (default: the one promoted before the current)."""
    require_admin(admin)
    root = models_dir(data_dir)
    current = current_version(model_dir)
    if version is None:
        version = previous_version(store, current)
    elif version == current:
        raise ModelError(f"{version} is the current model already")
    model = load_kept(root, version)
    return _make_current(admin, store, model, {"action": ROLLBACK}, model_dir=model_dir,
                         data_dir=data_dir, note=note)


def current_version(model_dir: str | Path | None = None) -> str | None:
    """The version of the bundle in the model directory (its manifest, signature checked);
    ``None`` when there is none or it is refused."""
    from moderation.classifier.bundle import read_manifest

    try:
        return str(read_manifest(model_dir or get_settings().model_dir)["model_version"])
    except (ModelError, KeyError):
        return None


def previous_version(store: Store, current: str | None) -> str:
    """The model in use before ``current`` was made current (as its promotion recorded),
    else the latest other version promoted. Raises ``ModelError``."""
    history = promotions(store)
    made_current = next((p for p in history if p.version == current), None)
    before = (made_current.metrics or {}).get("previous") if made_current else None
    if before and before != current:
        return str(before)
    for p in history:
        if p.version != current:
            return p.version
    raise ModelError("no earlier model to roll back to: no other version was ever in use")


def _make_current(admin: Moderator, store: Store, model, metrics: dict, *, model_dir, data_dir,
                  note) -> PromotionResult:
    from moderation import load_model
    from moderation.classifier.bundle import save_bundle

    model_dir = Path(model_dir or get_settings().model_dir)
    root = models_dir(data_dir)
    previous = None
    try:
        previous = keep(load_model(model_dir), root)
    except ModelError:
        pass  # no current model (or a refused one): nothing to keep or to put back
    kept = keep(model, root)
    save_bundle(kept, model_dir, card=kept.card)
    if previous is not None:
        metrics = {**metrics, "previous": previous.version}
    try:
        promotion = record_promotion(store, kept.version, admin.name, path=str(kept.path),
                                     metrics=metrics, note=note)
    except BaseException:
        if previous is not None:
            save_bundle(previous, model_dir, card=previous.card)
        raise
    rescored = rescore_open(store, load_model(model_dir))
    return PromotionResult(promotion, None if previous is None else previous.version, rescored)
