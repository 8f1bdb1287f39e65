"""The model card's section on the learning loop: decisions used, their weight, and the
comparison with the model that was current when this one was trained."""
from __future__ import annotations

from moderation.learning.comparison import Comparison, LabelComparison


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ci(ci) -> str:
    return "-" if ci is None else f"{ci[0]:+.3f} to {ci[1]:+.3f}"


def _row(c: LabelComparison) -> str:
    verdict = "worse" if c.worse else "better" if c.better else "within noise"
    if c.diff is None:
        verdict = "no positives"
    return (f"| {c.label} | {c.support} | {_num(c.current_f1)} | {_num(c.candidate_f1)} | "
            f"{'-' if c.diff is None else f'{c.diff:+.3f}'} | {_ci(c.diff_ci)} | {verdict} |")


def learning_card(manifest: dict) -> str:
    """Markdown lines for ``MODEL_CARD.md`` (empty when the model was not retrained from a
    store)."""
    if "decisions_until" not in manifest:
        return ""
    weight = manifest.get("decision_weight", {})
    lines = ["", "## Learning loop",
             f"- moderators' decisions used: {manifest.get('decisions_used', 0)} (decision ids up "
             f"to {manifest['decisions_until']}; later decisions were never seen by this model)",
             f"- weight of a decided row against a seed row: {weight.get('weight', 1)} "
             f"({weight.get('reason', '')})"]
    scores = weight.get("scores") or []
    if scores:
        lines.append("- cross-validated macro F1 on the decisions per candidate weight: "
                     + ", ".join(f"{s['weight']:g}: {_num(s['macro_f1_decisions'])}"
                                 for s in scores))
    raw = manifest.get("comparison")
    if not raw:
        return "\n".join(lines) + "\n"
    comparison = Comparison.from_dict(raw)
    lines += ["", "### Comparison with the model current at training time",
              "On decided comments neither model was trained on (the newest decisions, held "
              "out from a candidate trained the same way; this model was then fitted on them "
              "too). Intervals: 95% paired bootstrap."]
    if not comparison.rows:
        lines += ["", f"No comparison: {comparison.reason}."]
        return "\n".join(lines) + "\n"
    lines += ["", f"{comparison.rows} comments (decisions {comparison.first_decision}-"
                  f"{comparison.last_decision}); clean ones flagged: current "
                  f"{comparison.clean_flagged_current}/{comparison.clean_rows}, candidate "
                  f"{comparison.clean_flagged_candidate}/{comparison.clean_rows}.", "",
              "| label | positives | current F1 | candidate F1 | difference | 95% interval | |",
              "|---|---:|---:|---:|---:|---|---|"]
    lines += [_row(c) for c in comparison.labels]
    if comparison.macro is not None:
        lines.append(_row(comparison.macro))
    return "\n".join(lines) + "\n"
