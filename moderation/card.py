"""MODEL_CARD.md, written from the manifest so the card and the figures cannot disagree."""
from __future__ import annotations

from moderation.taxonomy import LABEL_DEFS, SITE_RULE


def _table(metrics: dict) -> list[str]:
    rows = ["| label | rows | positives | precision | recall | F1 | ROC-AUC | PR-AUC | threshold |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, m in metrics.get("labels", {}).items():
        fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
        rows.append(f"| {label} | {m['n']} | {m['support']} | {fmt(m['precision'])} | "
                    f"{fmt(m['recall'])} | {fmt(m['f1'])} | {fmt(m['roc_auc'])} | "
                    f"{fmt(m['pr_auc'])} | {m['threshold']:.3f} |")
    if metrics.get("macro_f1") is not None:
        rows.append("")
        rows.append(f"Macro F1 {metrics['macro_f1']:.3f}, micro F1 {metrics['micro_f1']:.3f}.")
    return rows


def model_card(manifest: dict) -> str:
    td = manifest.get("training_data", {})
    cv = manifest.get("metrics", {}).get("cv", {})
    lines = [
        f"# Model card: comment moderation model {manifest.get('model_version', '')}",
        "",
        "## Intended use",
        "Flags reader comments on a Ukrainian regional news site for human review under the "
        "site's rule:",
        "",
        f"> {SITE_RULE}",
        "",
        "It ranks and pre-labels comments for moderators; a moderator confirms or overrides "
        "every flag. It is not meant to remove comments on its own, nor to judge people.",
        "",
        "## Labels",
    ]
    lines += [f"- `{d.name}` ({d.title_uk}): {d.rule_uk}" for d in LABEL_DEFS]
    lines += [
        "",
        "## Training data",
        f"- rows: {td.get('rows')}; fingerprint `{str(td.get('fingerprint', ''))[:16]}`",
        f"- sources: {td.get('sources')}",
        f"- positives per label: {td.get('label_counts')}",
        f"- created: {manifest.get('created_at')}",
        "",
        "## Quality (cross-validated, folds grouped by article)",
        "Out-of-fold predictions of models that did not see the comment's article; thresholds "
        "are chosen on these same predictions, so the figures are slightly optimistic.",
        "",
        *_table(cv),
    ]
    if "recall_disguised" in cv:
        lines += ["", f"Recall on disguised violating rows {cv['recall_disguised']:.3f} vs plain "
                      f"{cv.get('recall_plain', float('nan')):.3f}."]
    if cv.get("by_lang"):
        lines += ["", "Macro F1 by language: " + ", ".join(
            f"{k} {v['macro_f1']:.3f} ({v['rows']} rows)" for k, v in cv["by_lang"].items())]
    shared = manifest.get("metrics", {}).get("shared_eval")
    if shared:
        lines += ["", "## Public evaluation files (never trained on)", "",
                  "| file | target | rows | F1 | precision | recall | ROC-AUC |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        for name, m in shared.items():
            roc = "-" if m.get("roc_auc") is None else f"{m['roc_auc']:.3f}"
            lines.append(f"| {name} | {m['target']} | {m['n']} | {m['f1']:.3f} | "
                         f"{m['precision']:.3f} | {m['recall']:.3f} | {roc} |")
    lines += [
        "",
        "## Known limits",
        "- Trained on a hand-written seed corpus of about 3,000 comments (see the data card): "
        "vocabulary outside it, new slang and new disguises are learned only from moderators' "
        "decisions.",
        "- `political_pr`, `personal_feud` and `baseless_accusation` depend on context (who is "
        "named, whether a source is cited) that word features see only partly: expect more "
        "misses and false flags there than for advertising or obscenity.",
        "- Sarcasm and quotes of someone else's abuse are often misread.",
        "- Scores are not calibrated probabilities across sites; thresholds were tuned on this "
        "site's rules.",
    ]
    return "\n".join(lines) + "\n"
