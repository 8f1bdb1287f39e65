"""In a real headless Chromium: user text never becomes a link, the pages ask no outside
host for anything, and the review screen fits a 1366x768 laptop screen.

A spam comment whose text, author, title and id hold a URL, a ``www.`` form and an e-mail
goes through every surface: the queue's comment box (with highlighted trigger words),
author, title, the note and the flash messages of a decision and its undo, spot check,
history, statistics, the model page with its card, the moderators page; a right-to-left
override in the title shows as a mark, not applied. Debian's
``chromium`` driven by the ``playwright`` package (never ``playwright install``), as in
``test_e2e_browser.py``; once on SQLite and once on PostgreSQL.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import CHROMIUM_ARGS, chromium, submit_sign_in, ui_process
from helpers import KeywordModel, write_csv

from moderation.auth import add_moderator
from moderation.display import AUTOLINK_BREAK
from moderation.queue.ingest import ingest_file
from moderation.store import open_store

pytestmark = pytest.mark.browser
PASSWORD = "olena-secret-1"
URL, WWW, EMAIL = ("https://casino-bonus.example/ua", "www.casino-bonus.example",
                   "spam@casino-bonus.example")
SPAM_ID = "www.casino-bonus.example/1"
REVERSED = "\u202e" + URL[::-1]  # displays as the URL if the override were applied
SPAM = {"id": SPAM_ID, "author": f"{WWW} {EMAIL}", "article_id": "a-1",
        "article_title": f"Бонус {URL} {WWW} {EMAIL} {REVERSED}",
        "posted_at": "2026-11-20T10:00:00+02:00",
        "text": f"Казино онлайн, бонус 500 грн, знижка! {URL} або {WWW}, пишіть {EMAIL}"}
# the same author again (author history) with nearly the same text (near duplicates), scored
# lower (``#0.7``, see helpers.KeywordModel) so that SPAM comes first
SPAM_AGAIN = {**SPAM, "id": "spam-2", "article_id": "a-9", "text": SPAM["text"] + " #0.7"}
CLEAN = {"id": "clean-1", "author": EMAIL, "article_id": "a-2", "article_title": WWW,
         "posted_at": "2026-11-20T11:00:00+02:00",
         "text": f"Дякую за статтю, джерело: {URL}, пошта редакції {EMAIL}"}
NOTE = f"реклама: {URL} {WWW} {EMAIL}"
# a typical flagged comment: four or five lines on a laptop, two labels flagged
TYPICAL = {"id": "t-1", "author": "Небайдужий_мешканець", "article_id": "a-3",
           "article_title": "Депутати міськради ухвалили бюджет на наступний рік",
           "posted_at": "2026-11-20T12:00:00+02:00",
           "text": "Цей депутат вкрав гроші з бюджету, всі це знають, а ви мовчите. Дурень той, "
                   "хто за нього голосував минулого разу. Дороги як були розбиті, так і "
                   "лишилися, освітлення на нашій вулиці немає третій рік, а в звіті написали, "
                   "що все відремонтовано. Хай прокуратура перевірить, куди пішли мільйони, "
                   "бо інакше нічого не зміниться."}
VIEWPORT = {"width": 1366, "height": 768}
# any <a> that points at the spam, or that a moderator could click to write to it
SPAM_LINKS = 'a[href*="casino-bonus"], a[href^="mailto:"], a[href*="www."]'


@contextlib.contextmanager
def serve(tmp_path: Path, db_url: str, model_dir: Path, rows=(SPAM, SPAM_AGAIN, CLEAN)):
    """`moderation ui` on a free port over ``db_url`` holding ``rows`` (by default the spam,
    its near duplicate and a clean comment)."""
    store = open_store(db_url)
    try:
        ingest_file(store, write_csv(tmp_path / "comments.csv", list(rows)), KeywordModel(),
                    spot_check_rate=1.0)
        add_moderator(store, "olena", PASSWORD, role="admin")
    finally:
        store.dispose()
    with ui_process(db_url, model_dir, tmp_path) as url:
        yield url


def sign_in(page, url: str, first: str = "Казино") -> None:
    from playwright.sync_api import expect

    submit_sign_in(page, url, "olena", PASSWORD)
    expect(page.locator(".st-key-comment_box")).to_contain_text(first, timeout=30_000)


def shown(locator) -> str:
    """What a reader sees in ``locator`` (the invisible word joiners left out)."""
    return locator.inner_text().replace(AUTOLINK_BREAK, "")


def go(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    page.get_by_role("heading", level=1).filter(has_text=title.split()[0]).first.wait_for()
    page.wait_for_timeout(1500)  # let the page finish drawing before counting links


def spam_links(page) -> list[str]:
    return [page.locator(SPAM_LINKS).nth(i).evaluate("a => a.outerHTML")
            for i in range(page.locator(SPAM_LINKS).count())]


def test_user_text_makes_no_links_and_pages_ask_no_outside_host(tmp_path, db_url, tiny_model):
    from playwright.sync_api import expect, sync_playwright

    requested: list[str] = []
    found: dict[str, list[str]] = {}
    with serve(tmp_path, db_url, tiny_model) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.on("request", lambda request: requested.append(request.url))
            sign_in(page, url)
            box = page.locator(".st-key-comment_box")
            expect(box.locator("[data-testid='stMarkdownContainer'] span").first).to_be_visible()
            for value in (URL, WWW, EMAIL):  # the text is all there, as written
                assert value in shown(box)
            assert box.locator("a").count() == 0
            main = page.get_by_test_id("stMain")
            author = main.locator("[data-testid='stMarkdownContainer']", has_text="Автор:")
            title = main.locator("[data-testid='stMarkdownContainer']", has_text="Стаття:")
            ref = page.locator(".st-key-comment_ref")
            assert shown(author) == f"Автор: {WWW} {EMAIL}"
            assert shown(title) == f"Стаття: Бонус {URL} {WWW} {EMAIL} ⟦RLO⟧{URL[::-1]}"
            assert SPAM_ID in shown(ref)
            for part in (author, title, ref):
                assert part.locator("a").count() == 0
            found["queue"] = spam_links(page)
            for context in ("Історія автора", "Схожі коментарі"):  # the context tables
                page.get_by_text(context).click()
            expect(page.get_by_test_id("stDataFrame")).to_have_count(2)
            page.wait_for_timeout(1000)
            found["queue context"] = spam_links(page)

            # a decision with a note, then its undo: the flash quotes the comment's own id
            page.get_by_label("Примітка (необов'язково)").fill(NOTE)
            page.evaluate("document.activeElement && document.activeElement.blur()")
            page.keyboard.press("k")  # «Дозволено: залишити»
            expect(page.get_by_test_id("stAlert").first).to_contain_text("Залишено",
                                                                         timeout=30_000)
            page.evaluate("document.activeElement && document.activeElement.blur()")
            page.keyboard.press("u")
            flash = page.get_by_test_id("stAlert").filter(has_text="Рішення скасовано")
            expect(flash).to_be_visible(timeout=30_000)
            assert SPAM_ID in shown(flash)
            assert flash.locator("a").count() == 0
            found["queue after undo"] = spam_links(page)

            go(page, "Вибіркова перевірка")
            expect(page.locator(".st-key-comment_box")).to_contain_text("Дякую",
                                                                        timeout=30_000)
            assert URL in shown(page.locator(".st-key-comment_box"))
            found["spot check"] = spam_links(page)
            for title_text in ("Історія", "Статистика", "Модератори"):
                go(page, title_text)
                found[title_text] = spam_links(page)
            go(page, "Модель")
            page.get_by_text("Картка моделі").click()
            expect(page.get_by_text("Призначення")).to_be_visible()
            found["model"] = spam_links(page)
        finally:
            browser.close()
    assert {where: links for where, links in found.items() if links} == {}
    outside = sorted({urlsplit(u).hostname for u in requested
                      if urlsplit(u).scheme in ("http", "https", "ws", "wss")} - {"127.0.0.1"})
    assert outside == [], [u for u in requested if urlsplit(u).hostname in outside]
    assert requested  # the recorder saw the app's own requests


WORD_BREAKS = """el => {
  const broken = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""


def test_review_screen_fits_a_1366x768_screen(tmp_path, tiny_model):
    from playwright.sync_api import sync_playwright

    from moderation.taxonomy import LABEL_DEFS

    with serve(tmp_path, f"sqlite:///{tmp_path / 'fit.db'}", tiny_model, [TYPICAL]) as url, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            sign_in(page, url, "Цей депутат")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(tmp_path / "review-1366x768.png"))
            boxes = {key: page.locator(f".st-key-{key}").bounding_box()
                     for key in ("comment_box", "act_confirm", "act_override",
                                 *(f"toggle_{d.name}" for d in LABEL_DEFS))}
            broken = {d.name: page.locator(f".st-key-toggle_{d.name} button:visible").evaluate(
                WORD_BREAKS) for d in LABEL_DEFS}
            scrolled = page.evaluate(
                "document.querySelector('[data-testid=\"stMain\"]').scrollTop")
        finally:
            browser.close()
    assert scrolled == 0
    outside = {key: box for key, box in boxes.items() if box is None or box["y"] < 0
               or box["x"] < 0 or box["y"] + box["height"] > VIEWPORT["height"]
               or box["x"] + box["width"] > VIEWPORT["width"]}
    assert outside == {}, f"not inside the 1366x768 screen: {outside}"
    assert {name: words for name, words in broken.items() if words} == {}
