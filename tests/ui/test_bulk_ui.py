"""Черга: hide all / keep all for a campaign and for an author, after one confirmation that
names how many comments and which labels; one decision per comment, the audit trail sound."""
from __future__ import annotations

from helpers import KeywordModel, write_csv
from ui_helpers import start, static_html_only, texts

from moderation.queue.ingest import ingest_file
from moderation.store.verify import verify_store


def test_hide_a_campaign_after_one_confirmation(app_env):
    at = start("olena")
    at.text_input(key="review_f_author").input("Громада_Волині").run()
    assert at.button(key="bulk_campaign_confirm").label == "Приховати всі (2)"
    assert at.button(key="bulk_campaign_override").label == "Залишити всі (2)"
    at.button(key="bulk_campaign_confirm").click().run()
    assert app_env.history().empty  # nothing done before the confirmation
    warning = at.warning[0].value
    assert "Приховати 2 коментарів" in warning and "мітки, які модель позначила" in warning
    at.button(key="bulk_yes").click().run()
    assert not at.exception
    rows = app_env.history()
    assert sorted(rows["external_id"]) == ["c1", "c2"]
    assert set(rows["action"]) == {"confirm"} and set(rows["labels"]) == {"political_pr"}
    assert "Приховано: 2." in texts(at)
    store = app_env.store()
    try:
        report = verify_store(store)
        assert report.ok and report.decisions == 2, report.lines()
    finally:
        store.dispose()
    static_html_only(at)


def test_keep_all_of_an_author_with_a_cancel_first(app_env, tmp_path):
    store = app_env.store()
    try:
        ingest_file(store, write_csv(tmp_path / "more.csv", [dict(
            id="c9", text="Ти дурень", author="Громада_Волині", article_id="a-9")]),
                    KeywordModel(), spot_check_rate=1.0)
    finally:
        store.dispose()
    at = start("olena")
    at.text_input(key="review_f_author").input("Громада_Волині").run()
    at.button(key="bulk_author_override").click().run()
    assert "Залишити 2 коментарів" in at.warning[0].value
    at.button(key="bulk_no").click().run()
    assert not at.warning and app_env.history().empty
    at.selectbox(key="bulk_label").set_value("insult").run()
    at.button(key="bulk_author_override").click().run()
    at.button(key="bulk_yes").click().run()
    rows = app_env.history()
    assert sorted(rows["external_id"]) == ["c1", "c9"] and set(rows["action"]) == {"override"}
    assert "Залишено: 2." in texts(at)


def test_a_label_for_the_whole_campaign(app_env):
    at = start("olena")
    at.text_input(key="review_f_author").input("Патріот_2026").run()
    at.selectbox(key="bulk_label").set_value("improper").run()
    at.button(key="bulk_campaign_confirm").click().run()
    assert "з мітками: Некоректне" in at.warning[0].value
    at.button(key="bulk_yes").click().run()
    assert set(app_env.history()["labels"]) == {"improper"}
