"""Benchmark: does the learning loop improve the model on comments it did not see?

    python benchmarks/feedback_loop.py [--folds 5] [--json OUT]

1. trains the default model on the bundled seed corpus ("before");
2. ingests independent set A (``moderation/data/eval/independent_a.csv``, 300 comments) into
   a fresh SQLite store with that model, every comment into a queue;
3. imports A's gold labels as past moderation outcomes (``moderation decisions import``:
   ``moderation.queue.imports.import_decisions``, decisions marked ``import``);
4. retrains from the database as the «Модель» page's job does
   (``moderation.learning.retrain.retrain``: decision weight chosen by cross-validation on
   the decisions, model fitted on the seed corpus plus every decision) -- "after"; and, for
   contrast, the same rows with every decision weighted 1 ("after, w=1");
5. scores independent sets B and C (never trained on, written by other people) with each
   model and prints, per label and for macro F1, the figures and the paired difference
   after - before with its 95% bootstrap interval, plus the share of clean comments flagged.

Everything is written under a temporary directory; nothing touches the data directory. A
script, not a test: it is meant to be read by a person. (Using set A as decisions is what
this benchmark is for: the shipped model never trains on anything under ``eval/``.)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import numpy as np

EVAL = Path(str(resources.files("moderation") / "data" / "eval"))
SET_A, TESTS = EVAL / "independent_a.csv", ("independent_b.csv", "independent_c.csv")


def import_gold(store, path: Path, out: Path) -> int:
    """Import the gold labels of the labelled file ``path`` as decisions (through a file of
    ``id,labels``, as a site would export its history); the number imported."""
    import csv

    from moderation.queue.imports import import_decisions

    with open(path, encoding="utf-8", newline="") as src, \
            open(out, "w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(["id", "labels"])
        writer.writerows((row["id"], row["labels"]) for row in csv.DictReader(src))
    return import_decisions(store, out, "benchmark").imported


def clean_flag_rate(model, data) -> float:
    clean = (data.Y == 0).all(axis=1)
    hits = model.score([t for t, c in zip(data.texts, clean) if c]).hits
    return float(hits.any(axis=1).mean())


def evaluate(models: dict, path: Path) -> dict:
    from moderation.classifier.dataset import read_labelled
    from moderation.learning.comparison import compare

    data = read_labelled(path)
    before = models["before"]
    out = {"rows": len(data), "models": {}}
    for name, model in models.items():
        c = compare(before, model, data.texts, data.Y, resamples=2000)
        out["models"][name] = {
            "clean_flagged": clean_flag_rate(model, data),
            "labels": {row.label: {"f1": row.candidate_f1, "diff": row.diff,
                                   "diff_ci": row.diff_ci} for row in (*c.labels, c.macro)},
            "before": {row.label: row.current_f1 for row in (*c.labels, c.macro)}}
    return out


def print_table(name: str, result: dict) -> None:
    names = [n for n in result["models"] if n != "before"]
    before = result["models"]["before"]
    print(f"\n{name} ({result['rows']} rows, never trained on)")
    header = f"{'label':<20}{'before':>8}" + "".join(
        f"{n:>13}{'change (95% CI)':>26}" for n in names)
    print(header)
    for label in before["labels"]:
        f1 = before["labels"][label]["f1"]
        line = f"{label:<20}{'-' if f1 is None else f'{f1:.3f}':>8}"
        for n in names:
            row = result["models"][n]["labels"][label]
            if row["f1"] is None:
                line += f"{'-':>13}{'-':>26}"
                continue
            lo, hi = row["diff_ci"]
            change = f"{row['diff']:+.3f} ({lo:+.3f}..{hi:+.3f})"
            line += f"{row['f1']:>13.3f}{change:>26}"
        print(line)
    line = f"{'clean flagged':<20}{before['clean_flagged']:>8.1%}"
    for n in names:
        line += f"{result['models'][n]['clean_flagged']:>13.1%}{'':>26}"
    print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", default=None, metavar="OUT")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="feedback-loop-"))
    os.environ.update(MODERATION_DATA_DIR=str(tmp / "data"),
                      MODERATION_MODEL_DIR=str(tmp / "data" / "model"),
                      MODERATION_DB_URL=f"sqlite:///{tmp / 'feedback.db'}")
    from moderation.auth import Moderator
    from moderation.classifier.dataset import load_seed
    from moderation.classifier.training import train_model
    from moderation.learning.data import training_set
    from moderation.learning.retrain import retrain
    from moderation.queue.ingest import ingest_file
    from moderation.store import open_store

    t0 = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - t0:6.0f}s] {message}", file=sys.stderr, flush=True)

    before = train_model(load_seed(), folds=args.folds)
    say(f"before: seed corpus only, {before.version}")
    store = open_store(os.environ["MODERATION_DB_URL"])
    summary = ingest_file(store, SET_A, before, spot_check_rate=1.0)
    decided = import_gold(store, SET_A, tmp / "history.csv")
    say(f"set A: {summary.stored} comments ingested, {decided} gold labels imported as decisions")
    candidate = retrain(Moderator("benchmark", "admin"), store, before, tmp / "candidate",
                        folds=args.folds, evaluate=False, progress=say)
    from moderation import load_model

    after = load_model(candidate.path)
    say(f"after: {candidate.rows} rows, decision weight {candidate.weight.weight:g} "
        f"(cross-validated macro F1 on the decisions: {candidate.weight.scores})")
    rows = training_set(store)
    flat = train_model(rows.data, folds=args.folds)
    say("after, w=1: the same rows, every decision weighted 1")
    store.dispose()
    models = {"before": before, "after w=1": flat, f"after w={candidate.weight.weight:g}": after}
    results = {name: evaluate(models, EVAL / name) for name in TESTS}
    print(f"Learning loop: seed corpus + {decided} decisions from independent set A; "
          f"weight {candidate.weight.weight:g} chosen among "
          f"{', '.join(f'{w:g}' for w in candidate.weight.scores)} by {candidate.weight.folds}"
          "-fold cross-validation on the decisions (grouped by article)")
    for name, result in results.items():
        print_table(name, result)
    macro = {name: {m: r["models"][m]["labels"]["macro"]["f1"] for m in models}
             for name, r in results.items()}
    print("\nmacro F1: " + "; ".join(
        f"{name} " + ", ".join(f"{m} {v:.3f}" for m, v in ms.items())
        for name, ms in macro.items()))
    print(f"total {time.perf_counter() - t0:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"weight": candidate.weight.as_dict(), "decisions": decided, "results": results},
            indent=2, default=lambda v: v.tolist() if isinstance(v, np.ndarray) else str(v)),
            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
