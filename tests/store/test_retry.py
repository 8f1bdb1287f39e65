"""Transactions aborted by a deadlock or a serialization failure run again; others do not."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from moderation.store.retry import is_transient, write_retrying
from moderation.store.schema import ingest_runs, utcnow


class Aborted(Exception):
    def __init__(self, sqlstate: str):
        self.sqlstate = sqlstate


def _error(sqlstate: str) -> sa.exc.OperationalError:
    return sa.exc.OperationalError("INSERT ...", {}, Aborted(sqlstate))


@pytest.mark.parametrize("sqlstate, transient", [("40P01", True), ("40001", True),
                                                 ("23505", False), ("42501", False)])
def test_is_transient(sqlstate, transient):
    assert is_transient(_error(sqlstate)) is transient


def test_a_deadlocked_transaction_runs_again_and_its_first_try_is_rolled_back(store):
    tries = []

    def work(conn):
        conn.execute(ingest_runs.insert().values(source=f"try {len(tries)}", model_version="m",
                                                 started_at=utcnow()))
        tries.append(1)
        if len(tries) < 3:
            raise _error("40P01")
        return len(tries)

    assert write_retrying(store, work) == 3
    with store.read() as conn:
        assert conn.scalars(sa.select(ingest_runs.c.source)).all() == ["try 2"]


def test_other_errors_and_the_last_try_are_raised(store):
    calls = []

    def unique(conn):
        calls.append(1)
        raise _error("23505")

    with pytest.raises(sa.exc.OperationalError):
        write_retrying(store, unique)
    assert len(calls) == 1

    def always(conn):
        calls.append(1)
        raise _error("40001")

    with pytest.raises(sa.exc.OperationalError):
        write_retrying(store, always, attempts=3)
    assert len(calls) == 4
