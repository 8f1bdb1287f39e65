"""``moderation explain``: which words pushed each flagged label, as spans of the text."""
from __future__ import annotations

import argparse
import json

from moderation.cli._common import add_model_option, load_model_arg


def register(sub) -> None:
    p = sub.add_parser("explain", help="why a comment is flagged",
                       description="For each flagged label: its probability and the words or "
                                   "n-grams that pushed it, as character spans of the ORIGINAL "
                                   "text (so a disguised word is highlighted as written).")
    add_model_option(p)
    p.add_argument("text", help="the comment")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    model = load_model_arg(args)
    proba = model.predict_proba([args.text]).iloc[0]
    spans = model.explain(args.text)
    if args.json:
        print(json.dumps({
            "probabilities": {k: round(float(v), 4) for k, v in proba.items()},
            "flagged": {label: [{"start": s.start, "end": s.end, "text": s.text,
                                 "weight": s.weight} for s in found]
                        for label, found in spans.items()},
        }, ensure_ascii=False, indent=2))
        return 0
    if not spans:
        print("no label flagged; highest: " + ", ".join(
            f"{k} {v:.2f}" for k, v in proba.sort_values(ascending=False).head(3).items()))
        return 0
    for label, found in spans.items():
        print(f"{label}: p={proba[label]:.3f} (threshold {model.thresholds[label]:.3f})")
        for s in found:
            print(f"  [{s.start}:{s.end}] {s.text!r}  +{s.weight:.3f}")
    return 0
