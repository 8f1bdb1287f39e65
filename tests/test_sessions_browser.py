"""Sessions in a real headless Chromium, on both databases: a moderator who signs in stays
signed in after a reload and in a second UI process on another port (the session lives in
the store, the token in an HttpOnly cookie); signing out ends it in both.

Debian's ``chromium`` driven by ``playwright`` (never ``playwright install``); skipped only
when chromium is absent and ``CI`` is unset.
"""
from __future__ import annotations

import pytest
from browser import CHROMIUM_ARGS, chromium, submit_sign_in, ui_process
from helpers import KeywordModel, write_csv
from ui_data import queue_rows

from moderation.auth import add_moderator
from moderation.auth.sessions import COOKIE
from moderation.queue.ingest import ingest_file
from moderation.store import open_store

pytestmark = pytest.mark.browser
PASSWORD = "olena-secret-1"


def test_a_session_survives_reloads_and_a_second_ui_process(db_url, tmp_path, tiny_model):
    from playwright.sync_api import expect, sync_playwright

    store = open_store(db_url)
    try:
        ingest_file(store, write_csv(tmp_path / "comments.csv", queue_rows()), KeywordModel(),
                    spot_check_rate=0.0)
        add_moderator(store, "olena", PASSWORD, role="admin")
    finally:
        store.dispose()
    with ui_process(db_url, tiny_model, tmp_path) as first, \
            ui_process(db_url, tiny_model, tmp_path) as second, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            submit_sign_in(page, first, "olena", PASSWORD)
            sign_out = page.get_by_role("button", name="Вийти")
            expect(sign_out).to_be_visible(timeout=30_000)
            cookie = None
            for _ in range(300):  # the page goes to /auth/session and back to /
                cookie = next((c for c in context.cookies() if c["name"] == COOKIE), None)
                if cookie:
                    break
                page.wait_for_timeout(100)
            assert cookie, "no session cookie after signing in"
            expect(sign_out).to_be_visible(timeout=30_000)  # after the cookie round trip
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            assert page.evaluate("document.cookie").find(COOKIE) == -1  # no script reads it

            page.reload()
            expect(page.get_by_role("button", name="Вийти")).to_be_visible(timeout=30_000)
            other = context.new_page()
            other.goto(second)
            expect(other.get_by_role("button", name="Вийти")).to_be_visible(timeout=30_000)

            other.get_by_role("button", name="Вийти").click()  # ends it everywhere
            expect(other.get_by_role("button", name="Увійти")).to_be_visible(timeout=30_000)
            assert not [c for c in context.cookies() if c["name"] == COOKIE]
            page.reload()
            expect(page.get_by_role("button", name="Увійти")).to_be_visible(timeout=30_000)
        finally:
            browser.close()
