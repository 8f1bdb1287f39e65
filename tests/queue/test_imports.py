"""Importing past moderation outcomes as decisions, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from helpers import write_csv, write_jsonl

from moderation.errors import DataError, NothingToUndo
from moderation.queue import author_history, decide, history, next_item, stats, undo
from moderation.queue.export import decisions_frame
from moderation.queue.imports import import_decisions
from moderation.queue.ingest import ingest_file
from moderation.store.schema import claims, comments, decisions, queue_items

COMMENTS = [
    {"id": "c1", "text": "Голосуйте за Петренка!", "author": "Іван"},  # flagged: review
    {"id": "c2", "text": "Дякую за статтю", "author": "Іван"},
    {"id": "c3", "text": "Коли відремонтують міст?", "author": "Оля"},
    {"id": "c4", "text": "Мій сусід вкрав велосипед", "author": "Оля"},  # flagged: review
]
OUTCOMES = [
    {"id": "c1", "labels": "political_pr"},
    {"id": "c2", "labels": ""},
    {"id": "c3", "labels": "insult; improper"},
    {"id": "nobody", "labels": "insult"},
    {"id": "c4", "labels": "spam"},
    {"id": "", "labels": "insult"},
    {"id": "c2", "labels": "insult"},
]


@pytest.fixture
def filled(store, keyword_model, tmp_path):
    ingest_file(store, write_csv(tmp_path / "comments.csv", COMMENTS), keyword_model,
                spot_check_rate=0.0)
    return store


def in_force(store) -> dict[str, tuple[int, str, str]]:
    """external id -> (version, action, labels) of the decision in force."""
    frame = decisions_frame(store)
    with store.read() as conn:
        rows = conn.execute(sa.select(comments.c.external_id, comments.c.version,
                                      decisions.c.action, decisions.c.labels,
                                      decisions.c.id)
                            .join(decisions, decisions.c.comment_id == comments.c.id)
                            .order_by(decisions.c.id)).all()
    undone = set(history(store, action="undo")["reverts_id"].astype(int))
    out = {row.external_id: (row.version, row.action, row.labels) for row in rows
           if row.action != "undo" and row.id not in undone}
    assert sorted(frame["id"]) == sorted(out)  # the export reads the same verdicts
    return out


def count_decisions(store) -> int:
    with store.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar_one()


def test_import_records_verdicts_and_reports_bad_rows(filled, tmp_path):
    ids = {next_item(filled, name).comment.external_id: name for name in ("petro", "marta")}
    assert ids == {"c4": "petro", "c1": "marta"}  # both claimed while the import runs
    path = write_csv(tmp_path / "history.csv", OUTCOMES)
    summary = import_decisions(filled, path, "olena")
    assert summary.counts() == dict(read=7, imported=3, unknown=1, rejected=3, unchanged=0)
    assert [(p.line, p.field, p.row_id, p.reason.split(";")[0].split(" (")[0])
            for p in summary.errors] == [
        (5, "id", "nobody", "no comment with this id in the store"),
        (6, "labels", "c4", "unknown label 'spam'"),
        (7, "id", None, "empty id"),
        (8, "id", "c2", "duplicate id in this file")]
    assert in_force(filled) == {"c1": (1, "import", "political_pr"), "c2": (1, "import", ""),
                                "c3": (1, "import", "insult;improper")}
    rows = history(filled, action="import")
    assert set(rows["moderator"]) == {"olena"}
    assert set(rows["note"]) == {f"imported from history.csv, line {n}" for n in (2, 3, 4)}
    assert dict(zip(rows["external_id"], rows["queue"])) == {"c1": "review", "c2": "import",
                                                             "c3": "import"}
    with filled.read() as conn:
        status = dict(conn.execute(sa.select(comments.c.external_id, queue_items.c.status)
                                   .join(queue_items)).all())
        holders = conn.execute(sa.select(claims.c.moderator)).scalars().all()
    assert status == {"c1": "done", "c4": "open"}
    assert holders == ["petro"]  # c1 settled: marta's claim released, petro keeps c4
    assert stats(filled).open["review"] == 1
    assert next_item(filled, "marta") is None  # c4 is petro's


def test_importing_the_same_file_again_adds_nothing(filled, tmp_path):
    path = write_csv(tmp_path / "history.csv", OUTCOMES)
    import_decisions(filled, path, "olena")
    before = count_decisions(filled)
    again = import_decisions(filled, path, "olena")
    assert again.counts() == dict(read=7, imported=0, unknown=1, rejected=3, unchanged=3)
    assert count_decisions(filled) == before


def test_a_later_import_replaces_an_earlier_one(filled, tmp_path):
    import_decisions(filled, write_csv(tmp_path / "h1.csv", OUTCOMES[:3]), "olena")
    changed = [{"id": "c2", "labels": "advertising"}, *OUTCOMES[:1], OUTCOMES[2]]
    summary = import_decisions(filled, write_csv(tmp_path / "h2.csv", changed), "taras")
    assert (summary.imported, summary.unchanged) == (1, 2)
    assert in_force(filled)["c2"] == (1, "import", "advertising")
    undone = history(filled, action="undo")
    assert list(undone["moderator"]) == ["taras"]
    assert list(undone["note"]) == ["replaced: imported from h2.csv, line 2"]


def test_a_moderators_verdict_is_never_overwritten(filled, tmp_path):
    item = next_item(filled, "petro")
    decide(filled, item.comment.id, "petro", "relabel", ["insult"])
    ext = item.comment.external_id
    summary = import_decisions(filled, write_csv(tmp_path / "h.csv", [
        {"id": ext, "labels": "advertising"}]), "olena")
    assert (summary.imported, summary.rejected) == (0, 1)
    assert "decided already: relabel by petro with labels insult" in summary.errors[0].reason
    same = import_decisions(filled, write_csv(tmp_path / "same.csv", [
        {"id": ext, "labels": "insult"}]), "olena")
    assert (same.imported, same.unchanged) == (0, 1)
    assert in_force(filled) == {ext: (1, "relabel", "insult")}


def test_imports_apply_to_the_current_version(filled, keyword_model, tmp_path):
    edited = [dict(row, text="Дякую за статтю, оновлено") if row["id"] == "c2" else row
              for row in COMMENTS]
    ingest_file(filled, write_csv(tmp_path / "edit.csv", edited), keyword_model,
                spot_check_rate=0.0)
    import_decisions(filled, write_csv(tmp_path / "h.csv", [{"id": "c2", "labels": ""}]),
                     "olena")
    assert in_force(filled) == {"c2": (2, "import", "")}


def test_imported_verdicts_count_as_verdicts_but_cannot_be_undone(filled, tmp_path):
    import_decisions(filled, write_csv(tmp_path / "h.csv", OUTCOMES[:3]), "olena")
    with pytest.raises(NothingToUndo):
        undo(filled, "olena")
    assert author_history(filled, "Іван").hidden == 1  # c1 political_pr; c2 kept
    s = stats(filled)
    assert (s.reviewed, s.flag_precision["political_pr"]) == (1, 1.0)
    assert s.decisions_per_day.empty  # imports are not a moderator's work of the day
    with pytest.raises(ValueError, match="unknown action 'import'"):
        decide(filled, 1, "olena", "import", ["insult"])


def test_a_failure_leaves_nothing_half_written(filled, tmp_path, monkeypatch):
    from moderation.queue import imports

    next_item(filled, "petro")
    broken = sa.Table("no_such_table", sa.MetaData(), sa.Column("comment_id", sa.Integer))
    monkeypatch.setattr(imports, "claims", broken)  # fails after the decisions are written
    with pytest.raises(sa.exc.SQLAlchemyError):
        import_decisions(filled, write_csv(tmp_path / "h.csv", OUTCOMES), "olena")
    assert count_decisions(filled) == 0
    with filled.read() as conn:
        assert set(conn.scalars(sa.select(queue_items.c.status))) == {"open"}


def test_jsonl_rows_and_unusable_files(filled, tmp_path):
    path = write_jsonl(tmp_path / "h.jsonl", [
        {"id": "c1", "labels": None},  # null: kept
        {"id": 3, "labels": "insult"},  # not stored
        {"id": "c2"},
        {"id": "c3", "labels": ["insult"]},
        {"id": True, "labels": ""},
    ])
    summary = import_decisions(filled, path, "olena")
    assert (summary.imported, summary.unknown, summary.rejected) == (1, 1, 3)
    assert [(p.line, p.field) for p in summary.errors] == [
        (2, "id"), (3, "labels"), (4, "labels"), (5, "id")]
    assert "empty value for a comment that was kept" in summary.errors[1].reason
    with pytest.raises(DataError, match="nolabels.csv.*missing column 'labels'"):
        import_decisions(filled, write_csv(tmp_path / "nolabels.csv", [{"id": "c1"}]), "olena")
    with pytest.raises(DataError, match="unsupported file type"):
        import_decisions(filled, tmp_path / "h.txt", "olena")
    with pytest.raises(ValueError, match="moderator name is required"):
        import_decisions(filled, path, " ")


def moderate(url: str, moderator: str) -> list[int]:
    """Confirm comments until the queue is empty; one the import settled meanwhile is
    refused as decided already. The ids this moderator decided."""
    from moderation.errors import AlreadyDecided
    from moderation.store import open_store

    store, decided = open_store(url), []
    try:
        while (item := next_item(store, moderator)) is not None:
            try:
                decide(store, item.comment.id, moderator, "confirm")
                decided.append(item.comment.id)
            except AlreadyDecided:
                pass
    finally:
        store.dispose()
    return decided


@pytest.mark.timeout(120)
def test_import_while_moderators_work_decides_each_comment_once(store, keyword_model,
                                                                tmp_path, db_url):
    from concurrent.futures import ThreadPoolExecutor

    n = 40
    rows = [{"id": f"c{i}", "text": f"Ти дурень номер {i}"} for i in range(n)]
    ingest_file(store, write_csv(tmp_path / "c.csv", rows), keyword_model)
    path = write_csv(tmp_path / "h.csv", [{"id": f"c{i}", "labels": "insult"}
                                          for i in range(n)])
    with ThreadPoolExecutor(3) as pool:
        workers = [pool.submit(moderate, db_url, f"m{i}") for i in range(2)]
        summary = pool.submit(import_decisions, store, path, "olena").result()
        decided = [cid for w in workers for cid in w.result()]
    with store.read() as conn:
        per_comment = conn.execute(sa.select(decisions.c.comment_id, sa.func.count())
                                   .group_by(decisions.c.comment_id)).all()
    # every comment decided exactly once: by a moderator or by the import, never both
    assert sorted(cid for cid, count in per_comment if count == 1) == list(range(1, n + 1))
    assert summary.imported + summary.unchanged + summary.rejected == n
    assert summary.imported + len(decided) == n
    assert stats(store).open["review"] == 0
