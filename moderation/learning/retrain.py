"""Retraining from moderators' decisions: an honest comparison, then a model fitted on all rows.

``retrain`` (an admin action; run it in a job, see :mod:`moderation.learning.jobs`):

1. reads the seed corpus plus every decided comment
   (:func:`~moderation.learning.data.training_set`);
2. holds out the decided comments the current model never saw (every verdict on them came
   after its ``decisions_until``), trains an *evaluation candidate* without them (its own
   decision weight chosen without them too) and compares the current model with it on
   them (:mod:`moderation.learning.comparison`); with no such rows there is no comparison,
   and the result says why;
3. chooses the weight of a decided row by cross-validation on ALL decisions
   (:mod:`moderation.learning.weighting`) and fits the model to be promoted on ALL rows;
   its manifest records ``decisions_until``, the weight, and the comparison.

The evaluation candidate is thrown away: it only measures what this procedure gains over
the current model on comments neither saw; the promoted model has those rows too.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moderation.auth import Moderator, require_admin
from moderation.classifier.training import Progress, quiet
from moderation.learning.comparison import Comparison, compare, no_comparison
from moderation.learning.data import TrainingSet, decisions_seen, training_set
from moderation.learning.weighting import CANDIDATES, WEIGHT_FOLDS, WeightChoice, choose_weight

# why there is no comparison (Comparison.reason); the UI words them in Ukrainian
NO_CURRENT_MODEL = "no_current_model"
UNKNOWN_TRAINING = "unknown_training"
NO_UNSEEN = "no_unseen_decisions"
REASONS = {
    NO_CURRENT_MODEL: "there is no current model to compare with",
    UNKNOWN_TRAINING: "the current model does not record which decisions it was trained on",
    NO_UNSEEN: "every decided comment was in the current model's training data",
}



@dataclass(frozen=True)
class Candidate:
    """A model fitted on the seed corpus plus every decision, saved, not yet in use."""

    version: str
    path: Path
    comparison: Comparison
    weight: WeightChoice
    rows: int
    decisions: int
    decisions_until: int


def retrain(admin: Moderator, store, current_model, out_dir: str | Path, *, folds: int = 5,
            seed: int = 0, candidates: Sequence[float] = CANDIDATES,
            weight_folds: int = WEIGHT_FOLDS, evaluate: bool = True,
            progress: Progress = quiet) -> Candidate:
    """Compare, then train the model to promote on all rows and save it to ``out_dir``.

    ``current_model`` may be ``None`` (no comparison then). ``evaluate`` also scores the
    independently written sets and ``../shared/data/eval`` for the model card.
    """
    require_admin(admin)
    data = training_set(store)
    progress(f"{len(data.data):,} рядків: початковий корпус і {data.decisions:,} рішень "
             f"модераторів (рішення до №{data.decisions_until})")
    comparison = _honest_comparison(data, current_model, folds=folds, seed=seed,
                                          candidates=candidates, weight_folds=weight_folds,
                                          progress=progress)
    progress("вибір ваги рішень на всіх рішеннях")
    weight = choose_weight(data.data, data.decided, candidates=candidates, folds=weight_folds,
                           seed=seed, progress=progress)
    progress(f"модель для впровадження: усі {len(data.data):,} рядків, вага рішення "
             f"{weight.weight:g}")
    model = _fit(data, weight, folds=folds, seed=seed, progress=progress, extra_manifest={
        "retrained_by": admin.name,
        "decisions_until": data.decisions_until,
        "decisions_used": data.decisions,
        "decision_weight": weight.as_dict(),
        "comparison": comparison.as_dict(),
    })
    saved = _save(model, out_dir, evaluate=evaluate, progress=progress)
    return Candidate(version=saved.version, path=Path(saved.path), comparison=comparison,
                     weight=weight, rows=len(data.data), decisions=data.decisions,
                     decisions_until=data.decisions_until)


def _honest_comparison(data: TrainingSet, current_model, *, folds: int, seed: int,
                       candidates: Sequence[float], weight_folds: int,
                       progress: Progress) -> Comparison:
    if current_model is None:
        return no_comparison(NO_CURRENT_MODEL)
    context = dict(current_version=current_model.version)
    seen = decisions_seen(current_model.manifest)
    if seen is None:
        return no_comparison(UNKNOWN_TRAINING, **context)
    held = data.unseen_by(seen)
    if not held.any():
        return no_comparison(NO_UNSEEN, **context)
    rest = data.subset(~held)
    progress(f"для порівняння відкладено {int(held.sum()):,} найновіших рішень, яких поточна "
             f"модель не бачила (після №{seen}); модель для порівняння вчиться без них")
    weight = choose_weight(rest.data, rest.decided, candidates=candidates, folds=weight_folds,
                           seed=seed, progress=progress)
    evaluation = _fit(rest, weight, folds=folds, seed=seed, progress=progress)
    index = np.flatnonzero(held)
    comparison = compare(current_model, evaluation, [data.data.texts[i] for i in index],
                         data.data.Y[index], seed=seed,
                         first_decision=int(data.first_decision[index].min()),
                         last_decision=data.decisions_until, candidate_weight=weight.weight)
    progress("порівняння готове: " + _summary(comparison))
    return comparison


def _summary(comparison: Comparison) -> str:
    if comparison.macro is None:
        return f"{comparison.rows} коментарів, порушень серед них немає"
    m = comparison.macro
    return (f"{comparison.rows} коментарів, macro F1 поточної {m.current_f1:.3f}, нової "
            f"{m.candidate_f1:.3f}")


def _fit(data: TrainingSet, weight: WeightChoice, *, folds: int, seed: int, progress: Progress,
         extra_manifest: dict | None = None):
    from moderation.classifier.training import train_model

    return train_model(data.data, None, folds=folds, seed=seed, progress=progress,
                       sample_weight=weight.weights(data.decided),
                       extra_manifest=extra_manifest)


def _save(model, out_dir: str | Path, *, evaluate: bool, progress: Progress):
    from moderation.classifier.bundle import save_bundle
    from moderation.classifier.card import model_card
    from moderation.classifier.evaluation import evaluate_independent, evaluate_shared
    from moderation.learning.card import learning_card

    if evaluate:
        independent = evaluate_independent(model)
        if independent:
            model.manifest["metrics"]["independent_eval"] = independent
        shared = evaluate_shared(model)
        if shared:
            model.manifest["metrics"]["shared_eval"] = shared
        progress("оцінено на незалежних наборах (лише для оцінки, не для навчання)")
    card = model_card(model.manifest) + learning_card(model.manifest)
    saved = save_bundle(model, out_dir, card=card)
    progress(f"збережено модель {saved.version}")
    return saved
