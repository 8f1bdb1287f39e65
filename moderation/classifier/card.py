"""MODEL_CARD.md, written from the manifest so the card and the figures cannot disagree."""
from __future__ import annotations

from moderation.classifier.metrics import fmt_score as _fmt
from moderation.classifier.metrics import slice_phrases
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


def _independent(results: dict) -> list[str]:
    """The section on the bundled independently written sets (``moderation/data/eval``)."""
    positives = [m["support"] for r in results.values() for m in r.get("labels", {}).values()]
    rows = [r.get("rows", 0) for r in results.values()]
    half = [(m["f1_ci"][1] - m["f1_ci"][0]) / 2 for r in results.values()
            for m in r.get("labels", {}).values() if m.get("f1_ci")]
    spread = (f"the per-label F1 intervals below reach ±{min(half):.2f} to ±{max(half):.2f}"
              if half else "a per-label F1 can move by several points with another sample")
    lines = [
        "", "## Independently written comments (never trained on)",
        "Comments written for this project by other writers who followed the same label "
        "guide (LABELING.md) but never saw the training rows (`moderation/data/eval`, see the "
        "data card): A (local news), B (national, war and world news, spam) and C (replies "
        "to other readers, local names, prices, emotional clean comments, threats, revealed "
        "positions, propaganda, slurs). They show how the model does on comments that do "
        "not share the training writers' habits. Training refuses files under an `eval` "
        "folder.",
        "",
        f"They are small ({min(rows)} to {max(rows)} rows per file, {min(positives, default=0)} "
        f"to {max(positives, default=0)} positives per label), so every figure below is rough: "
        f"{spread}. The intervals are 95% bootstrap intervals over rows: they show sampling "
        "noise only, not the bias of particular writers. The thresholds are the model's "
        "own, chosen on its cross-validated training predictions.",
    ]
    for name, m in results.items():
        ci = m.get("macro_f1_ci")
        ci_text = f" (95% interval {ci[0]:.3f} to {ci[1]:.3f})" if ci else ""
        lines += ["", f"### {name} ({m.get('rows')} rows)", "",
                  "| label | positives | precision | recall | F1 | F1 95% interval | ROC-AUC | "
                  "PR-AUC |",
                  "|---|---:|---:|---:|---:|---|---:|---:|"]
        for label, lm in m.get("labels", {}).items():
            f1_ci = lm.get("f1_ci")
            interval = f"{f1_ci[0]:.2f} to {f1_ci[1]:.2f}" if f1_ci else "-"
            lines.append(f"| {label} | {lm['support']} | {_fmt(lm['precision'])} | "
                         f"{_fmt(lm['recall'])} | {_fmt(lm['f1'])} | {interval} | "
                         f"{_fmt(lm['roc_auc'])} | {_fmt(lm['pr_auc'])} |")
        lines += ["", f"Macro F1 {_fmt(m.get('macro_f1'))}{ci_text}, micro F1 "
                      f"{_fmt(m.get('micro_f1'))}."]
        lines += [phrase[0].upper() + phrase[1:] + "." for phrase in slice_phrases(m)]
        by_label = m.get("disguise_by_label", {})
        if by_label:
            lines.append("Per label, recall on disguised vs plain positives: " + "; ".join(
                f"{label} " + " vs ".join(
                    f"{v[kind]['recall']:.2f} ({v[kind]['positives']})" if kind in v else "- (0)"
                    for kind in ("disguised", "plain"))
                for label, v in by_label.items()) + ".")
    lines += ["", "Disguised rows are few and their label mix differs from plain rows (see the "
                  "per-label counts above), so the overall disguised vs plain comparison mixes "
                  "the effect of the disguise with the difficulty of the labels involved; the "
                  "per-label figures on a handful of disguised positives are anecdotes, not "
                  "estimates."]
    return lines


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
    if "clean_flagged" in cv:
        lines += ["", f"Clean comments flagged: {cv['clean_flagged']:.1%} of {cv['clean_rows']}."]
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
    independent = manifest.get("metrics", {}).get("independent_eval")
    if independent:
        lines += _independent(independent)
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
