"""Історія: readable table, text search, and reopening / relabelling a decision with a note."""
from __future__ import annotations

from ui_data import INJECTION
from ui_helpers import start, texts

from moderation.store.verify import verify_store


def decide_two(at):
    at.button(key="act_confirm").click().run()  # c6 (the injection text): insult
    at.button(key="act_override").click().run()  # c5: allowed
    at.switch_page("views/history.py").run()
    assert not at.exception


def table(at):
    return at.dataframe[0].value


def test_history_is_readable_with_the_text_first(app_env):
    at = start("petro")
    decide_two(at)
    frame = table(at)
    assert list(frame.columns[:5]) == ["Текст коментаря", "Час", "Модератор", "Дія", "Мітки"]
    assert list(frame["Текст коментаря"]) == ["Мій сусід вкрав велосипед", INJECTION]
    assert list(frame["Дія"]) == ["дозволено: залишено", "порушення: приховано"]
    assert list(frame["Мітки"]) == ["без порушень", "Образа"]
    assert list(frame["Примітка"]) == ["—", "—"]
    assert "decision_id" not in frame.columns and "None" not in frame.to_string()


def test_text_search_ignores_case(app_env):
    at = start("petro")
    decide_two(at)
    at.text_input(key="hist_search").input("СУСІД").run()
    assert list(table(at)["Текст коментаря"]) == ["Мій сусід вкрав велосипед"]
    at.text_input(key="hist_search").input("немає такого тексту").run()
    assert table(at).empty
    assert "Немає рішень, які можна вибрати." in [c.value for c in at.caption]
    at.text_input(key="hist_search").input("").run()
    assert len(table(at)) == 2


def test_relabel_a_decision_with_a_note(app_env):
    at = start("petro")
    decide_two(at)
    decided = app_env.history()
    allowed = decided.iloc[0]  # the override, newest first
    at.selectbox(key="hist_pick").set_value(int(allowed["decision_id"])).run()
    at.radio(key="hist_fix_kind").set_value("relabel").run()
    labels = at.multiselect(key=f"hist_fix_labels_{allowed['decision_id']}")
    assert labels.value == []  # starts from the picked decision's labels
    labels.set_value(["personal_feud"]).run()
    at.button(key="hist_fix_submit").click().run()  # no note yet
    assert "Потрібна примітка" in texts(at)
    assert len(app_env.history()) == 2
    at.text_input(key=f"hist_fix_note_{allowed['decision_id']}").input("зведення рахунків").run()
    at.button(key="hist_fix_submit").click().run()
    assert not at.exception
    rows = app_env.history()
    assert len(rows) == 3
    fixed = rows.iloc[0]
    assert (fixed["action"], fixed["labels"], fixed["note"], fixed["moderator"]) == (
        "relabel", "personal_feud", "зведення рахунків", "petro")
    assert fixed["comment_id"] == allowed["comment_id"]
    assert "Мітки змінено" in texts(at)
    assert list(table(at)["Мітки"])[0] == "Особисті рахунки"  # the table shows it at once
    store = app_env.store()
    try:
        assert verify_store(store).ok
    finally:
        store.dispose()


def test_reopen_puts_the_comment_back_in_the_queue(app_env):
    at = start("petro")
    decide_two(at)
    confirmed = app_env.history().iloc[1]
    pick = int(confirmed["decision_id"])
    at.selectbox(key="hist_pick").set_value(pick).run()
    at.radio(key="hist_fix_kind").set_value("reopen").run()
    at.text_input(key=f"hist_fix_note_{pick}").input("не образа, а цитата").run()
    at.button(key="hist_fix_submit").click().run()
    rows = app_env.history()
    assert (rows.iloc[0]["action"], rows.iloc[0]["reverts_id"]) == ("undo", pick)
    assert "повернуто в чергу" in texts(at)
    at.switch_page("views/queue.py").run()
    at.button(key="act_override").click().run()  # the comment petro held meanwhile (c4)
    assert at.text[0].value == INJECTION  # the reopened one is back at the top of the queue
    at.switch_page("views/history.py").run()
    at.selectbox(key="hist_pick").set_value(pick).run()
    at.radio(key="hist_fix_kind").set_value("reopen").run()
    at.text_input(key=f"hist_fix_note_{pick}").input("ще раз").run()
    at.button(key="hist_fix_submit").click().run()
    assert "немає чинного рішення" in texts(at)
    assert len(app_env.history()) == 4  # confirm, override, reopen, c4's override: no more
