"""The review page for a comment with bidirectional controls (notice, controls made visible,
the text as readers see it) and for an edited comment (its version)."""
from __future__ import annotations

from helpers import KeywordModel, write_csv
from ui_helpers import start, static_html_only, texts

from moderation.queue.ingest import ingest_file
from moderation.text import bidi

RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"
# stored reversed after an override: readers see «Пиши в [telegram](x) **сюди**»; the plain
# start makes the stand-in model put it first in the queue
SHOWN = "Пиши в [telegram](x) **сюди**"
STORED = "Увага, дурень #0.99 " + RLO + SHOWN[::-1] + PDF
AUTHOR = LRI + "<b>Адмін</b>" + PDI
NOTICE = "Текст містить приховані символи напрямку письма: показано так, як його збережено"


def add(app_env, tmp_path, rows, name):
    store = app_env.store()
    try:
        ingest_file(store, write_csv(tmp_path / name, rows), KeywordModel(), spot_check_rate=0)
    finally:
        store.dispose()


def test_bidi_comment_is_shown_with_visible_controls_and_a_notice(app_env, tmp_path):
    add(app_env, tmp_path, [{"id": "rlo", "text": STORED, "author": AUTHOR,
                             "article_title": "Ремонт" + RLO + "дороги"}], "rlo.csv")
    at = start("olena")
    assert not at.exception
    page = texts(at)
    assert NOTICE in page
    assert not bidi.has_controls(page)  # no control reaches the page alive
    assert "⟦LRI⟧<b>Адмін</b>⟦PDI⟧" in page  # the author, literally, controls marked
    assert "Ремонт⟦RLO⟧дороги" in page
    box = "\n".join(m.value for m in at.markdown)
    assert "⟦RLO⟧" in box and "⟦PDF⟧" in box
    assert at.text[0].value == "Увага, дурень #0.99 " + SHOWN  # as readers see it, plain
    raw = [t.value for t in at.text]
    assert bidi.visible(STORED) in raw  # the «Текст без форматування» expander
    static_html_only(at)


def test_bidi_alert_without_labels_explains_why_it_is_queued(app_env, tmp_path):
    add(app_env, tmp_path, [{"id": "quiet", "text": "Дякую за статтю",
                             "author": "Оля" + RLO + "#0.99"}], "quiet.csv")
    at = start("olena")
    for _ in range(6):  # the six flagged demo comments first (score 0.9 each)
        at.button(key="act_override").click().run()
    page = texts(at)
    assert "у черзі через приховані символи напрямку письма" in page
    assert NOTICE in page and "Оля⟦RLO⟧#0.99" in page
    at.button(key="act_override").click().run()  # allowed: no label needed
    assert list(app_env.history()["external_id"])[0] == "quiet"


def test_an_edited_comment_shows_its_version(app_env, tmp_path):
    at = start("olena")
    first = at.session_state["selected"]["comment_id"]
    add(app_env, tmp_path, [{"id": "c6", "text": "Ти дурень, виправлено #0.99",
                             "author": "x"}], "edit.csv")
    at.run()
    assert "версія 2" in " ".join(c.value for c in at.caption)
    assert at.session_state["selected"]["comment_id"] != first
    at.button(key="act_confirm").click().run()
    rows = app_env.history()
    assert (rows.iloc[0]["external_id"], rows.iloc[0]["version"]) == ("c6", 2)
