"""What the Streamlit pages need beyond the queue API; no Streamlit here, so it is unit-tested.

- Safe text: ``md_escape`` makes any user string render literally in Markdown (no HTML, no
  Markdown, no LaTeX); ``highlighted_markdown`` marks the model's trigger words inside an
  escaped comment; ``csv_bytes`` neutralises spreadsheet formulas in exported cells.
- Sessions: ``SessionPolicy`` (idle and absolute expiry) and ``account_of`` (is the account
  still there, with which role).
- Admin actions, each checking the role itself: ``add_moderator_as``, ``retrain``
  (seed corpus plus all decisions, compared with the current model on a held-out split),
  ``promote`` (the candidate becomes the current model; recorded in the store).
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from moderation.auth import Moderator, add_moderator, list_moderators, require_admin
from moderation.taxonomy import BY_NAME, LABEL_DEFS, LABELS

# --------------------------------------------------------------------------- safe text

_ASCII_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_LEADING_SPACES = re.compile(r"^[ \t]+", re.MULTILINE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def md_escape(text: object) -> str:
    """``text`` as Markdown that renders literally: HTML, Markdown and ``$…$`` stay text.

    Every ASCII punctuation character is backslash-escaped (CommonMark renders ``\\<`` as
    ``<``), leading spaces become no-break spaces (no code blocks) and line breaks are kept.
    """
    return _escape_inline(_protect_indent("" if text is None else str(text)))


def _protect_indent(s: str) -> str:
    """Spaces and tabs at the start of a line -> no-break spaces, one for one (offsets kept)."""
    return _LEADING_SPACES.sub(lambda m: "\u00a0" * len(m.group()), s)


def _escape_inline(s: str) -> str:
    s = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", s.replace("\r\n", "\n").replace("\r", "\n"))
    return _ASCII_PUNCT.sub(r"\\\1", s).replace("\n", "  \n")


@dataclass(frozen=True)
class Segment:
    text: str
    labels: tuple[str, ...]  # the labels whose trigger words cover this stretch; () if none


def highlight_segments(text: str, spans_by_label: dict[str, Sequence]) -> list[Segment]:
    """Split ``text`` into stretches, each with the labels whose explain spans cover it."""
    marks: list[set[str]] = [set() for _ in text]
    for label, spans in (spans_by_label or {}).items():
        for span in spans:
            start, end = max(0, int(span.start)), min(len(text), int(span.end))
            for i in range(start, end):
                marks[i].add(label)
    out: list[Segment] = []
    for i, ch in enumerate(text):
        key = tuple(label for label in LABELS if label in marks[i])
        if out and out[-1].labels == key:
            out[-1] = Segment(out[-1].text + ch, key)
        else:
            out.append(Segment(ch, key))
    return out


def highlighted_markdown(text: str, spans_by_label: dict[str, Sequence]) -> str:
    """The comment as safe Markdown with trigger words bold on an orange background."""
    parts = []
    for seg in highlight_segments(_protect_indent(text), spans_by_label):
        if not seg.labels or not seg.text.strip():
            parts.append(_escape_inline(seg.text))
            continue
        core = seg.text.strip()
        lead = seg.text[: len(seg.text) - len(seg.text.lstrip())]
        trail = seg.text[len(seg.text.rstrip()):]
        lines = [_escape_inline(line) for line in core.split("\n")]
        marked = "  \n".join(f":orange-background[**{line}**]" if line.strip() else line
                             for line in lines)
        parts.append(_escape_inline(lead) + marked + _escape_inline(trail))
    return "".join(parts)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, for spreadsheets); text cells starting a formula get a ``'``."""
    def safe(value):
        if isinstance(value, str) and value.startswith(_FORMULA_START):
            return "'" + value
        return value

    cleaned = frame.copy()
    for column in cleaned.columns:
        if cleaned[column].dtype == object or pd.api.types.is_string_dtype(cleaned[column]):
            cleaned[column] = cleaned[column].astype(object).map(safe)
    buf = io.StringIO()
    cleaned.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")


# --------------------------------------------------------------------------- sessions


@dataclass(frozen=True)
class SessionPolicy:
    """A signed-in session ends after ``idle_minutes`` without a request, or ``max_hours``."""

    idle_minutes: float = 30.0
    max_hours: float = 12.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> SessionPolicy:
        env = os.environ if environ is None else environ
        return cls(idle_minutes=float(env.get("MODERATION_SESSION_IDLE_MINUTES", 30)),
                   max_hours=float(env.get("MODERATION_SESSION_MAX_HOURS", 12)))

    def expired(self, signed_in_at: dt.datetime, last_seen: dt.datetime,
                now: dt.datetime | None = None) -> str | None:
        """Why the session has ended (``"idle"`` or ``"max_age"``), or ``None``."""
        now = now or dt.datetime.now(dt.UTC)
        if now - last_seen > dt.timedelta(minutes=self.idle_minutes):
            return "idle"
        if now - signed_in_at > dt.timedelta(hours=self.max_hours):
            return "max_age"
        return None


def account_of(path: str | Path, name: str) -> Moderator | None:
    """The account ``name`` as the moderators file says now (removed: ``None``)."""
    return next((m for m in list_moderators(path) if m.name == name), None)


def add_moderator_as(admin: Moderator, path: str | Path, name: str, password: str, *,
                     role: str = "moderator") -> Moderator:
    """``admin`` adds an account; raises ``AuthError`` unless ``admin`` is an admin."""
    require_admin(admin)
    return add_moderator(path, name, password, role=role)


# --------------------------------------------------------------------------- what a page shows


def label_rows(scores: dict[str, float], flagged: Iterable[str],
               thresholds: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per label: Ukrainian name, the rule it enforces, score, flagged or not."""
    flagged = set(flagged)
    rows = [{"label": d.name, "title": d.title_uk, "rule": d.rule_uk, "shortcut": d.shortcut,
             "score": float(scores.get(d.name, 0.0)),
             "threshold": None if thresholds is None else thresholds.get(d.name),
             "flagged": d.name in flagged} for d in LABEL_DEFS]
    return pd.DataFrame(rows)


def titles(labels: Iterable[str] | None) -> str:
    """Labels as their Ukrainian names, comma-joined; ``—`` for none."""
    names = [BY_NAME[label].title_uk for label in (labels or ()) if label in BY_NAME]
    return ", ".join(names) if names else "—"


def flag_quality_frame(flag_precision: dict[str, float | None],
                       flagged_decided: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame([{"мітка": BY_NAME[label].title_uk,
                          "точність позначок": flag_precision.get(label),
                          "вирішено позначених": flagged_decided.get(label, 0)}
                         for label in LABELS])


# --------------------------------------------------------------------------- retraining

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def training_data(store):
    """The seed corpus plus every decided comment (the decision in force), as one set."""
    from moderation.dataset import LabelledData, load_seed
    from moderation.export import decisions_frame
    from moderation.training import as_labelled

    parts = [load_seed()]
    frame = decisions_frame(store)
    if len(frame):
        part = as_labelled(frame)
        part.frame["source"] = "decisions"
        parts.append(part)
    return LabelledData.concat(parts), len(frame)


def holdout_split(data, *, test_size: float = 0.2, seed: int = 0):
    """(train, held-out) with no article on both sides (rows without a title go by id)."""
    from sklearn.model_selection import GroupShuffleSplit

    titles_ = data.frame["article_title"].fillna("")
    groups = np.where(titles_.eq(""), data.frame["id"].astype(str), titles_)
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(data)), groups=groups))
    return data.subset(train), data.subset(test)


def compare_models(models: dict[str, object], data) -> pd.DataFrame:
    """Precision, recall and F1 per label (plus macro F1) of each model on ``data``."""
    from moderation.evaluation import multilabel_metrics

    rows = []
    for name, model in models.items():
        if model is None:
            continue
        P = model.predict_proba(data.texts)[list(LABELS)].to_numpy()
        metrics = multilabel_metrics(data.Y, P, LABELS, model.thresholds)
        for label in LABELS:
            m = metrics["labels"].get(label, {})
            rows.append({"model": name, "label": label, "precision": m.get("precision"),
                         "recall": m.get("recall"), "f1": m.get("f1")})
        rows.append({"model": name, "label": "macro", "precision": None, "recall": None,
                     "f1": metrics["macro_f1"]})
    return pd.DataFrame(rows, columns=["model", "label", "precision", "recall", "f1"])


@dataclass(frozen=True)
class Candidate:
    """A model retrained from the seed corpus plus decisions, not yet in use."""

    version: str
    path: Path
    comparison: pd.DataFrame  # compare_models(...) on the held-out split: "new", "current"
    train_rows: int
    holdout_rows: int
    decisions: int
    metrics: dict = field(default_factory=dict)


def retrain(admin: Moderator, store, current_model, out_root: str | Path, *, folds: int = 5,
            test_size: float = 0.2, seed: int = 0, progress: Progress = _quiet) -> Candidate:
    """Train a candidate on the seed corpus plus all decisions, minus a held-out split.

    The candidate is saved under ``out_root/<version>`` and compared with ``current_model``
    (may be ``None``) on the held-out split. The current model may have seen some of those
    rows when it was trained, so its figures there can be optimistic.
    """
    from moderation.training import train_model

    require_admin(admin)
    data, n_decisions = training_data(store)
    train, holdout = holdout_split(data, test_size=test_size, seed=seed)
    progress(f"{len(train):,} рядків для навчання, {len(holdout):,} відкладено для порівняння "
             f"({n_decisions:,} рішень модераторів)")
    out_root = Path(out_root)
    staging = out_root / f"staging-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S-%f}"
    model = train_model(train, staging, folds=folds, seed=seed, progress=progress,
                        extra_manifest={"retrained_by": admin.name,
                                        "decisions_used": n_decisions})
    final = out_root / model.version
    if final.exists():
        shutil.rmtree(final)
    staging.rename(final)
    progress("порівняння з поточною моделлю на відкладених рядках")
    comparison = compare_models({"new": model, "current": current_model}, holdout)
    new_rows = comparison[comparison["model"] == "new"]
    return Candidate(version=model.version, path=final, comparison=comparison,
                     train_rows=len(train), holdout_rows=len(holdout), decisions=n_decisions,
                     metrics={row.label: row.f1 for row in new_rows.itertuples()})


def promote(admin: Moderator, store, candidate_path: str | Path, model_dir: str | Path, *,
            metrics: dict | None = None, note: str | None = None):
    """Make the bundle at ``candidate_path`` the current model in ``model_dir``; recorded.

    The bundle is verified (hashes, versions) before it is copied; returns the ``Promotion``.
    """
    from moderation import load_model
    from moderation.bundle import save_bundle
    from moderation.promotions import record_promotion

    require_admin(admin)
    model = load_model(candidate_path)
    save_bundle(model, model_dir, card=model.card, manifest=model.manifest)
    return record_promotion(store, model.version, admin.name, path=str(Path(model_dir)),
                            metrics=metrics, note=note)


def open_counts(store) -> dict[str, int]:
    """Comments waiting in each queue (one cheap query for the queue page's header)."""
    import sqlalchemy as sa

    from moderation.store.schema import OPEN, QUEUES, queue_items

    with store.read() as conn:
        counts = dict(conn.execute(
            sa.select(queue_items.c.queue, sa.func.count()).where(queue_items.c.status == OPEN)
            .group_by(queue_items.c.queue)).all())
    return {queue: int(counts.get(queue, 0)) for queue in QUEUES}
