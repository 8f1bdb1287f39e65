"""Benchmark: the project's model against the like-for-like stock scikit-learn pipeline.

    python benchmarks/classifier_bench.py [--repeats 3] [--calls 1000] [--json OUT]

Baseline (``../shared/PERFORMANCE.md``): the same feature kinds with stock scikit-learn,
``make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True))`` +
``OneVsRestClassifier(LogisticRegression())``, trained on the seed corpus. Both models are
trained once, saved, and every measurement runs in a fresh subprocess that loads the saved
model, so nothing measured is warm:

- cold throughput: the unique real comments of ``../shared/data`` (eval and train files,
  written by other people), scored once in one call (ours ``model.score(texts)``, the
  baseline ``predict_proba(texts)``);
  median of ``--repeats`` processes per model, alternating;
- single-comment latency: ``--calls`` calls with one real comment each, p50 / p99;
- memory: peak resident memory of ONE call on 2,000 comments of 20,000 characters of words
  no model has seen, above the process after loading the model and building the input;
- training: ours with its 5-fold cross-validation (``train_model``), the baseline's plain
  fit for comparison.

It prints one table with the targets of the issue "One simple classifier path" and PASS or
FAIL for each. A script, not a test: it is meant to be read by a person.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
TARGETS = {"throughput_ratio": 1.0, "memory_mb": 600.0, "train_s": 60.0}


def real_comments() -> list[str]:
    """The unique texts of the labelled public files (eval and train), in a fixed order."""
    texts = set()
    for path in sorted([*SHARED.glob("eval/*.csv"), *SHARED.glob("train/*.csv")]):
        with open(path, encoding="utf-8", newline="") as fh:
            texts.update(row["text"] for row in csv.DictReader(fh) if row.get("text"))
    return sorted(texts)


def new_words_comments(n: int = 2000, chars: int = 20_000, seed: int = 0) -> list[str]:
    """``n`` comments of ``chars`` characters of random Cyrillic words (none in any model)."""
    rng = random.Random(seed)
    letters = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
    out = []
    for _ in range(n):
        words, size = [], 0
        while size < chars:
            word = "".join(rng.choice(letters) for _ in range(rng.randint(3, 12)))
            words.append(word)
            size += len(word) + 1
        out.append(" ".join(words)[:chars])
    return out


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- inside a subprocess
def _load(kind: str, path: str):
    if kind == "ours":
        from moderation import load_model

        return load_model(path)
    import joblib

    return joblib.load(path)


def _proba(kind: str, model, texts):
    """Ours: ``score``, the one batch call ingest and the service use (probabilities with the
    flags, priority and uncertainty derived from them); the baseline: ``predict_proba``."""
    return model.score(texts) if kind == "ours" else model.predict_proba(texts)


def child(kind: str, path: str, task: str, calls: int) -> dict:
    model = _load(kind, path)
    if task == "throughput":
        texts = real_comments()
        t0 = time.perf_counter()
        _proba(kind, model, texts)
        seconds = time.perf_counter() - t0
        return {"texts": len(texts), "seconds": seconds, "per_s": len(texts) / seconds}
    if task == "latency":
        texts = real_comments()[:calls]
        times = []
        for text in texts:
            t0 = time.perf_counter()
            _proba(kind, model, [text])
            times.append(time.perf_counter() - t0)
        ms = sorted(t * 1000 for t in times)
        return {"p50_ms": statistics.median(ms), "p99_ms": ms[round(0.99 * (len(ms) - 1))]}
    if task == "memory":
        texts = new_words_comments()
        before = _rss_mb()
        _proba(kind, model, texts)
        return {"input_mb": sum(len(t) for t in texts) * 2 / 2**20, "before_mb": before,
                "peak_mb": _peak_mb(), "above_mb": _peak_mb() - before}
    raise ValueError(task)


def train(kind: str, out: str) -> dict:
    from moderation.classifier.dataset import load_seed

    data = load_seed()
    t0 = time.perf_counter()
    if kind == "ours":
        from moderation.classifier.training import train_model

        train_model(data, out, folds=5)
    else:
        import joblib
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_pipeline, make_union

        baseline = make_pipeline(
            make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                       TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4),
                                       sublinear_tf=True)),
            OneVsRestClassifier(LogisticRegression()))
        baseline.fit(data.texts, data.Y)
        joblib.dump(baseline, out)
    return {"seconds": time.perf_counter() - t0}


# ---------------------------------------------------------------- the parent
def run(*args: str) -> dict:
    env = {**os.environ, **{name: "1" for name in THREAD_VARS}}
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                         text=True, env=env, check=False)
    if out.returncode:
        sys.exit(f"child {args} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--json", metavar="OUT")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "train":
            print(json.dumps(train(args.child[1], args.child[2])))
        else:
            kind, path, task = args.child
            print(json.dumps(child(kind, path, task, args.calls)))
        return 0
    if not SHARED.is_dir():
        sys.exit(f"no real comments: {SHARED} is missing")
    with tempfile.TemporaryDirectory() as tmp:
        paths = {"ours": str(Path(tmp) / "model"), "baseline": str(Path(tmp) / "baseline.joblib")}
        result: dict = {"train": {kind: run("train", kind, path) for kind, path in paths.items()}}
        runs: dict = {"ours": [], "baseline": []}
        for _ in range(args.repeats):
            for kind in runs:
                runs[kind].append(run(kind, paths[kind], "throughput"))
        result["throughput"] = runs
        result["latency"] = {kind: run(kind, path, "latency") for kind, path in paths.items()}
        result["memory"] = {kind: run(kind, path, "memory") for kind, path in paths.items()}
    report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


def report(r: dict) -> None:
    def median_rate(kind):
        return statistics.median(x["per_s"] for x in r["throughput"][kind])

    ours, base = median_rate("ours"), median_rate("baseline")
    texts = r["throughput"]["ours"][0]["texts"]
    lat_o, lat_b = r["latency"]["ours"], r["latency"]["baseline"]
    mem = r["memory"]["ours"]
    rows = [
        ("cold throughput, real comments, one pass (/s)", f"{ours:,.0f}", f"{base:,.0f}",
         f">= {TARGETS['throughput_ratio']:.1f}x", ours / base >= TARGETS["throughput_ratio"],
         f"{ours / base:.2f}x"),
        ("single comment p50 (ms)", f"{lat_o['p50_ms']:.2f}", f"{lat_b['p50_ms']:.2f}",
         "<= baseline", lat_o["p50_ms"] <= lat_b["p50_ms"],
         f"{lat_o['p50_ms'] / lat_b['p50_ms']:.2f}x"),
        ("single comment p99 (ms)", f"{lat_o['p99_ms']:.2f}", f"{lat_b['p99_ms']:.2f}",
         "<= baseline", lat_o["p99_ms"] <= lat_b["p99_ms"],
         f"{lat_o['p99_ms'] / lat_b['p99_ms']:.2f}x"),
        ("peak memory of one call, 2,000 x 20,000 chars (MB above)",
         f"{mem['above_mb']:.0f}", f"{r['memory']['baseline']['above_mb']:.0f}",
         f"< {TARGETS['memory_mb']:.0f} MB", mem["above_mb"] < TARGETS["memory_mb"], ""),
        ("training on the seed corpus (s; ours incl. 5-fold CV)",
         f"{r['train']['ours']['seconds']:.1f}", f"{r['train']['baseline']['seconds']:.1f}",
         f"< {TARGETS['train_s']:.0f} s", r["train"]["ours"]["seconds"] < TARGETS["train_s"], ""),
    ]
    print(f"{texts:,} unique real comments; throughput runs (ours / baseline): "
          + ", ".join(f"{o['per_s']:,.0f} / {b['per_s']:,.0f}"
                      for o, b in zip(r["throughput"]["ours"], r["throughput"]["baseline"])))
    print(f"memory input {mem['input_mb']:.0f} MB of text; process after loading ours "
          f"{mem['before_mb']:.0f} MB, peak {mem['peak_mb']:.0f} MB")
    print(f"\n{'':58}{'ours':>10}{'baseline':>10}  {'target':<14}{'result':<7}ratio")
    for name, o, b, target, ok, ratio in rows:
        print(f"{name:58}{o:>10}{b:>10}  {target:<14}{'PASS' if ok else 'FAIL':<7}{ratio}")


if __name__ == "__main__":
    sys.exit(main())
