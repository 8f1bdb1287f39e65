"""Transactions that PostgreSQL may abort to break a deadlock or a serialization conflict,
run again from the start.

``write_retrying(store, work)`` runs ``work(conn)`` in ``store.write()`` and, when the
database aborts the transaction with a serialization failure (SQLSTATE 40001) or a detected
deadlock (40P01), rolls back and runs ``work`` again on a fresh transaction, up to
``attempts`` times with a short random pause. ``work`` must therefore read again what it
decides on (it gets a new transaction each time) and have no effect outside the database.
SQLite never raises these: its writers take the write lock at ``BEGIN IMMEDIATE``.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa

from moderation.store.engine import Store

T = TypeVar("T")
TRANSIENT_SQLSTATES = ("40001", "40P01")  # serialization_failure, deadlock_detected
ATTEMPTS = 5


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is a serialization failure or a deadlock the database broke."""
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) in TRANSIENT_SQLSTATES


def write_retrying(store: Store, work: Callable[[sa.Connection], T], *,
                   attempts: int = ATTEMPTS, rng: random.Random | None = None) -> T:
    """``work(conn)`` in one write transaction, run again after a transient abort."""
    pause = rng or random.Random()
    attempt = 1
    while True:
        try:
            with store.write() as conn:
                return work(conn)
        except sa.exc.DBAPIError as exc:
            if attempt >= attempts or not is_transient(exc):
                raise
        time.sleep(pause.uniform(0.01, 0.05) * attempt)
        attempt += 1
