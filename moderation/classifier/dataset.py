"""Labelled training and evaluation data.

Two file shapes are read:

- the seed-corpus format: ``id, article_title, text, labels, lang`` (``labels`` joined with
  ``;``, empty = clean) -- every label is known for every row;
- a binary target file ``id, text, <column>`` with 0/1 values (``toxic``, ``advertising``,
  ...), read through an explicit mapping ``column=label[|label...]``. A column named like
  one of our labels maps to it by default. Only the mapped labels are known for such rows;
  the others are marked unknown (``-1``) and are left out when that label is trained.

For training, a 1 in a column mapped to several labels marks each of them positive; for
evaluation, the target is true when ANY of them is (``toxic=insult|improper``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from moderation.errors import DataError
from moderation.tables import Problem, read_table
from moderation.taxonomy import BY_NAME, LABELS, LANGS, parse_labels

SEED_FILE = "seed_comments.csv"
SUPPLEMENT_FILE = "supplement_comments.csv"
UNKNOWN = -1  # a label value not known for a row (e.g. a file that only says ``toxic``)
DEFAULT_MAX_CHARS = 20_000


def seed_path() -> Path:
    return Path(str(resources.files("moderation") / "data" / SEED_FILE))


def supplement_path() -> Path:
    return Path(str(resources.files("moderation") / "data" / SUPPLEMENT_FILE))


def parse_mapping(items: list[str] | None) -> dict[str, list[str]]:
    """``["toxic=insult|improper"]`` -> ``{"toxic": ["insult", "improper"]}``."""
    mapping: dict[str, list[str]] = {}
    for item in items or []:
        column, sep, targets = item.partition("=")
        labels = [t.strip() for t in targets.replace(";", "|").replace(",", "|").split("|")
                  if t.strip()]
        if not sep or not column.strip() or not labels:
            raise DataError(f"bad mapping {item!r}; write COLUMN=LABEL or COLUMN=LABEL|LABEL")
        unknown = [label for label in labels if label not in BY_NAME]
        if unknown:
            raise DataError(f"mapping {item!r}: unknown label {unknown[0]!r}; "
                            f"labels are {', '.join(LABELS)}")
        mapping[column.strip()] = labels
    return mapping


@dataclass
class LabelledData:
    """Texts with a label matrix ``Y`` (1, 0, or -1 = unknown) and where each row came from."""

    frame: pd.DataFrame  # id, text, lang, article_title, source, line
    Y: np.ndarray
    problems: list[Problem] = field(default_factory=list)
    mappings: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def texts(self) -> list[str]:
        return self.frame["text"].tolist()

    def fingerprint(self) -> str:
        """sha256 over every (text, labels) row: the same data gives the same fingerprint."""
        h = hashlib.sha256()
        for text, row in zip(self.frame["text"], self.Y):
            h.update(text.encode("utf-8"))
            h.update(bytes(int(v) + 1 for v in row))
        return h.hexdigest()

    def label_counts(self) -> dict[str, int]:
        return {label: int((self.Y[:, j] == 1).sum()) for j, label in enumerate(LABELS)}

    @classmethod
    def concat(cls, parts: list["LabelledData"]) -> "LabelledData":
        if not parts:
            raise DataError("no training data")
        frame = pd.concat([p.frame for p in parts], ignore_index=True)
        mappings = {k: v for p in parts for k, v in p.mappings.items()}
        return cls(frame, np.vstack([p.Y for p in parts]),
                   [x for p in parts for x in p.problems], mappings)

    def subset(self, index) -> "LabelledData":
        index = np.asarray(index)
        return LabelledData(self.frame.iloc[index].reset_index(drop=True), self.Y[index],
                            [], self.mappings)


def read_labelled(path: str | Path, *, mapping: dict[str, list[str]] | None = None,
                  max_chars: int = DEFAULT_MAX_CHARS) -> LabelledData:
    """Read one labelled file; bad rows are left out and listed in ``problems``."""
    path = Path(path)
    columns, records, problems = read_table(path)
    mapping = dict(mapping or {})
    if "labels" not in columns:
        for column in columns:
            if column in BY_NAME and column not in mapping:
                mapping[column] = [column]
        targets = [c for c in mapping if c in columns]
        if not targets:
            extra = [c for c in columns if c not in ("id", "text", "lang", "article_title")]
            hint = f" (e.g. --map {extra[0]}=insult)" if extra else ""
            raise DataError("no 'labels' column and no mapped target column; give an explicit "
                            f"mapping COLUMN=LABEL{hint}", path=str(path), field="labels")
    else:
        targets = []
    ids, texts, langs, titles, lines = [], [], [], [], []
    rows: list[np.ndarray] = []
    name = str(path)
    for rec in records:
        v = rec.values
        row_id = str(v.get("id", "") or f"{path.stem}:{rec.line}")
        text = v.get("text")
        text = "" if text is None else str(text)
        if not text.strip():
            problems.append(Problem(name, rec.line, "text is empty", "text", row_id))
            continue
        if len(text) > max_chars:
            problems.append(Problem(name, rec.line, f"text is {len(text):,} characters, over the "
                                    f"{max_chars:,} limit", "text", row_id))
            continue
        y = np.full(len(LABELS), UNKNOWN, dtype=np.int8)
        try:
            if targets:
                for column in targets:
                    value = str(v.get(column, "")).strip()
                    if value not in ("0", "1", "0.0", "1.0", "True", "False", "true", "false"):
                        raise ValueError(f"{column!r} must be 0 or 1, got {value[:20]!r}")
                    hit = value in ("1", "1.0", "True", "true")
                    for label in mapping[column]:
                        j = LABELS.index(label)
                        y[j] = max(y[j], int(hit))
            else:
                y[:] = 0
                for label in parse_labels(v.get("labels", "")):
                    y[LABELS.index(label)] = 1
        except ValueError as exc:
            problems.append(Problem(name, rec.line, str(exc), "labels" if not targets else None,
                                    row_id))
            continue
        lang = str(v.get("lang", "") or "")
        if lang and lang not in LANGS:
            problems.append(Problem(name, rec.line, f"lang {lang!r} is not one of "
                                    f"{', '.join(LANGS)}", "lang", row_id))
            continue
        ids.append(row_id)
        texts.append(text)
        langs.append(lang)
        titles.append(str(v.get("article_title", "") or ""))
        lines.append(rec.line)
        rows.append(y)
    frame = pd.DataFrame({"id": ids, "text": texts, "lang": langs, "article_title": titles,
                          "source": path.name, "line": lines})
    if "disguised" in columns:
        by_line = {rec.line: str(rec.values.get("disguised", "0")).strip() == "1"
                   for rec in records}
        frame["disguised"] = [by_line.get(n, False) for n in lines]
    Y = np.vstack(rows) if rows else np.zeros((0, len(LABELS)), dtype=np.int8)
    return LabelledData(frame, Y, problems, {path.name: {c: mapping[c] for c in targets}})


def load_seed() -> LabelledData:
    """The bundled training corpus: the seed comments and the supplement written later for
    what the seed lacked (replies, local names, prices, emotion, threats, positions,
    propaganda, slurs; data card: ``moderation/data/README.md``)."""
    return LabelledData.concat([read_labelled(seed_path()), read_labelled(supplement_path())])


def targets_for(data: LabelledData, column_labels: list[str]) -> np.ndarray:
    """Binary evaluation target: 1 where ANY of ``column_labels`` is 1 (rows all known)."""
    idx = [LABELS.index(label) for label in column_labels]
    return (data.Y[:, idx] == 1).any(axis=1).astype(int)
