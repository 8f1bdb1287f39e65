"""The hash chain over ``decisions``: an edit made outside the application shows.

Each decision stores ``prev_hash``, the ``row_hash`` of the decision before it (``GENESIS``
for the first), and ``row_hash``, the SHA-256 of ``prev_hash`` and its own content (every
other column, ``CONTENT``) in one canonical form. ``check`` walks the rows in id order and
recomputes both: a changed value breaks that row's hash, a removed or inserted row breaks
the link of the row after it, and the database refuses a second row on the same
predecessor (``uq_decisions_prev_hash``), so the chain cannot fork.

``append`` is the one way the application writes decisions: inside the caller's
transaction it takes the chain's lock (PostgreSQL: a transaction-level advisory lock, held
to the commit; SQLite: the write lock that ``Store.write`` holds from ``BEGIN IMMEDIATE``),
reads the last row, gives the new rows their ids (PostgreSQL: from the table's sequence)
and hashes, and inserts them. Appends are therefore serialised: ids follow the chain, and
concurrent writers on either database never link to the same row.

Anyone who can write the database can also recompute every hash after an edit; against
that, keep the head that ``moderation db verify`` prints (``head``) somewhere else, and
check later that the chain still passes through it (``verify --anchor ID:HASH``).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from moderation.store.schema import decisions

GENESIS = "0" * 64
FORMAT = "moderation.decisions/1"  # part of every hash: a later format gets another name
CONTENT = ("id", "comment_id", "moderator", "action", "labels", "note", "queue",
           "model_version", "reverts_id", "decided_at", "txid")
OPTIONAL = dict(labels=None, note=None, model_version=None, reverts_id=None)
_LOCK_KEY = 0x63686169  # "chai": one appender at a time (PostgreSQL)
CHUNK = 5000


def _canonical(value):
    if isinstance(value, datetime):  # as the store gives it back: UTC, microseconds
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def row_hash(prev_hash: str, row: Mapping) -> str:
    """The hash of a decision ``row`` (a mapping with every ``CONTENT`` key) after
    ``prev_hash``."""
    payload = json.dumps([FORMAT, prev_hash, [_canonical(row[name]) for name in CONTENT]],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Head:
    id: int | None  # None: no decision yet
    hash: str

    def __str__(self) -> str:
        return f"{self.id}:{self.hash}" if self.id is not None else f"none:{self.hash}"


def head(conn: sa.Connection) -> Head:
    """The last decision's id and hash (``GENESIS`` for an empty table)."""
    row = conn.execute(sa.select(decisions.c.id, decisions.c.row_hash)
                       .order_by(decisions.c.id.desc()).limit(1)).first()
    return Head(None, GENESIS) if row is None else Head(row.id, row.row_hash)


def append(conn: sa.Connection, rows: Sequence[Mapping], *,
           returning: Sequence[sa.ColumnElement] = ()) -> list[sa.Row]:
    """Insert decisions ``rows`` (every ``CONTENT`` column but ``id`` and ``txid``; those of
    ``OPTIONAL`` may be left out) at the end of the chain, in this order, inside ``conn``'s
    write transaction. Returns the ``returning`` columns of each new row (default: its id),
    in the order given. Raises ``ValueError`` for a row without a required column."""
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
        txid = conn.exec_driver_sql("SELECT pg_current_xact_id()::text::bigint").scalar_one()
        ids = conn.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence('decisions', 'id')) "
            "FROM generate_series(1, %(n)s) ORDER BY 1", {"n": len(rows)}).scalars().all()
    else:  # the write lock is held from BEGIN IMMEDIATE; SQLite would use max(id) + 1 too
        txid = 0
        last = conn.execute(sa.select(sa.func.max(decisions.c.id))).scalar() or 0
        ids = list(range(last + 1, last + 1 + len(rows)))
    prev = head(conn).hash
    values = []
    for new_id, row in zip(ids, rows, strict=True):
        full = {**OPTIONAL, **row, "id": new_id, "txid": txid}
        full["decided_at"] = _utc(full["decided_at"])
        missing = [name for name in CONTENT if name not in full]
        if missing:
            raise ValueError(f"a decision needs {', '.join(missing)}")
        digest = row_hash(prev, full)
        values.append({**full, "prev_hash": prev, "row_hash": digest})
        prev = digest
    columns = list(returning) or [decisions.c.id]
    return conn.execute(decisions.insert().returning(*columns, sort_by_parameter_order=True),
                        values).all()


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _rows(conn: sa.Connection) -> Iterator[sa.Row]:
    """Every decision's content and hashes, in id order, a chunk at a time."""
    after = None
    columns = [decisions.c[name] for name in CONTENT] + [decisions.c.prev_hash,
                                                         decisions.c.row_hash]
    while True:
        query = sa.select(*columns).order_by(decisions.c.id).limit(CHUNK)
        if after is not None:
            query = query.where(decisions.c.id > after)
        chunk = conn.execute(query).all()
        yield from chunk
        if len(chunk) < CHUNK:
            return
        after = chunk[-1].id


@dataclass(frozen=True)
class ChainReport:
    rows: int
    head: Head
    problems: tuple[str, ...]  # one sentence per broken row (at most ``limit``)
    broken: int  # rows with a problem, all of them


def check(conn: sa.Connection, *, anchor: tuple[int, str] | None = None,
          limit: int = 20) -> ChainReport:
    """Recompute the chain; ``anchor`` (id, hash): a head kept from an earlier check, which
    the chain must still pass through."""
    problems: list[str] = []
    broken = 0
    prev_id, prev = None, GENESIS
    count = 0
    anchor_seen = False
    for row in _rows(conn):
        count += 1
        faults = []
        if row.prev_hash != prev:
            after = f"decision {prev_id}" if prev_id is not None else "the start of the chain"
            faults.append(f"does not follow {after} (a decision was removed, inserted or "
                          "reordered there)")
        if row.row_hash != row_hash(row.prev_hash or "", row._mapping):
            faults.append("does not match its hash (its content was edited)")
        if anchor is not None and row.id == anchor[0]:
            anchor_seen = True
            if row.row_hash != anchor[1]:
                faults.append(f"has hash {row.row_hash[:16]}…, the anchor says "
                              f"{anchor[1][:16]}… (the chain was rewritten up to here)")
        if faults:
            broken += 1
            if len(problems) < limit:
                problems.append(f"decision {row.id} " + " and ".join(faults))
        prev_id, prev = row.id, row.row_hash or ""
    if anchor is not None and not anchor_seen:
        broken += 1
        problems.append(f"decision {anchor[0]} of the anchor is not in the store (removed)")
    if broken > len(problems):
        problems.append(f"... {broken - len(problems)} more decisions with problems")
    return ChainReport(count, Head(prev_id, prev), tuple(problems), broken)


def backfill(conn: sa.Connection) -> int:
    """Give every decision its hashes, in id order (migration 0004, before the triggers
    that refuse updates are installed). Returns the number of rows."""
    prev = GENESIS
    updates = []
    for row in _rows(conn):
        digest = row_hash(prev, row._mapping)
        updates.append({"b_id": row.id, "b_prev": prev, "b_hash": digest})
        prev = digest
    statement = (decisions.update().where(decisions.c.id == sa.bindparam("b_id"))
                 .values(prev_hash=sa.bindparam("b_prev"), row_hash=sa.bindparam("b_hash")))
    for start in range(0, len(updates), CHUNK):
        conn.execute(statement, updates[start:start + CHUNK])
    return len(updates)
