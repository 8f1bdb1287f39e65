"""End to end in a real headless Chromium: sign in, confirm a flag with its keyboard
shortcut, find the decision row in the database; the injection comment runs nothing.

Debian's ``chromium`` driven by the ``playwright`` package (never ``playwright install``).
Skipped only when chromium is absent and ``CI`` is unset; under ``CI=true`` it must run.
"""
from __future__ import annotations

import pytest
from browser import CHROMIUM_ARGS, chromium, submit_sign_in, ui_process
from helpers import KeywordModel, write_csv
from ui_data import INJECTION, queue_rows

from moderation.auth import add_moderator
from moderation.queue import history
from moderation.queue.ingest import ingest_file
from moderation.store import open_store

pytestmark = pytest.mark.browser
PASSWORD = "olena-secret-1"


@pytest.fixture
def app_server(tmp_path, tiny_model):
    """`moderation ui` on a free port, with a filled store."""
    db_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    store = open_store(db_url)
    ingest_file(store, write_csv(tmp_path / "comments.csv", queue_rows()), KeywordModel(),
                spot_check_rate=0.0)
    add_moderator(store, "olena", PASSWORD, role="admin")
    store.dispose()
    with ui_process(db_url, tiny_model, tmp_path) as url:
        yield url, db_url


def decisions(db_url: str):
    store = open_store(db_url)
    try:
        return history(store)
    finally:
        store.dispose()


def test_sign_in_and_confirm_with_the_keyboard(app_server):
    from playwright.sync_api import expect, sync_playwright

    url, db_url = app_server
    dialogs = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            submit_sign_in(page, url, "olena", PASSWORD)
            confirm = page.get_by_role("button", name="Приховати з цими мітками")
            expect(confirm).to_be_visible(timeout=30_000)
            # what J will store is in sight before the key is pressed
            expect(page.locator("p", has_text="J збереже:")).to_contain_text("Образа")

            # the injection comment, its author and title show literally and run nothing
            box = page.locator(".st-key-comment_box")
            expect(box).to_contain_text("<script>alert(1)</script>")
            expect(box).to_contain_text("<img src=x onerror=alert(2)>")
            expect(page.get_by_text("<img src=x onerror=alert(3)>")).to_be_visible()
            expect(page.get_by_text("<script>alert('title')</script>")).to_be_visible()
            assert page.locator("img[src='x']").count() == 0
            assert page.evaluate("typeof window.__xss") == "undefined"

            page.evaluate("document.activeElement && document.activeElement.blur()")
            page.keyboard.press("j")  # «Приховати з цими мітками»: Образа
            expect(page.locator(".st-key-comment_box")).to_contain_text(
                "Мій сусід вкрав велосипед", timeout=30_000)  # the next one, no click
        finally:
            browser.close()
    rows = decisions(db_url)
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["action"], row["moderator"], row["external_id"], row["labels"]) == (
        "confirm", "olena", "c6", "insult")
    assert row["text"] == INJECTION
    assert dialogs == []
