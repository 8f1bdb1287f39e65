"""HTML and script in the note and the moderator's name show literally on every page that
shows them; sessions end after their maximum age. (The comment, author and article title on
the queue page: test_queue_page.py::test_user_text_is_never_html.)"""
from __future__ import annotations

from ui_helpers import start, static_html_only, texts

no_html = static_html_only


EVIL_NAME = "<img src=x onerror=alert('name')>"
EVIL_NOTE = "<script>alert('note')</script> **жирний** [x](javascript:alert(1))"


def test_note_and_moderator_name_show_literally(app_env):
    app_env.add_moderator(EVIL_NAME, "evil-secret-1", role="admin")
    at = start(EVIL_NAME, "evil-secret-1")
    assert EVIL_NAME in texts(at)  # the sidebar, escaped
    no_html(at)
    comment_id = at.session_state["selected"]["comment_id"]
    at.text_input(key=f"note_{comment_id}").input(EVIL_NOTE)
    at.button(key="act_override").click().run()
    assert list(app_env.history()["note"]) == [EVIL_NOTE]
    for page in ("views/history.py", "views/stats.py", "views/moderators.py", "views/model.py",
                 "views/spot_check.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        no_html(at)
    at.switch_page("views/history.py").run()
    frame = at.dataframe[0].value
    assert list(frame["Примітка"]) == [EVIL_NOTE] and list(frame["Модератор"]) == [EVIL_NAME]
    at.switch_page("views/moderators.py").run()
    assert EVIL_NAME in list(at.dataframe[0].value["ім'я"])


def test_session_ends_after_its_maximum_age(app_env, monkeypatch):
    at = start("petro")
    monkeypatch.setenv("MODERATION_SESSION_MAX_HOURS", "0")
    at.run()
    assert at.session_state["moderator"] is None
    assert "Сесія завершилася" in texts(at)
