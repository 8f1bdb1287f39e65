"""The review screen's author actions: the marker of the action in force beside the author
(plain text, never Markdown), and the form that sets one (reason, days, confirmation)."""
from __future__ import annotations

from datetime import timedelta

from helpers import KeywordModel, write_csv
from ui_helpers import start, static_html_only, texts

from moderation.queue.authors import author_action_in_force, set_author_action
from moderation.queue.ingest import ingest_file
from moderation.store.schema import utcnow

AUTHOR = "Сварливий <b>Петро</b>"
ROWS = [{"id": "w1", "author": AUTHOR, "text": "Ти дурень", "article_id": "a-1"}]


def add(app_env, tmp_path):
    store = app_env.store()
    try:
        ingest_file(store, write_csv(tmp_path / "w.csv", ROWS), KeywordModel(),
                    spot_check_rate=0)
    finally:
        store.dispose()


def in_force(app_env):
    store = app_env.store()
    try:
        with store.read() as conn:
            return author_action_in_force(conn, AUTHOR)
    finally:
        store.dispose()


def show(at):
    return at.text_input(key="review_f_author").input(AUTHOR).run()


def test_the_action_in_force_is_shown_beside_the_author(app_env, tmp_path):
    add(app_env, tmp_path)
    store = app_env.store()
    try:
        set_author_action(store, "petro", AUTHOR, "watch", "спам на www.evil.example **жирно**",
                          expires_at=utcnow() + timedelta(days=3))
    finally:
        store.dispose()
    at = show(start("olena"))
    marker = [t.value for t in at.text if t.value.startswith("⚑ ")]
    assert len(marker) == 1 and "Автор під наглядом до " in marker[0]
    assert "спам на www.evil.example **жирно** (petro)" in marker[0]  # literal, plain text
    assert not any("www.evil.example" in m.value for m in at.markdown)
    static_html_only(at)


def test_the_form_sets_an_action_only_when_confirmed(app_env, tmp_path):
    add(app_env, tmp_path)
    at = show(start("olena"))
    assert not [t for t in at.text if t.value.startswith("⚑ ")]
    at.selectbox(key="author_kind").select("ban")
    at.text_input(key="author_reason").input("погрози")
    at.number_input(key="author_days").set_value(14)
    at.button(key="author_apply").click().run()
    assert "Підтверджую" in texts(at) and in_force(app_env) is None
    at.checkbox(key="author_confirm").check()
    at.button(key="author_apply").click().run()
    assert not at.exception
    action = in_force(app_env)
    assert (action.kind, action.reason, action.moderator) == ("ban", "погрози", "olena")
    assert timedelta(days=13) < action.expires_at - utcnow() <= timedelta(days=14)
    assert any(t.value.startswith("⚑ Автора заблоковано до ") for t in at.text)


def test_a_reason_is_required(app_env, tmp_path):
    add(app_env, tmp_path)
    at = show(start("olena"))
    at.checkbox(key="author_confirm").check()
    at.button(key="author_apply").click().run()
    assert "Вкажіть причину" in texts(at) and in_force(app_env) is None
