"""``moderation train``: train on the seed corpus (plus extra files or decisions), save."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from moderation.cli._common import Progress, print_problems
from moderation.errors import DataError
from moderation.settings import get_settings


def register(sub) -> None:
    p = sub.add_parser("train", help="train a model and save it as a bundle",
                       description="Train on the bundled seed corpus, plus any --data files and "
                                   "--from-db decisions; print cross-validated metrics; save.")
    p.add_argument("--data", nargs="+", default=[], metavar="FILE",
                   help="extra labelled files (seed format, or id,text,<column> with --map)")
    p.add_argument("--map", action="append", default=[], metavar="COLUMN=LABEL[|LABEL]",
                   help="map a 0/1 column of --data files to labels, e.g. toxic=insult")
    p.add_argument("--no-seed", action="store_true", help="leave the bundled seed corpus out")
    p.add_argument("--from-db", metavar="URL", default=None,
                   help="also train on moderators' decisions from this store (recorded in the "
                        "manifest as decisions_until)")
    p.add_argument("--decision-weight", metavar="W", default="auto",
                   help="weight of a decided row against a seed row with --from-db: a number, "
                        "or 'auto' (default) to choose among 1, 3, 10, 30 by cross-validation "
                        "on the decisions")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="where to write the bundle (default: $MODERATION_MODEL_DIR or "
                        "<data dir>/model)")
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    p.add_argument("--target-precision", action="append", default=[], metavar="LABEL=P",
                   help="pick LABEL's threshold for precision P instead of best F1")
    p.add_argument("--no-shared-eval", action="store_true",
                   help="skip scoring ../shared/data/eval after training")
    p.add_argument("--no-independent-eval", action="store_true",
                   help="skip scoring the bundled independently written sets "
                        "(moderation/data/eval) after training")
    p.add_argument("--json", metavar="OUT", default=None, help="also write the metrics as JSON")
    p.add_argument("--strict", action="store_true", help="fail on any bad row")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=run)


def _target_precision(items: list[str]) -> dict[str, float]:
    from moderation.taxonomy import BY_NAME

    out = {}
    for item in items:
        label, _, value = item.partition("=")
        if label not in BY_NAME:
            raise DataError(f"--target-precision {item!r}: unknown label {label!r}")
        try:
            out[label] = float(value)
        except ValueError:
            raise DataError(f"--target-precision {item!r}: {value!r} is not a number") from None
        if not 0 < out[label] <= 1:
            raise DataError(f"--target-precision {item!r}: precision must be in (0, 1]")
    return out


def refuse_eval_path(path: Path) -> None:
    if "eval" in Path(path).resolve().parts:
        raise DataError("files under an 'eval' folder are for evaluation only and are never "
                        "trained on", path=str(path))


def collect(args: argparse.Namespace, progress):
    """The training rows, and (with ``--from-db``) the sample weights and what the manifest
    records about the decisions: ``(data, sample_weight or None, extra manifest entries)``."""
    from moderation.classifier.dataset import LabelledData, load_seed, parse_mapping, read_labelled

    mapping = parse_mapping(args.map)
    parts = [] if args.no_seed else [load_seed()]
    for f in args.data:
        refuse_eval_path(Path(f))
        parts.append(read_labelled(f, mapping=mapping))
    if not args.from_db:
        return LabelledData.concat(parts), None, {}
    from moderation.learning.data import no_rows, training_set
    from moderation.store import open_store

    store = open_store(args.from_db)
    try:
        rows = training_set(store, base=LabelledData.concat(parts) if parts else no_rows())
    finally:
        store.dispose()
    progress(f"{rows.decisions:,} decided comments from the store (decision ids up to "
             f"{rows.decisions_until})")
    weight = _decision_weight(args.decision_weight, rows, progress)
    return rows.data, weight.weights(rows.decided), {
        "decisions_until": rows.decisions_until, "decisions_used": rows.decisions,
        "decision_weight": weight.as_dict()}


def _decision_weight(value: str, rows, progress):
    from moderation.learning.weighting import choose_weight, fixed_weight

    if value == "auto":
        return choose_weight(rows.data, rows.decided, progress=progress)
    try:
        weight = float(value)
    except ValueError:
        raise DataError(f"--decision-weight {value!r}: give a number or 'auto'") from None
    if not weight > 0:
        raise DataError(f"--decision-weight {value!r}: the weight must be positive")
    return fixed_weight(weight, rows.decisions, "given with --decision-weight")


SHORT = {"political_pr": "pol_pr", "personal_feud": "feud", "advertising": "ads",
         "insult": "insult", "baseless_accusation": "accuse", "improper": "improper"}


def format_independent(results: dict[str, dict]) -> str:
    """A short table: per file macro/micro F1, per-label F1, disguised vs plain recall."""
    from moderation.classifier.metrics import fmt_score as _num
    from moderation.classifier.metrics import slice_phrases

    labels = list(next(iter(results.values()))["labels"])
    lines = ["Independently written comments (never trained on; ~300 rows each, so every "
             "figure is rough):",
             f"{'file':<20}{'rows':>5}{'macro F1':>9}{'(95% CI)':>14}{'micro':>7}"
             + "".join(f"{SHORT.get(label, label[:8]):>9}" for label in labels)]
    for name, m in results.items():
        ci = m.get("macro_f1_ci")
        ci_text = f"({ci[0]:.2f}-{ci[1]:.2f})" if ci else "-"
        f1s = "".join(f"{_num(m['labels'][label]['f1']) if label in m['labels'] else '-':>9}"
                      for label in labels)
        lines.append(f"{name:<20}{m['rows']:>5}{_num(m['macro_f1']):>9}{ci_text:>14}"
                     f"{m['micro_f1']:>7.3f}{f1s}")
    for name, m in results.items():
        parts = slice_phrases(m)
        if parts:
            lines.append(f"  {name}: " + "; ".join(parts))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from moderation.classifier.bundle import save_bundle
    from moderation.classifier.card import model_card
    from moderation.classifier.evaluation import evaluate_independent, evaluate_shared
    from moderation.classifier.metrics import format_metrics
    from moderation.classifier.training import train_model
    from moderation.learning.card import learning_card

    progress = Progress(args.quiet)
    data, sample_weight, extra_manifest = collect(args, progress)
    if data.problems:
        print(f"{len(data.problems)} rows left out:", file=sys.stderr)
        print_problems(data.problems)
        if args.strict:
            raise DataError(f"{len(data.problems)} bad rows (--strict)")
    out = Path(args.out or get_settings().model_dir)
    model = train_model(data, None, folds=args.folds, progress=progress,
                        target_precision=_target_precision(args.target_precision),
                        sample_weight=sample_weight, extra_manifest=extra_manifest)
    cv = model.manifest["metrics"]["cv"]
    print("Cross-validated metrics (folds grouped by article):")
    print(format_metrics(cv))
    if "recall_disguised" in cv:
        print(f"recall on disguised violations {cv['recall_disguised']:.3f}, "
              f"on plain ones {cv['recall_plain']:.3f}")
    if not args.no_shared_eval:
        shared = evaluate_shared(model)
        if shared:
            progress("scored ../shared/data/eval (evaluation only)")
            model.manifest["metrics"]["shared_eval"] = shared
            for name, m in shared.items():
                roc = "-" if m["roc_auc"] is None else f"{m['roc_auc']:.3f}"
                print(f"{name:<26} {m['target']:<32} F1 {m['f1']:.3f}  ROC-AUC {roc}")
    if not args.no_independent_eval:
        independent = evaluate_independent(model)
        if independent:
            progress("scored the independently written sets (evaluation only)")
            model.manifest["metrics"]["independent_eval"] = independent
            print(format_independent(independent))
    card = model_card(model.manifest) + learning_card(model.manifest)
    saved = save_bundle(model, out, card=card)
    print(f"saved model {saved.version} to {saved.path} "
          f"({model.manifest['train_seconds']:.1f} s training)")
    if args.json:
        from moderation.tables import atomic_path

        with atomic_path(args.json) as tmp:
            tmp.write_text(json.dumps(saved.manifest["metrics"], indent=2, ensure_ascii=False),
                           encoding="utf-8")
    return 0
