"""The Ukrainian model card for the «Модель» page: the manifest's facts, in Ukrainian words."""
from __future__ import annotations

import json
import re

import pytest

from moderation.classifier.card_uk import card_sections
from moderation.taxonomy import LABEL_DEFS, SITE_RULE

ENGLISH_WORDS = re.compile(r"\b(the|and|of|rows|label|labels|model|precision|recall|"
                           r"threshold|positives|sources|created|intended|use|known|limits|"
                           r"training|quality|flagged|clean|comments)\b", re.IGNORECASE)
HOSTILE_SOURCE = "https://casino-bonus.example/ua **жирний** <b>x</b>"


@pytest.fixture
def manifest(tiny_model) -> dict:
    manifest = json.loads((tiny_model / "manifest.json").read_text(encoding="utf-8"))
    manifest["training_data"]["sources"] = {HOSTILE_SOURCE: 3, "seed": 49}
    manifest["metrics"]["independent_eval"] = {"independent_a": {
        "rows": 40, "macro_f1": 0.5, "micro_f1": 0.6, "macro_f1_ci": [0.4, 0.6],
        "labels": {"insult": {"n": 40, "support": 6, "precision": 0.5, "recall": 0.25,
                              "f1": 0.333, "roc_auc": None, "pr_auc": 0.4, "threshold": 0.5}}}}
    manifest["decisions_until"], manifest["decisions_used"] = 90, 42
    manifest["decision_weight"] = {"weight": 3.0, "reason": "best macro F1 on decisions"}
    return manifest


def everything(sections) -> str:
    parts = []
    for s in sections:
        parts += [s.title, *s.lines]
        parts += [f"{k} {v}" for row in s.table for k, v in row.items()]
    return "\n".join(parts)


def test_sections_are_ukrainian_and_carry_the_manifests_figures(manifest):
    sections = card_sections(manifest)
    titles = [s.title for s in sections]
    assert titles[:4] == ["Призначення", "Мітки", "Дані для навчання",
                          "Якість (крос-валідація, групи за статтями)"]
    assert titles[-1] == "Відомі обмеження"
    assert "Незалежно написані коментарі: independent_a (40 рядків)" in titles
    assert "Навчання на рішеннях модераторів" in titles
    text = everything(sections)
    english = {w.lower() for w in ENGLISH_WORDS.findall(text.replace(HOSTILE_SOURCE, ""))}
    assert english == set()
    assert f"«{SITE_RULE}»" in text
    for d in LABEL_DEFS:
        assert f"{d.title_uk}: {d.rule_uk}." in text
    assert "Використано рішень модераторів: 42 (до №90" in text
    quality = sections[3].table
    cv = manifest["metrics"]["cv"]["labels"]
    assert len(quality) == len(cv)
    assert set(quality[0]) == {"мітка", "рядків", "порушень", "точність", "повнота", "F1",
                               "ROC-AUC", "PR-AUC", "поріг"}
    by_title = {row["мітка"]: row for row in quality}
    assert by_title["Образа"]["точність"] == f"{cv['insult']['precision']:.3f}"
    assert by_title["Образа"]["поріг"] == f"{cv['insult']['threshold']:.3f}"


def test_file_text_is_passed_on_verbatim_for_plain_display(manifest):
    """A source name from a file is not interpreted here: the page shows lines as plain text."""
    data = next(s for s in card_sections(manifest) if s.title == "Дані для навчання")
    assert f"Джерела: {HOSTILE_SOURCE} (3), seed (49)." in data.lines


def test_a_bare_manifest_still_gives_a_card():
    sections = card_sections({})
    assert [s.title for s in sections] == ["Призначення", "Мітки", "Дані для навчання",
                                           "Якість (крос-валідація, групи за статтями)",
                                           "Відомі обмеження"]
    assert sections[3].table == ()


def test_bidi_controls_from_files_are_shown_not_applied(manifest):
    manifest["model_version"] = "v1\u202eexe.gpj"
    manifest["metrics"]["independent_eval"]["\u202eA"] = \
        manifest["metrics"]["independent_eval"].pop("independent_a")
    text = everything(card_sections(manifest))
    assert "\u202e" not in text
    assert "Версія моделі: v1⟦RLO⟧exe.gpj;" in text and "коментарі: ⟦RLO⟧A (40 рядків)" in text
