"""``moderation evaluate``: the model's metrics on any labelled file."""
from __future__ import annotations

import argparse
import json

from moderation.cli._common import add_model_option, load_model_arg, print_problems


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="metrics of a model on a labelled file",
                       description="Per-label precision, recall, F1, ROC-AUC, PR-AUC and "
                                   "macro/micro F1 on a seed-format file; for a 0/1 target file "
                                   "(toxic, advertising) the metrics of that target.")
    add_model_option(p)
    p.add_argument("--data", required=True, metavar="FILE", help="labelled CSV or JSONL file")
    p.add_argument("--map", action="append", default=[], metavar="COLUMN=LABEL[|LABEL]",
                   help="target column -> labels (default toxic=insult|improper, "
                        "advertising=advertising)")
    p.add_argument("--json", metavar="OUT", default=None, help="write the metrics as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from moderation.classifier.dataset import parse_mapping
    from moderation.classifier.evaluation import evaluate_file
    from moderation.classifier.metrics import format_metrics
    from moderation.tables import atomic_path

    model = load_model_arg(args)
    result = evaluate_file(model, args.data, parse_mapping(args.map))
    if "labels" in result:
        if result["problems"]:
            print(f"{len(result['problems'])} rows left out:")
            print_problems(result["problems"])
        print(f"{result['rows']:,} rows, model {model.version}")
        print(format_metrics(result))
    else:
        for column, m in result["targets"].items():
            roc = "-" if m["roc_auc"] is None else f"{m['roc_auc']:.3f}"
            pr = "-" if m["pr_auc"] is None else f"{m['pr_auc']:.3f}"
            print(f"{column} ({m['target']}): n {m['n']}, positives {m['support']}, precision "
                  f"{m['precision']:.3f}, recall {m['recall']:.3f}, F1 {m['f1']:.3f}, ROC-AUC "
                  f"{roc}, PR-AUC {pr}")
    if args.json:
        with atomic_path(args.json) as tmp:
            tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0
