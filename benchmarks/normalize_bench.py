"""Benchmark: normalisation throughput on real comments, optionally against an older version.

    python benchmarks/normalize_bench.py [--repeats 3] [--against OLD_NORMALIZE_PY]

    # e.g. the version before a change:
    git show main:moderation/text/normalize.py > /tmp/normalize_before.py
    python benchmarks/normalize_bench.py --against /tmp/normalize_before.py

Texts: the unique comments of ``../shared/data`` (eval and train files, written by other
people; see ``classifier_bench.real_comments``), read where they are, never copied. Time is
CPU time (``time.process_time``), so other processes on a shared machine disturb it less.
With ``--against``, both versions normalise the same chunks of texts in alternating order
(40 chunks, each timed with both), and the ratio of the totals is printed: a drift of the
machine's speed hits both alike. The older file is loaded as a module of its own; it must
import only what the current package provides.

A script, not a test: speed targets are checked by people, not by timed unit tests.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

from classifier_bench import SHARED, real_comments

from moderation.text import normalize as current

CHUNKS = 40


def load(path: Path):
    spec = importlib.util.spec_from_file_location("normalize_against", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def timed(fn, texts: list[str]) -> float:
    start = time.process_time()
    for text in texts:
        fn(text)
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--against", type=Path, help="an older normalize.py to compare with")
    args = parser.parse_args(argv)
    texts = real_comments()
    if not texts:
        print(f"no texts under {SHARED}: nothing to measure")
        return 0
    versions = {"current": current}
    if args.against:
        versions["against"] = load(args.against)
    chars = sum(map(len, texts))
    print(f"{len(texts):,} unique texts, {chars:,} characters, {args.repeats} repeats")
    chunks = [texts[i::CHUNKS] for i in range(CHUNKS)]
    for name in ("normalize", "normalize_with_map"):
        fns = {v: getattr(m, name) for v, m in versions.items()}
        for fn in fns.values():  # warm up: compiled patterns, lazily built tables
            for text in texts[:300]:
                fn(text)
        total = dict.fromkeys(fns, 0.0)
        for rep in range(args.repeats):
            for i, chunk in enumerate(chunks):
                order = list(fns) if (i + rep) % 2 == 0 else list(reversed(fns))
                for v in order:
                    total[v] += timed(fns[v], chunk)
        n = len(texts) * args.repeats
        per_text = chars / len(texts)
        line = "  ".join(f"{v} {n / t:,.0f} texts/s ({n / t * per_text / 1e6:.2f} M chars/s)"
                         for v, t in total.items())
        if "against" in total:
            line += f"  current/against {total['against'] / total['current']:.3f}"
        print(f"{name:18s} {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
