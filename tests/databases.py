"""The test PostgreSQL server: its URL, a fresh schema per test, and throwaway roles.

Kept out of ``conftest.py`` so that test modules can import it by a name no other test
folder uses (``tests/service/conftest.py`` is also imported as ``conftest``).

PostgreSQL: ``MODERATION_TEST_PG_URL`` (default the local server, trust authentication,
superuser ``postgres``). When the server is unreachable the PostgreSQL cases fail under
``CI=true`` and are skipped otherwise.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("MODERATION_TEST_PG_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_available() -> str | None:
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
        return str(exc).splitlines()[0]


def require_pg() -> None:
    problem = pg_available()
    if problem:
        message = f"PostgreSQL unreachable at {PG_URL}: {problem}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def admin(sql: str, *params) -> list:
    """Run ``sql`` as the test superuser (autocommit); its rows, if any."""
    engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            result = conn.exec_driver_sql(sql, *params)
            return result.all() if result.returns_rows else []
    finally:
        engine.dispose()


def schema_url(schema: str, user: str | None = None) -> str:
    """The URL whose connections use ``schema`` (as ``user``, default the superuser)."""
    url = sa.make_url(PG_URL)
    if user is not None:
        url = url.set(username=user, password=None)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}) \
        .render_as_string(hide_password=False)


def pg_schema_url() -> tuple[str, str]:
    """A new empty schema and the URL whose connections use it."""
    require_pg()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin(f"CREATE SCHEMA {schema}")
    return schema_url(schema), schema


def drop_pg_schema(schema: str) -> None:
    admin(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@dataclass(frozen=True)
class TwoRoles:
    """A schema owned by a throwaway owner role, and a throwaway application role."""

    schema: str
    owner: str
    app: str

    @property
    def owner_url(self) -> str:
        return schema_url(self.schema, self.owner)

    @property
    def app_url(self) -> str:
        return schema_url(self.schema, self.app)


def make_two_roles() -> TwoRoles:
    """Roles ``mod_owner_*`` (owns the schema, runs migrations) and ``mod_app_*`` (logs in
    for the application; no privilege until ``moderation db upgrade`` grants them)."""
    require_pg()
    tag = uuid.uuid4().hex[:10]
    roles = TwoRoles(f"test_{tag}", f"mod_owner_{tag}", f"mod_app_{tag}")
    admin(f"CREATE ROLE {roles.owner} LOGIN")
    admin(f"CREATE ROLE {roles.app} LOGIN")
    admin(f"CREATE SCHEMA {roles.schema} AUTHORIZATION {roles.owner}")
    return roles


def drop_two_roles(roles: TwoRoles) -> None:
    admin(f"DROP SCHEMA IF EXISTS {roles.schema} CASCADE")
    for role in (roles.app, roles.owner):
        admin(f"DROP OWNED BY {role}")  # grants in this database
        admin(f"DROP ROLE IF EXISTS {role}")
