"""For the learning-loop tests: a small seed corpus in place of the bundled one, comments a
moderator decides with known labels, and job processes that see the same small corpus."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
from corpus import tiny_frame
from helpers import KeywordModel, write_csv

from moderation.auth import Moderator
from moderation.classifier.training import as_labelled
from moderation.queue import decide, next_item
from moderation.queue.ingest import ingest_file

ADMIN = Moderator("olena", "admin")


def small_seed() -> pd.DataFrame:
    """The tiny corpus three times under different article titles (enough for 3 folds)."""
    base = tiny_frame()
    return pd.concat([base.assign(id=[f"s{k}-{i}" for i in range(len(base))],
                                  article_title=base["article_title"] + f" {k}")
                      for k in range(3)], ignore_index=True)


def site_rows(prefix: str = "x", articles: int = 7) -> list[dict]:
    """The tiny corpus as comments of the site, with their gold labels."""
    base = tiny_frame()
    return [{"id": f"{prefix}{i}", "article_id": f"a{i % articles}",
             "article_title": f"Стаття {prefix} {i % articles}", "text": text, "labels": labels}
            for i, (text, labels) in enumerate(zip(base["text"], base["labels"]))]


def ingest(store, tmp_path, rows: list[dict], name: str = "comments.csv") -> None:
    """Ingest ``rows`` with the keyword stand-in; every comment enters a queue."""
    columns = ["id", "article_id", "article_title", "text"]
    ingest_file(store, write_csv(tmp_path / name, [{c: r[c] for c in columns} for r in rows],
                                 columns), KeywordModel(), spot_check_rate=1.0)


def decide_gold(store, gold: dict[str, str], limit: int | None = None,
                moderator: str = "marta") -> list[str]:
    """A moderator relabels open comments with their gold labels: the ids decided, in order."""
    done: list[str] = []
    for queue in ("review", "spot_check"):
        while limit is None or len(done) < limit:
            item = next_item(store, moderator, queue=queue)
            if item is None:
                break
            labels = [x for x in gold[item.comment.external_id].split(";") if x]
            decide(store, item.comment.id, moderator, "relabel", labels)
            done.append(item.comment.external_id)
    return done


def use_small_seed(monkeypatch) -> pd.DataFrame:
    """``load_seed`` returns ``small_seed()`` (156 rows) in this process."""
    frame = small_seed()
    monkeypatch.setattr("moderation.classifier.dataset.load_seed", lambda: as_labelled(frame))
    return frame


def small_seed_for_jobs(folder: Path, monkeypatch) -> Path:
    """Job processes started from now on see ``small_seed()`` as the seed corpus: a
    ``sitecustomize`` on their PYTHONPATH replaces ``load_seed`` (after
    ``MODERATION_TEST_JOB_SLEEP`` seconds of sleep, to catch a job while it runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    small_seed().to_csv(folder / "seed.csv", index=False)
    (folder / "sitecustomize.py").write_text(textwrap.dedent(f"""
        import os, time
        import moderation.classifier.dataset as dataset

        def load_seed():
            time.sleep(float(os.environ.get("MODERATION_TEST_JOB_SLEEP", "0")))
            return dataset.read_labelled({str(folder / "seed.csv")!r})

        dataset.load_seed = load_seed
        """), encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(folder))
    return folder
