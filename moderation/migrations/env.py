"""Alembic environment: runs on the connection that ``moderation.store.migrate`` passes in.

Online only: the caller opens the transaction (and takes the lock that keeps two processes
from migrating at once), so this file just runs the scripts on that connection.
"""
from __future__ import annotations

from alembic import context

from moderation.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by a bare `alembic` command
    raise RuntimeError("run migrations with `moderation db upgrade` (needs a connection)")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
