"""Coverage-guided fuzzing of normalisation with atheris (a script, not a test).

    python benchmarks/fuzz_normalize.py -runs=200000          # or -max_total_time=60
    python benchmarks/fuzz_normalize.py -max_len=200000 -timeout=5

Each input is decoded as UTF-8 (invalid bytes replaced) and checked: normalize and
normalize_with_map agree, the map has one span per output character inside the input,
normalising is idempotent, and one call takes under 2 s (a hang is a finding). libFuzzer
options pass straight through; a failure writes a crash-* file with the input.
"""
import sys
import time

import atheris

with atheris.instrument_imports():
    from moderation.text.normalize import normalize, normalize_with_map

LIMIT_SECONDS = 2.0


def check(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    start = time.perf_counter()
    out = normalize(text)
    took = time.perf_counter() - start
    if took > LIMIT_SECONDS:
        raise AssertionError(f"normalize took {took:.2f} s on {len(text):,} characters")
    mapped, spans = normalize_with_map(text)
    if mapped != out or len(spans) != len(out):
        raise AssertionError("normalize_with_map disagrees with normalize")
    if any(not 0 <= a <= b <= len(text) for a, b in spans):
        raise AssertionError("a span points outside the input")
    if normalize(out) != out:
        raise AssertionError("normalize is not idempotent here")


if __name__ == "__main__":
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()
