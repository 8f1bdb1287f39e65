"""Черга: sign-in, confirm, override, relabel, skip, undo, filters, injection-safe display."""
from __future__ import annotations

from ui_data import INJECTION
from ui_helpers import captions, sign_in, start, static_html_only, texts


def shown_comment(at) -> str:
    """The comment's raw text as shown in the «Текст без форматування» expander."""
    return at.text[0].value


def test_wrong_password_is_refused(app_env):
    at = start(None)
    sign_in(at, "olena", "wrong password")
    assert "неправильне ім'я або пароль" in texts(at)
    assert at.session_state["moderator"] is None
    assert at.text_input(key="signin_name")  # still on the sign-in page


def test_five_failures_lock_the_account(app_env):
    at = start(None)
    for _ in range(5):
        sign_in(at, "petro", "wrong password")
    sign_in(at, "petro", "petro-secret-1")  # right password, but locked now
    assert "заблоковано" in texts(at)
    assert at.session_state["moderator"] is None


def test_sign_in_shows_the_top_flagged_comment(app_env):
    at = start("olena")
    assert at.session_state["moderator"].name == "olena"
    assert at.title[0].value == "Черга"
    assert shown_comment(at) == INJECTION  # c6: highest score, newest
    page = texts(at)
    assert "Образа" in page and "порушує правило сайту: «образи»" in page
    for key in ("act_confirm", "act_override", "act_relabel", "act_skip", "act_undo",
                *(f"toggle_{label}" for label in ("political_pr", "insult", "improper"))):
        assert at.button(key=key)


def test_buttons_carry_keyboard_shortcuts(app_env):
    at = start("olena")
    shortcuts = {b.key: b.proto.shortcut for b in at.button if b.key}
    assert shortcuts["act_confirm"] == "j" or shortcuts["act_confirm"].lower() == "j"
    assert {shortcuts[f"toggle_{name}"] for name in
            ("political_pr", "personal_feud", "advertising", "insult", "baseless_accusation",
             "improper")} == set("123456")
    assert all(shortcuts[f"act_{a}"] for a in ("override", "relabel", "skip", "undo"))


def test_confirm_records_the_decision_and_shows_the_next_comment(app_env):
    at = start("olena")
    at.button(key="act_confirm").click().run()
    assert not at.exception
    rows = app_env.history()
    assert list(rows["action"]) == ["confirm"]
    assert rows.iloc[0]["moderator"] == "olena" and rows.iloc[0]["labels"] == "insult"
    assert rows.iloc[0]["external_id"] == "c6"
    assert shown_comment(at) == "Мій сусід вкрав велосипед"  # next one, no extra click
    assert "Приховано (мітки: Образа)" in texts(at)


def test_note_is_saved_with_the_decision(app_env):
    at = start("olena")
    comment_id = at.session_state["selected"]["comment_id"]
    at.text_input(key=f"note_{comment_id}").input("<b>спам</b>")
    at.button(key="act_override").click().run()
    rows = app_env.history()
    assert rows.iloc[0]["action"] == "override" and rows.iloc[0]["labels"] == ""
    assert rows.iloc[0]["note"] == "<b>спам</b>"


def test_relabel_saves_the_toggled_labels(app_env):
    at = start("olena")
    at.button(key="toggle_improper").click().run()
    assert at.session_state["selected"]["labels"] == {"insult", "improper"}
    at.button(key="toggle_insult").click().run()
    at.button(key="act_relabel").click().run()
    rows = app_env.history()
    assert list(rows["action"]) == ["relabel"] and rows.iloc[0]["labels"] == "improper"


def test_confirm_with_no_label_asks_for_one(app_env):
    at = start("olena")
    at.button(key="toggle_insult").click().run()
    at.button(key="act_confirm").click().run()
    assert "позначте хоча б одну мітку" in texts(at)
    assert app_env.history().empty
    assert shown_comment(at) == INJECTION  # still the same comment


def test_skip_then_undo(app_env):
    at = start("petro")
    at.button(key="act_skip").click().run()
    assert list(app_env.history()["action"]) == ["skip"]
    assert shown_comment(at) != INJECTION  # skipped comments are not offered again to petro
    at.button(key="act_confirm").click().run()
    confirmed = app_env.history().iloc[0]
    at.button(key="act_undo").click().run()
    rows = app_env.history()
    assert rows.iloc[0]["action"] == "undo" and rows.iloc[0]["reverts_id"] == confirmed[
        "decision_id"]
    assert f"Рішення скасовано: коментар №{confirmed['external_id']} повернувся" in texts(at)
    assert shown_comment(at) == confirmed["text"]  # the undone comment is back


def test_label_filter(app_env):
    at = start("olena")
    at.selectbox(key="review_f_label").set_value("advertising").run()
    assert shown_comment(at) == "Заробіток у telegram @money, знижка 50%"
    at.selectbox(key="review_f_label").set_value(None).run()
    at.text_input(key="review_f_author").input("Злий").run()
    assert shown_comment(at) == "Ти дурень, автор"
    at.text_input(key="review_f_author").input("нікого такого").run()
    assert "Немає коментарів, що відповідають фільтрам" in texts(at)


def test_author_history_and_near_duplicates(app_env):
    at = start("olena")
    at.text_input(key="review_f_author").input("Громада_Волині").run()
    assert next(m.value for m in at.metric if "Майже однакові" in m.label) == "1"


def test_user_text_is_never_html(app_env):
    """The injection comment, author and title show literally; no element allows HTML."""
    at = start("olena")
    page = texts(at)
    assert INJECTION in page.replace("\u00a0", " ") or "<script>alert(1)</script>" in page
    assert "<img src=x onerror=alert(3)>" in page  # the author, literally
    assert "<script>alert('title')</script>" in page  # the article title, literally
    static_html_only(at)


def test_label_toggles_switch_and_show_their_state(app_env):
    at = start("olena")  # c6, the injection comment: the model flagged «Образа» only
    assert at.button(key="toggle_insult").proto.type == "primary"
    assert at.button(key="toggle_improper").proto.type == "secondary"
    assert not [b.key for b in at.button if b.key and b.key.startswith("toggle_")
                and b.proto.icon]  # no icon squeezing the longest names
    at.button(key="toggle_improper").click().run()
    assert at.button(key="toggle_improper").proto.type == "primary"
    assert "вибрані залито кольором): Некоректне, Образа" in captions(at)
    at.button(key="toggle_insult").click().run()
    assert at.button(key="toggle_insult").proto.type == "secondary"
    assert "вибрані залито кольором): Некоректне" in captions(at)


def test_empty_queue(app_env):
    at = start("olena")
    for _ in range(6):
        at.button(key="act_confirm").click().run()
    assert "порожньо" in texts(at)
    assert len(app_env.history()) == 6
