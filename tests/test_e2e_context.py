"""In a real headless Chromium: the context above a reply (the comment it answers, the
article's title, address and opening line) shows every character as written and makes no
link, though the texts hold a URL, a ``www.`` form and an e-mail (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from browser import CHROMIUM_ARGS, chromium
from test_e2e_display import EMAIL, URL, VIEWPORT, WWW, serve, shown, sign_in

pytestmark = pytest.mark.browser
ARTICLE = "https://news.example/budget-2027"
PARENT = {"id": "p-1", "author": f"Тарас {EMAIL}", "article_id": "a-1",
          "article_title": "Бюджет міста", "posted_at": "2026-11-20T10:00:00+02:00",
          "text": f"Пишіть на {EMAIL} або заходьте на {URL} і {WWW}, дурень #0.6"}
REPLY = {**PARENT, "id": "r-1", "author": "Оля", "parent_id": "p-1", "article_url": ARTICLE,
         "article_snippet": f"Депутати ухвалили бюджет; деталі на {WWW}",
         "posted_at": "2026-11-20T10:05:00+02:00",
         "text": "@Тарас … Ви його теж бидлом назвете? дурень"}


def test_the_context_of_a_reply_is_plain_text(tmp_path, db_url, tiny_model):
    from playwright.sync_api import expect, sync_playwright

    with serve(tmp_path, db_url, tiny_model, [REPLY, PARENT]) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            sign_in(page, url, "Ви його теж")
            context = page.locator(".st-key-reply_context")
            expect(context).to_contain_text("У відповідь на:", timeout=30_000)
            page.screenshot(path=str(tmp_path / "reply-context.png"))
            text = shown(context)
            for value in (PARENT["text"], f"Тарас {EMAIL}", ARTICLE, REPLY["article_snippet"],
                          "Бюджет міста"):
                assert value in text, value
            assert context.locator("a").count() == 0
            box = page.locator(".st-key-comment_box").bounding_box()
            assert context.bounding_box()["y"] < box["y"]  # above the comment
        finally:
            browser.close()
