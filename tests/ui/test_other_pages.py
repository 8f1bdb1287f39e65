"""Вибіркова перевірка, Історія, Статистика, Модель, Модератори; sessions and failures."""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from ui_helpers import PASSWORDS, sign_in, start, texts

from moderation.display import AUTOLINK_BREAK


def test_spot_check_needs_a_label_to_confirm_then_records_it(app_env):
    at = start("olena")
    at.switch_page("views/spot_check.py").run()
    assert at.title[0].value == "Вибіркова перевірка"
    assert at.text[0].value in ("Дякую за статтю", "Коли відремонтують дорогу?")
    assert "Модель не позначила" in texts(at)
    at.button(key="act_confirm").click().run()
    assert "позначте хоча б одну мітку" in texts(at)
    at.button(key="toggle_improper").click().run()
    at.button(key="act_confirm").click().run()
    row = app_env.history().iloc[0]
    assert (row["action"], row["queue"], row["labels"]) == ("confirm", "spot_check", "improper")


def test_history_filters_and_formula_safe_csv(app_env):
    at = start("olena")
    comment_id = at.session_state["selected"]["comment_id"]
    at.text_input(key=f"note_{comment_id}").input("=HYPERLINK(\"http://x\")")
    at.button(key="act_confirm").click().run()
    at.button(key="act_override").click().run()
    at.switch_page("views/history.py").run()
    assert len(at.dataframe[0].value) == 2
    at.selectbox(key="hist_action").set_value("override").run()
    assert list(at.dataframe[0].value["Дія"]) == ["дозволено: залишено"]
    at.selectbox(key="hist_action").set_value(None)
    at.selectbox(key="hist_label").set_value("insult").run()
    assert list(at.dataframe[0].value["Дія"]) == ["порушення: приховано"]
    at.selectbox(key="hist_label").set_value(None)
    at.selectbox(key="hist_moderator").set_value("petro").run()
    assert at.dataframe[0].value.empty
    frame = app_env.history()
    from moderation.display import csv_bytes

    rows = list(csv.DictReader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
    assert {r["note"] for r in rows} >= {"'=HYPERLINK(\"http://x\")"}
    assert at.get("download_button")


def test_history_date_filter(app_env):
    at = start("olena")
    at.button(key="act_confirm").click().run()
    at.switch_page("views/history.py").run()
    at.date_input(key="hist_dates").set_value(
        (pd.Timestamp("2020-01-01").date(), pd.Timestamp("2020-01-02").date())).run()
    assert at.dataframe[0].value.empty


def test_stats_page(app_env):
    at = start("olena")
    at.button(key="act_confirm").click().run()  # c6 insult confirmed
    at.button(key="act_override").click().run()  # c5 overridden
    at.switch_page("views/stats.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["У черзі"] == "4"
    assert metrics["Позначки відхилено"] == "50%"
    people = at.dataframe[0].value.set_index("модератор")
    assert people.loc["olena", "рішень"] == 2
    assert people.loc["olena", "дозволено позначених"] == 0.5
    assert people.loc["olena", "проміжків"] == 1  # two decisions in a row: one interval
    quality = at.dataframe[1].value.set_index("мітка")
    assert quality.loc["Образа", "точність позначок"] == 1.0
    assert quality.loc["Образа", "вирішено позначених"] == 1
    at.radio(key="stats_period").set_value(7).run()
    assert at.dataframe[0].value["рішень"].sum() == 2


def test_admin_adds_a_moderator(app_env):
    at = start("olena")
    at.switch_page("views/moderators.py").run()
    at.text_input(key="new_name").input("<b>ivan</b>")
    at.text_input(key="new_password").input("ivan-secret-1")
    at.button(key="new_submit").click().run()
    assert not at.exception
    assert "<b>ivan</b>" in [m.name for m in app_env.moderators()]
    assert "Додано: <b>ivan</b>" in texts(at)


@pytest.mark.parametrize(("name", "password", "message"), [
    ("ivan", "short", "Не додано: пароль закороткий: потрібно щонайменше 8 символів"),
    ("petro", "petro-new-secret", "Не додано: модератор 'petro' уже є"),
    ("iv\u200ban", "ivan-secret-1", "Не додано: ім'я модератора не може містити керівних"),
])
def test_refused_moderator_is_explained_in_ukrainian(app_env, name, password, message):
    at = start("olena")
    at.switch_page("views/moderators.py").run()
    at.text_input(key="new_name").input(name)
    at.text_input(key="new_password").input(password)
    at.button(key="new_submit").click().run()
    assert not at.exception
    errors = [e.value.replace("\\", "") for e in at.error]
    assert len(errors) == 1 and errors[0].replace(AUTOLINK_BREAK, "").startswith(message)
    assert "password" not in errors[0] and "exists" not in errors[0]
    assert sorted(m.name for m in app_env.moderators()) == ["olena", "petro"]


def test_moderator_has_no_moderators_page(app_env):
    at = start("petro")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/moderators.py")


def test_idle_session_expires(app_env, monkeypatch):
    at = start("olena")
    monkeypatch.setenv("MODERATION_SESSION_IDLE_MINUTES", "0")
    at.run()
    assert at.session_state["moderator"] is None
    assert "Сесія завершилася" in texts(at)
    assert at.text_input(key="signin_name")


def test_removed_account_is_signed_out(app_env):
    at = start("petro")
    app_env.remove_moderator("petro")
    at.run()
    assert at.session_state["moderator"] is None
    assert "Ви вийшли" in texts(at) and at.text_input(key="signin_name")


def test_admin_removes_a_moderator_whose_sessions_end(app_env):
    petro = start("petro")
    admin = start("olena")
    admin.switch_page("views/moderators.py").run()
    admin.selectbox(key="remove_name").select("petro")
    admin.button(key="remove_submit").click().run()
    assert "Виберіть обліковий запис і підтвердьте" in texts(admin)  # not without a yes
    assert "petro" in [m.name for m in app_env.moderators()]
    admin.checkbox(key="remove_sure").check()
    admin.button(key="remove_submit").click().run()
    assert not admin.exception
    assert [m.name for m in app_env.moderators()] == ["olena"]
    assert "Видалено: petro" in texts(admin)
    petro.run()
    assert petro.session_state["moderator"] is None


def test_sign_out_ends_the_session_in_another_tab_too(app_env):
    from moderation.auth.sessions import Ended, resume

    first = start("olena")
    session_id = first.session_state["session_id"]
    first.button(key="sign_out").click().run()
    assert first.session_state["moderator"] is None
    store = app_env.store()
    try:
        assert resume(store, session_id) == Ended("signed_out")
    finally:
        store.dispose()


def test_the_same_answer_for_unknown_wrong_and_locked_names(app_env):
    from moderation.auth import SIGNIN_REFUSED
    from moderation.auth.signin import MAX_FAILURES

    at = start(None)
    for _ in range(MAX_FAILURES):
        sign_in(at, "petro", "wrong password")
    answers = []
    for name, password in [("nobody", "petro-secret-1"), ("petro", "wrong password"),
                           ("petro", PASSWORDS["petro"])]:  # locked: even the right one
        sign_in(at, name, password)
        answers.append([e.value for e in at.error])
    assert answers == [[SIGNIN_REFUSED]] * 3
    assert at.session_state["moderator"] is None


def test_unreachable_database_gives_a_clear_message_and_recovers(app_env, monkeypatch):
    at = start("olena")
    monkeypatch.setenv("MODERATION_DB_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    at.run()
    assert "База даних недоступна" in texts(at)
    assert at.button(key="db_retry")
    monkeypatch.setenv("MODERATION_DB_URL", app_env.db_url)
    at.button(key="db_retry").click().run()
    assert "База даних недоступна" not in texts(at)
    at.button(key="act_confirm").click().run()
    assert len(app_env.history()) == 1


def test_missing_model_still_lets_moderators_work(app_env, monkeypatch, tmp_path):
    monkeypatch.setenv("MODERATION_MODEL_DIR", str(tmp_path / "no-model"))
    at = start("petro", PASSWORDS["petro"])
    assert "Модель недоступна" in texts(at)
    at.button(key="act_confirm").click().run()
    assert list(app_env.history()["action"]) == ["confirm"]


def test_sign_out_releases_the_claim(app_env):
    from moderation.queue import next_item

    at = start("olena")
    held = at.session_state["selected"]["comment_id"]
    at.button(key="sign_out").click().run()
    assert at.session_state["moderator"] is None and "Ви вийшли" in texts(at)
    store = app_env.store()
    try:
        assert next_item(store, "someone-else").comment.id == held  # free again
    finally:
        store.dispose()
