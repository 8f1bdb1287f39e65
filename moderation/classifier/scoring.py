"""Scoring a file: every input row comes out, with ``p_<label>``, ``labels`` and
``score_error`` (why a row could not be scored, e.g. empty text)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from moderation.classifier.model import ModerationModel
from moderation.tables import Problem, read_table, write_table
from moderation.taxonomy import join_labels

ERROR_COLUMN = "score_error"


@dataclass
class ScoreReport:
    read: int = 0
    scored: int = 0
    flagged: int = 0
    not_scored: list[Problem] = field(default_factory=list)  # written, with score_error
    unreadable: list[Problem] = field(default_factory=list)  # could not be parsed at all
    warnings: list[Problem] = field(default_factory=list)


def score_file(model: ModerationModel, input_path: str | Path, output_path: str | Path
               ) -> ScoreReport:
    input_path = Path(input_path)
    columns, records, problems = read_table(input_path)
    report = ScoreReport(read=len(records) + len(problems), unreadable=list(problems))
    limit = model.max_chars
    rows, todo = [], []
    for rec in records:
        row = {c: rec.values.get(c, "") for c in columns}
        text = row.get("text")
        text = "" if text is None else str(text)
        row[ERROR_COLUMN] = ""
        if not text.strip():
            row[ERROR_COLUMN] = "text is empty"
            report.not_scored.append(Problem(str(input_path), rec.line, "text is empty", "text",
                                             str(row.get("id", "")) or None))
        else:
            if len(text) > limit:
                report.warnings.append(Problem(
                    str(input_path), rec.line, f"text is {len(text):,} characters; scored on the "
                    f"first {limit:,}", "text", str(row.get("id", "")) or None))
            todo.append((len(rows), text))
        rows.append(row)
    labels = list(model.labels)
    scores = model.score([text for _, text in todo])
    for (i, _), p, f in zip(todo, scores.proba, scores.flags):
        for label, value in zip(labels, p):
            rows[i][f"p_{label}"] = round(float(value), 6)
        rows[i]["labels"] = join_labels(f)
        report.flagged += bool(f)
    report.scored = len(todo)
    for row in rows:
        for label in labels:
            row.setdefault(f"p_{label}", "")
        row.setdefault("labels", "")
    base = [c for c in columns if c != "labels" and not c.startswith("p_") and c != ERROR_COLUMN]
    out_columns = base + [f"p_{label}" for label in labels] + ["labels", ERROR_COLUMN]
    write_table(output_path, rows, out_columns)
    return report
