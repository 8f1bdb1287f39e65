"""Faults seen from the app: the database gone and back, a corrupt model, a full disk.
Each gives a clear Ukrainian message and the moderator carries on once it is fixed."""
from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import threading
import uuid

import pytest
import sqlalchemy as sa
from helpers import KeywordModel, write_csv
from ui_data import queue_rows
from ui_helpers import PASSWORDS, start, texts

from moderation.auth import add_moderator
from moderation.queue.ingest import ingest_file
from moderation.store import open_store
from moderation.store.schema import decisions

PG_URL = os.environ.get("MODERATION_TEST_PG_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def shown(at) -> str:
    """Everything on the page, captions (the error details) included."""
    return texts(at) + "\n" + "\n".join(c.value for c in at.caption)


class TcpProxy:
    """127.0.0.1:<port> forwarding to ``target``; ``stop()`` is the database going away
    (listener closed, open connections cut), ``start()`` it coming back on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server: socket.socket | None = None
        self._open: list[socket.socket] = []

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen()
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def stop(self) -> None:
        for sock in [self._server, *self._open]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._open.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
                upstream = socket.create_connection(self.target)
            except OSError:
                return
            self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := a.recv(65536):
                b.sendall(data)
        for sock in (a, b):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def pg_behind_proxy(app_env, tmp_path):
    """The UI's comments in a PostgreSQL schema reached through a ``TcpProxy``: its URL."""
    parsed = sa.make_url(PG_URL)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(parsed)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {str(exc).splitlines()[0]}")
    proxy = TcpProxy((parsed.host or "127.0.0.1", parsed.port or 5432))
    proxy.start()
    proxied = (parsed.set(host="127.0.0.1", port=proxy.port)
               .update_query_dict({"options": f"-csearch_path={schema}"})
               .render_as_string(hide_password=False))
    store = open_store(proxied)
    ingest_file(store, write_csv(tmp_path / "pg.csv", queue_rows()), KeywordModel(),
                spot_check_rate=1.0)
    for name, password in PASSWORDS.items():  # the accounts are in the store too
        add_moderator(store, name, password, role="admin" if name == "olena" else "moderator")
    store.dispose()
    yield proxy, proxied
    proxy.stop()
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.dispose()


@pytest.mark.timeout(60)
def test_ui_says_sqlite_store_is_unreachable_and_recovers(app_env, monkeypatch, tmp_path):
    at = start("petro")
    blocker = tmp_path / "unmounted"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("MODERATION_DB_URL", f"sqlite:///{blocker}/moderation.db")
    at.run()
    assert not at.exception, at.exception
    page = shown(at)
    assert "База даних недоступна" in page and "Рішення не втрачено" in page
    assert "cannot create the folder" in page and "unmounted" in page
    monkeypatch.setenv("MODERATION_DB_URL", app_env.db_url)  # the volume is back
    at.button(key="db_retry").click().run()
    assert "База даних недоступна" not in shown(at)
    at.button(key="act_confirm").click().run()
    assert list(app_env.history()["action"]) == ["confirm"]


@pytest.mark.postgres
@pytest.mark.timeout(60)
def test_ui_says_postgresql_is_down_and_recovers_on_the_same_url(app_env, monkeypatch,
                                                                 pg_behind_proxy):
    proxy, url = pg_behind_proxy
    monkeypatch.setenv("MODERATION_DB_URL", url)
    at = start("petro")
    held = at.session_state["selected"]["comment_id"]
    proxy.stop()  # the server goes away under the app's cached, pooled engine
    at.run()
    assert not at.exception, at.exception
    assert "База даних недоступна" in shown(at)
    assert at.button(key="db_retry")
    proxy.start()  # and comes back
    at.button(key="db_retry").click().run()
    assert "База даних недоступна" not in shown(at)
    assert at.session_state["selected"]["comment_id"] == held  # the claim survived
    at.button(key="act_override").click().run()
    store = open_store(url)
    try:
        with store.read() as conn:
            rows = conn.execute(sa.select(decisions.c.comment_id, decisions.c.action)).all()
    finally:
        store.dispose()
    assert [tuple(r) for r in rows] == [(held, "override")]



@pytest.mark.timeout(60)
def test_ui_with_a_corrupt_model_warns_and_moderators_still_work(app_env):
    pipeline = app_env.model_dir / "pipeline.skops"
    pipeline.write_bytes(pipeline.read_bytes()[:1000])  # truncated on disk
    at = start("petro")
    page = shown(at)
    assert "Модель недоступна" in page and "truncated or replaced" in page
    at.button(key="act_confirm").click().run()
    assert list(app_env.history()["action"]) == ["confirm"]



@pytest.mark.timeout(60)
def test_ui_reports_a_decision_the_full_disk_refused(app_env):
    at = start("petro")

    def disk_full(conn, cursor, statement, *_):
        if statement.startswith("INSERT INTO decisions"):
            raise sqlite3.OperationalError("database or disk is full")

    sa.event.listen(sa.Engine, "before_cursor_execute", disk_full)
    try:
        at.button(key="act_confirm").click().run()
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", disk_full)
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Рішення не збережено" in errors and "disk is full" in errors
    assert app_env.history().empty
    at.button(key="act_confirm").click().run()  # space freed: the same comment, once
    assert list(app_env.history()["action"]) == ["confirm"]


