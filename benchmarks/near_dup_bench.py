"""Near-duplicate search (``near_duplicates``) in a store of 1,000,000 comments.

    python benchmarks/near_dup_bench.py [--n 1000000] [--samples 500]
                                        [--backend sqlite|postgresql] [--pg-url URL]

Fills a fresh store (a temporary SQLite file, or a temporary schema on PostgreSQL, dropped
afterwards) with comments and their sketches: ordinary comments of 8-40 words drawn from a
Zipf-distributed vocabulary of 30,000 words (a few very common words, as in real text), and
1% campaign copies: campaigns of 4-line ads (about 50 copies each), each copy with a first
line of its own and, every third copy, its lines in another order, by other authors under
other articles. Then times ``near_duplicates`` of random ordinary comments and of random
campaign copies, and reports p50/p99, how much of its campaign each copy found (recall) and
how many comments were found beside an ordinary one (false matches).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation.queue import near_duplicates  # noqa: E402
from moderation.queue.sketches import band_keys  # noqa: E402
from moderation.store import open_store  # noqa: E402
from moderation.store.schema import comment_sketches, comments, utcnow  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
VOCABULARY = 30_000
CAMPAIGN_SHARE = 0.01  # of the comments; a campaign has about 50 copies
SYLLABLES = "ба ве гі до жу за ки ло ма не ор пу ре си то ук фа хи це чо ша ще юн як".split()


def vocabulary(rng: random.Random) -> list[str]:
    words = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(1, 4))))
    return sorted(words)


class Texts:
    """Ordinary comments (Zipf words) and campaign copies, reproducibly from ``seed``."""

    def __init__(self, campaigns: int, seed: int = 1):
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.words = vocabulary(self.rng)
        weights = 1.0 / np.arange(1, VOCABULARY + 1) ** 1.1
        self.p = weights / weights.sum()
        self.pool, self.at = np.empty(0, dtype=np.int64), 0
        self.bodies = [[self.sentence(8, 16) for _ in range(4)] for _ in range(campaigns)]

    def sentence(self, lo: int, hi: int) -> str:
        k = self.rng.randint(lo, hi)
        if self.at + k > len(self.pool):  # Zipf draws in blocks: one call per 1M words
            self.pool, self.at = self.np_rng.choice(VOCABULARY, size=1_000_000, p=self.p), 0
        idx, self.at = self.pool[self.at:self.at + k], self.at + k
        return " ".join(self.words[i] for i in idx)

    def ordinary(self) -> str:
        return self.sentence(8, 40)

    def copy(self, campaign: int, n: int) -> str:
        lines = list(self.bodies[campaign])
        if n % 3 == 2:
            self.rng.shuffle(lines)
        return "\n".join([self.sentence(3, 8), *lines])


def fill(store, n: int, chunk: int = 5000) -> dict[int, int]:
    """``n`` comments with their sketches; returns the campaign of each campaign copy."""
    campaigns = max(10, int(n * CAMPAIGN_SHARE) // 50)
    texts, now, campaign_of = Texts(campaigns), utcnow(), {}
    copies = [0] * campaigns
    for start in range(0, n, chunk):
        ids = range(start + 1, min(n, start + chunk) + 1)
        batch = {}
        for i in ids:
            if texts.rng.random() < CAMPAIGN_SHARE:
                c = texts.rng.randrange(campaigns)
                batch[i], campaign_of[i] = texts.copy(c, copies[c]), c
                copies[c] += 1
            else:
                batch[i] = texts.ordinary()
        with store.write() as conn:
            conn.execute(comments.insert(), [dict(
                id=i, external_id=f"bench-{i}", text=batch[i], lang="uk",
                author=f"author{i}", article_id=f"art{i % 5000}", ingested_at=now)
                for i in ids])
            conn.execute(comment_sketches.insert(), [
                dict(comment_id=i, band=b, key=k) for i in ids
                for b, k in enumerate(band_keys(batch[i]))])
        if start // chunk % 20 == 0:
            print(f"  {start + len(ids):,}", flush=True)
    if store.dialect == "postgresql":
        with store.write() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:  # the store's SQLite connections refuse ANALYZE (an authorizer): a plain one
        import sqlite3
        with sqlite3.connect(store.engine.url.database) as raw:
            raw.execute("ANALYZE")
    return campaign_of


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


def measure(store, ids: list[int]) -> tuple[list[float], list]:
    times, results = [], []
    for cid in ids:
        t0 = time.perf_counter()
        results.append(near_duplicates(store, cid, limit=1000))
        times.append(time.perf_counter() - t0)
    return times, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("MODERATION_TEST_PG_URL", DEFAULT_PG))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.backend == "sqlite":
            url, schema = f"sqlite:///{Path(tmp) / 'bench.db'}", None
        else:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
            from databases import drop_pg_schema, pg_schema_url
            url, schema = pg_schema_url()
        store = open_store(url)
        try:
            t0 = time.perf_counter()
            campaign_of = fill(store, args.n)
            print(f"filled {args.n:,} comments ({len(campaign_of):,} campaign copies) in "
                  f"{time.perf_counter() - t0:.0f} s ({args.backend})")
            rng = random.Random(2)
            copies = sorted(campaign_of)
            ordinary = [i for i in rng.sample(range(1, args.n + 1), args.samples * 2)
                        if i not in campaign_of][:args.samples]
            size: dict[int, int] = {}
            for c in campaign_of.values():
                size[c] = size.get(c, 0) + 1
            copies = [i for i in copies if size[campaign_of[i]] > 1]
            for name, sample in (("ordinary", ordinary),
                                 ("campaign copy", rng.sample(copies, min(args.samples,
                                                                          len(copies))))):
                times, results = measure(store, sample)
                print(f"near_duplicates, {name:13}: p50 {pct(times, 0.5):6.1f} ms, "
                      f"p99 {pct(times, 0.99):6.1f} ms ({len(sample)} samples)")
                if name == "ordinary":
                    false = [r.count for r in results]
                    print(f"  found beside an ordinary comment: mean {statistics.mean(false):.3f}"
                          f", max {max(false)}")
                else:
                    recall = [sum(campaign_of.get(d.comment.id) == campaign_of[cid]
                                  for d in r.items) / (size[campaign_of[cid]] - 1)
                              for cid, r in zip(sample, results)]
                    wrong = sum(sum(campaign_of.get(d.comment.id) != campaign_of[cid]
                                    for d in r.items) for cid, r in zip(sample, results))
                    print(f"  campaign recall: mean {statistics.mean(recall):.3f}, min "
                          f"{min(recall):.3f}; matches outside the campaign: {wrong}")
        finally:
            store.dispose()
            if schema is not None:
                drop_pg_schema(schema)
    return 0


if __name__ == "__main__":
    sys.exit(main())
