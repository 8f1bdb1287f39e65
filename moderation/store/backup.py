"""Consistent backups of a SQLite comment store, taken while the app keeps running.

The store runs in WAL mode: committed transactions may sit in ``moderation.db-wal`` for a
while before they reach ``moderation.db``, so copying the main file alone (``cp``) can lose
decisions or give a torn file. ``backup_sqlite`` uses SQLite's online backup API instead
(what ``sqlite3 moderation.db ".backup FILE"`` does): it copies the last committed state,
WAL included, while moderators keep working, and the result is one self-contained file
(rollback journal mode, mode 600) checked with ``PRAGMA integrity_check``.

``restore_sqlite`` copies such a file back into a store through the same API, so the
target's own WAL is handled by SQLite, after it has checked a copy of it: integrity,
brought to the newest schema (an older backup is migrated, the copy, never the backup
file), then ``moderation db verify`` (schema, triggers, the decisions' hash chain). A
backup that fails is refused and nothing is written. Stop the UI and ingestion first: a
restore replaces everything in the target.

PostgreSQL stores are backed up with ``pg_dump -Fc`` and restored with ``pg_restore`` into a
new database that ``moderation db verify`` checks before the application is switched to it
(``docs/operations.md``); ``libpq_url`` turns the store's SQLAlchemy URL into the plain
``postgresql://`` URL those tools expect.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from moderation.errors import StoreError, StoreIntegrityError
from moderation.tables import atomic_path

BUSY_TIMEOUT_S = 30.0


def sqlite_path(url: str) -> Path:
    """The database file of a ``sqlite:///...`` URL. Raises ``StoreError`` for anything else."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r} ({exc})") from exc
    if parsed.get_backend_name() != "sqlite":
        raise StoreError(f"{parsed.render_as_string(hide_password=True)} is not a SQLite store: "
                         "back PostgreSQL up with pg_dump (see docs/operations.md)")
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise StoreError("the SQLite store needs a file path, e.g. sqlite:///moderation.db")
    return Path(database).expanduser()


def libpq_url(url: str) -> str:
    """``postgresql+psycopg://u:p@h/db`` -> ``postgresql://u:p@h/db`` for pg_dump and psql."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise StoreError(f"{parsed.render_as_string(hide_password=True)} is not PostgreSQL")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def backup_sqlite(src_url: str, dest_path: str | Path) -> Path:
    """Copy the store at ``src_url`` into the file ``dest_path`` (replaced atomically).

    Safe while other processes read and write the store: the copy is the last committed
    state. Returns the destination path. Raises ``StoreError``.
    """
    src = sqlite_path(src_url)
    dest = Path(dest_path).expanduser()
    if not src.is_file():
        raise StoreError(f"no SQLite store at {src}")
    if dest.exists() and dest.resolve() == src.resolve():
        raise StoreError(f"{dest} is the store itself: choose another backup file")
    try:
        with atomic_path(dest) as tmp:
            os.chmod(tmp, 0o600)  # comments and decisions are personal data
            _copy(src, tmp)
            _check(tmp)
    except sqlite3.Error as exc:
        raise StoreError(f"backup of {src} to {dest} failed: {exc}") from exc
    return dest


def restore_sqlite(backup_path: str | Path, dest_url: str) -> Path:
    """Replace the contents of the store at ``dest_url`` with the backup file.

    Creates the store when it does not exist. Stop the UI and ingestion first. Returns the
    store's path. Raises ``StoreError``: a damaged backup, one that is not a comment store,
    and one that fails ``moderation db verify`` (``StoreIntegrityError``, naming the
    problems) are refused before anything is written.
    """
    from moderation.store.migrate import ensure_schema
    from moderation.store.verify import verify_store

    backup = Path(backup_path).expanduser()
    dest = sqlite_path(dest_url)
    if not backup.is_file():
        raise StoreError(f"no backup file at {backup}")
    try:
        _check(backup)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".restore-", dir=dest.parent) as folder:
            staged = Path(folder) / "staged.db"
            _copy(backup, staged, wal=True)
            staged_url = f"sqlite:///{staged}"
            ensure_schema(staged_url)
            report = verify_store(staged_url)
            if not report.ok:
                listed = "; ".join(f"[{f.check}] {f.message}" for f in report.problems[:10])
                raise StoreIntegrityError(
                    f"{backup} fails `moderation db verify`, so it was not restored: {listed}"
                    f"{' ...' if len(report.problems) > 10 else ''}. Restore an older backup "
                    "that passes (docs/operations.md, 'When verify fails')", report=report)
            _copy(staged, dest, wal=True)
    except sqlite3.Error as exc:
        raise StoreError(f"restore of {backup} into {dest} failed: {exc}") from exc
    return dest


def _copy(src: Path, dest: Path, *, wal: bool = False) -> None:
    with contextlib.closing(sqlite3.connect(src, timeout=BUSY_TIMEOUT_S)) as source, \
            contextlib.closing(sqlite3.connect(dest, timeout=BUSY_TIMEOUT_S)) as target:
        source.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        target.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        source.backup(target)  # all pages in one step: one consistent snapshot
        mode = "WAL" if wal else "DELETE"  # a backup file stands alone, without a -wal file
        target.execute(f"PRAGMA journal_mode={mode}")
        target.commit()


def _check(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)) as conn:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if result != ["ok"]:
        raise StoreError(f"{path} failed SQLite's integrity check: {'; '.join(result[:5])}")
    if "alembic_version" not in tables:
        raise StoreError(f"{path} is not a comment store (no alembic_version table)")
