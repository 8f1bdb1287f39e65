"""«Закріплення» for admins on Статистика, a moderator's skipped comments on the queue page,
and the line that says what J will store."""
from __future__ import annotations

from ui_data import INJECTION
from ui_helpers import start, texts

from moderation.queue import held_claims, next_item


def held(app_env) -> list[tuple[str, str]]:
    store = app_env.store()
    try:
        return [(c.moderator, c.external_id) for c in held_claims(store)]
    finally:
        store.dispose()


def test_admin_sees_and_releases_a_claim(app_env):
    petro = start("petro")  # petro's queue page claims c6
    assert petro.text[0].value == INJECTION
    store = app_env.store()
    try:
        next_item(store, "marta")  # marta holds c5
    finally:
        store.dispose()
    at = start("olena")  # olena holds c4
    at.switch_page("views/stats.py").run()
    frame = next(d.value for d in at.dataframe if "модератор" in d.value.columns)
    assert sorted(zip(frame["модератор"], frame["коментар №"])) == [
        ("marta", "c5"), ("olena", "c4"), ("petro", "c6")]
    pick = at.selectbox(key="claims_pick")
    c6 = [o for o in pick.options if o.startswith("№ c6")]
    assert len(c6) == 1
    pick.select_index(pick.options.index(c6[0])).run()
    at.button(key="claims_release").click().run()
    assert "Звільнено закріплень: 1" in texts(at)
    assert sorted(held(app_env)) == [("marta", "c5"), ("olena", "c4")]
    at.selectbox(key="claims_moderator").set_value("marta").run()
    at.button(key="claims_release_moderator").click().run()
    assert held(app_env) == [("olena", "c4")]


def test_a_moderator_sees_no_claims_section(app_env):
    at = start("petro")
    at.switch_page("views/stats.py").run()
    assert not at.exception
    assert "Закріплення" not in [s.value for s in at.subheader]
    assert not [b for b in at.button if b.key and b.key.startswith("claims_")]


def test_skipped_comments_are_listed_and_come_back(app_env):
    at = start("petro")
    assert "Пропущені вами: 0" in [e.label for e in at.expander]
    at.button(key="act_skip").click().run()
    assert at.text[0].value != INJECTION
    assert "Пропущені вами: 1" in [e.label for e in at.expander]
    listed = next(d.value for d in at.dataframe if "пропущено" in d.value.columns)
    assert list(listed["текст"]) == [INJECTION]
    for _ in range(5):  # decide everything else in the queue (c5 .. c1)
        at.button(key="act_override").click().run()
        assert not at.exception
    assert at.text[0].value == INJECTION  # nothing else left: the skipped one is back


def test_the_line_above_j_says_what_j_stores(app_env):
    at = start("petro")
    assert "**J збереже:** Образа (як позначила модель)" in texts(at)
    at.button(key="toggle_advertising").click().run()
    assert "**J збереже:** Реклама, Образа (змінено вами; модель: Образа)" in texts(at)
    at.button(key="toggle_advertising").click().run()
    at.button(key="toggle_insult").click().run()
    assert "**J збереже:** нічого" in texts(at)
    at.button(key="toggle_improper").click().run()
    at.button(key="act_confirm").click().run()
    assert app_env.history().iloc[0]["labels"] == "improper"  # what the line said
