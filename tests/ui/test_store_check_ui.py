"""The app refuses to start on a store that fails ``moderation db verify``: a clear message
that says how to repair, no sign-in, no page; it starts once the store is repaired."""
from __future__ import annotations

import sqlite3

import pytest
from streamlit.testing.v1 import AppTest
from ui_helpers import APP, sign_in

from moderation.queue import decide, next_item
from moderation.store import open_store
from moderation.store.migrate import upgrade_store


@pytest.mark.timeout(120)
def test_the_app_refuses_a_store_that_fails_verify(app_env):
    store = open_store(app_env.db_url)
    decide(store, next_item(store, "olena").comment.id, "olena", "confirm")
    store.dispose()
    with sqlite3.connect(app_env.db_url.removeprefix("sqlite:///")) as raw:
        raw.execute("DROP TRIGGER decisions_no_update")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, at.exception
    assert any("не пройшло перевірку" in e.value and "moderation db verify" in e.value
               for e in at.error)
    detail = at.code[0].value
    assert "trigger decisions_no_update on decisions is missing" in detail
    assert "moderation db upgrade" in detail
    assert not at.text_input  # no sign-in form: nothing runs on this store

    upgrade_store(app_env.db_url)  # the operator repairs it
    at.button(key="verify_retry").click().run()
    assert not at.error
    sign_in(at, "petro", "petro-secret-1")
    assert not at.exception, at.exception
    assert at.button(key="act_confirm")
