"""Test helpers: a deterministic stand-in model and small comment files."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from moderation.classifier.model import Scores
from moderation.taxonomy import LABELS

# words that make the stand-in model flag a label (score 0.9; otherwise 0.1)
KEYWORDS = {
    "political_pr": ("голосуйте", "vote"),
    "personal_feud": ("сусід",),
    "advertising": ("telegram", "знижка", "заробіток"),
    "insult": ("дурень", "ідіот"),
    "baseless_accusation": ("вкрав", "злодій"),
    "improper": ("бля",),
}
_SCORE_TAG = re.compile(r"#(0\.\d+)")  # "#0.73": the matched labels score 0.73, not 0.9


class KeywordModel:
    """Scores by keywords, so tests know exactly what is flagged and in which order."""

    labels = LABELS
    thresholds = {label: 0.5 for label in LABELS}
    version = "keyword-1"

    def score(self, texts) -> Scores:
        rows = []
        for text in texts:
            low = text.lower()
            tag = _SCORE_TAG.search(low)
            hit = float(tag.group(1)) if tag else 0.9
            rows.append([hit if any(w in low for w in KEYWORDS[label]) else 0.1
                         for label in LABELS])
        return Scores(LABELS, np.array(rows).reshape(-1, len(LABELS)), np.full(len(LABELS), 0.5))

    def predict_proba(self, texts):
        return self.score(texts).frame()

    def predict(self, texts):
        return [list(flags) for flags in self.score(texts).flags]


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def work_queue(url: str, moderator: str, barrier=None) -> list[int]:
    """A moderator clearing the review queue (run in a thread or a process): ids decided.

    With a ``barrier``, every moderator first claims a comment and waits for the others, so
    all of them are provably holding claims at the same moment.
    """
    from moderation.queue import decide, next_item
    from moderation.store import open_store

    store = open_store(url)
    decided = []
    try:
        item = next_item(store, moderator)
        if barrier is not None:
            barrier.wait(timeout=60)
        while item is not None:
            action = "confirm" if item.comment.id % 2 else "override"
            decide(store, item.comment.id, moderator, action, note=moderator)
            decided.append(item.comment.id)
            item = next_item(store, moderator)
    finally:
        store.dispose()
    return decided


def _char5(texts: list[str]) -> tuple[sp.csr_matrix, np.ndarray]:
    """Binary character 5-gram sets (lowercased) and their sizes."""
    vec = CountVectorizer(analyzer="char", ngram_range=(5, 5), lowercase=True, binary=True)
    X = sp.csr_matrix(vec.fit_transform(texts), dtype=np.float32)
    return X, np.asarray(X.sum(axis=1)).ravel()


def near_duplicate_pairs(texts, threshold=0.8):
    """Pairs (i, j), i < j, whose character 5-gram Jaccard is at least ``threshold``."""
    X, sizes = _char5(texts)
    inter = sp.triu(X @ X.T, k=1).tocoo()
    jaccard = inter.data / (sizes[inter.row] + sizes[inter.col] - inter.data)
    keep = jaccard >= threshold
    return list(zip(inter.row[keep], inter.col[keep]))


def cross_jaccard(texts_a: list[str], texts_b: list[str]) -> np.ndarray:
    """Character 5-gram Jaccard of every text of ``texts_a`` with every one of ``texts_b``
    (dense, len(a) x len(b))."""
    X, sizes = _char5(list(texts_a) + list(texts_b))
    n = len(texts_a)
    inter = (X[:n] @ X[n:].T).toarray()
    union = sizes[:n, None] + sizes[None, n:] - inter
    return inter / np.maximum(union, 1)
