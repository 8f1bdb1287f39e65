"""The review page above a reply: the comment it answers and the article (title, address as
plain text, opening line), never as Markdown or a link; the backlog in the page header."""
from __future__ import annotations

from helpers import KeywordModel, write_csv
from ui_helpers import start, static_html_only

from moderation.queue.ingest import ingest_file

PARENT = "Ти дурень, пиши на user@example.com або www.evil.example"
REPLY = "@Тарас … Ви його теж бидлом назвете? дурень"
URL = "https://news.example/budget?x=<b>1</b>"
SNIPPET = "**Бюджет** [ухвалено](javascript:alert(1)) вчора"
THREAD = [
    {"id": "p1", "author": "Тарас", "text": PARENT, "parent_id": "", "article_id": "a-9",
     "article_title": "Бюджет <i>міста</i>", "article_url": URL, "article_snippet": SNIPPET,
     "posted_at": "2026-11-20T10:00:00+02:00"},
    {"id": "r1", "author": "Відповідач", "text": REPLY, "parent_id": "p1", "article_id": "a-9",
     "article_title": "Бюджет <i>міста</i>", "article_url": URL, "article_snippet": SNIPPET,
     "posted_at": "2026-11-20T10:05:00+02:00"},
]


def add_thread(app_env, tmp_path):
    store = app_env.store()
    try:
        ingest_file(store, write_csv(tmp_path / "thread.csv", THREAD), KeywordModel(),
                    spot_check_rate=0)
    finally:
        store.dispose()


def show_reply(at):
    return at.text_input(key="review_f_author").input("Відповідач").run()


def block_key(node) -> str:
    """The key a container was given (``st.container(key=...)``), or ``""``."""
    return str(getattr(getattr(node, "proto", None), "id", "") or "").rsplit("-", 1)[-1]


def plain_texts(at) -> list[str]:
    return [t.value for t in at.text]


def test_the_parent_and_the_article_stand_above_the_reply(app_env, tmp_path):
    add_thread(app_env, tmp_path)
    at = show_reply(start("olena"))
    assert not at.exception, at.exception
    shown = plain_texts(at)
    assert shown[:2] == [f"Стаття: Бюджет <i>міста</i> · {URL}\nПочаток статті: {SNIPPET}",
                         f"У відповідь на: Тарас · 20.11.2026 10:00\n{PARENT}"]
    assert shown[-1] == REPLY  # the «Текст без форматування» expander, below the comment
    blocks = [block_key(node) for node in at.main.children.values()]
    assert blocks.index("reply_context") < blocks.index("comment_box")  # above the comment
    markdown = "\n".join(m.value for m in at.markdown)
    for untrusted in (PARENT, "user@example.com", "www.evil.example", "news.example",
                      "javascript"):
        assert untrusted not in markdown  # user text of the context never goes to Markdown
    static_html_only(at)
    assert not [b for b in at.get("link_button") if "javascript" in str(b.proto)]


def test_a_hidden_parent_says_so(app_env, tmp_path):
    add_thread(app_env, tmp_path)
    at = start("olena")
    at.text_input(key="review_f_author").input("Тарас").run()
    assert plain_texts(at)[-1] == PARENT
    at.button(key="act_confirm").click().run()
    at = show_reply(at)
    assert f"У відповідь на: Тарас · 20.11.2026 10:00 · приховано модератором\n{PARENT}" \
        in plain_texts(at)


def test_a_long_parent_is_cut(app_env, tmp_path):
    long = "Довгий коментар, дурень. " * 40  # 1,000 characters
    thread = [{**THREAD[0], "text": long}, THREAD[1]]
    store = app_env.store()
    try:
        ingest_file(store, write_csv(tmp_path / "long.csv", thread), KeywordModel(),
                    spot_check_rate=0)
    finally:
        store.dispose()
    shown = plain_texts(show_reply(start("olena")))[1]
    assert shown.endswith(long[:500] + "…")


def test_a_reply_to_a_comment_not_stored_says_so(app_env, tmp_path):
    store = app_env.store()
    try:
        ingest_file(store, write_csv(tmp_path / "orphan.csv", [
            {"id": "r9", "author": "Відповідач", "text": REPLY, "parent_id": "p-gone"}]),
            KeywordModel(), spot_check_rate=0)
    finally:
        store.dispose()
    shown = plain_texts(show_reply(start("olena")))
    assert shown[0] == "У відповідь на коментар № p-gone: його немає в базі."


def test_a_comment_without_context_shows_no_block(app_env):
    at = start("olena")
    assert not [t for t in plain_texts(at) if t.startswith(("У відповідь на:", "Стаття:"))]


def test_the_header_shows_the_backlog(app_env, tmp_path):
    at = start("olena")
    captions = [c.value for c in at.caption]
    assert "Чекають рішення: 6 · найдовше чекає: менше хвилини · вирішено сьогодні: 0" \
        in captions
    at.button(key="act_confirm").click().run()
    captions = [c.value for c in at.caption]
    assert "Чекають рішення: 5 · найдовше чекає: менше хвилини · вирішено сьогодні: 1" \
        in captions
