"""The model card for moderators, in Ukrainian, as sections of plain sentences and tables.

``MODEL_CARD.md`` (``card.py``) stays in English for the people who train and audit models;
this is the same content, written from the same manifest, for the «Модель» page. Nothing here
is Markdown: the page shows the sentences as plain text and the tables as data frames, so
a source name or version string from a file never becomes a link or markup, and its
bidirectional controls are shown as marks (``⟦RLO⟧``), not applied.
"""
from __future__ import annotations

from dataclasses import dataclass

from moderation.taxonomy import BY_NAME, LABEL_DEFS, SITE_RULE
from moderation.text import bidi

LANG_NAMES = {"uk": "українська", "ru": "російська", "mixed": "суржик",
              "translit": "транслітерація"}
LIMITS = (
    "Модель навчено на вручну написаному початковому корпусі з приблизно 3000 коментарів: "
    "слова поза ним, новий сленг і нові способи маскування вона вивчає лише з рішень "
    "модераторів.",
    "«Політичний піар», «Особисті рахунки» і «Безпідставне звинувачення» залежать від "
    "контексту (кого названо, чи є посилання на джерело), який ознаки-слова бачать лише "
    "частково: тут пропусків і хибних позначок більше, ніж для реклами чи лайки.",
    "Сарказм і цитати чужих образ модель часто розуміє неправильно.",
    "Бали не є каліброваними ймовірностями для інших сайтів; пороги налаштовано під правила "
    "цього сайту.",
)


@dataclass(frozen=True)
class CardSection:
    """A heading, its sentences (plain text) and an optional table (rows of named cells)."""

    title: str
    lines: tuple[str, ...] = ()
    table: tuple[dict, ...] = ()


def _num(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def _label(name: str) -> str:
    return BY_NAME[name].title_uk if name in BY_NAME else str(name)


def _quality_rows(metrics: dict) -> tuple[dict, ...]:
    return tuple({"мітка": _label(label), "рядків": m.get("n"), "порушень": m.get("support"),
                  "точність": _num(m.get("precision")), "повнота": _num(m.get("recall")),
                  "F1": _num(m.get("f1")), "ROC-AUC": _num(m.get("roc_auc")),
                  "PR-AUC": _num(m.get("pr_auc")), "поріг": _num(m.get("threshold"))}
                 for label, m in metrics.get("labels", {}).items())


def _slices(m: dict) -> list[str]:
    lines = []
    if m.get("macro_f1") is not None:
        lines.append(f"Macro F1 {_num(m['macro_f1'])}, micro F1 {_num(m.get('micro_f1'))}.")
    if "clean_flagged" in m:
        lines.append(f"Чистих коментарів позначено помилково: {m['clean_flagged']:.1%} "
                     f"з {m.get('clean_rows')}.")
    if "recall_disguised" in m and "recall_plain" in m:
        lines.append(f"Повнота на замаскованих порушеннях {_num(m['recall_disguised'])}, на "
                     f"звичайних {_num(m['recall_plain'])}.")
    if m.get("by_lang"):
        lines.append("Macro F1 за мовами: " + ", ".join(
            f"{LANG_NAMES.get(k, k)} {_num(v.get('macro_f1'))} ({v.get('rows')} рядків)"
            for k, v in m["by_lang"].items()) + ".")
    return lines


def card_sections(manifest: dict) -> list[CardSection]:
    """The card's content in Ukrainian, section by section, from a model's manifest."""
    td = manifest.get("training_data", {})
    metrics = manifest.get("metrics", {})
    cv = metrics.get("cv", {})
    counts = td.get("label_counts") or {}
    sources = td.get("sources") or {}
    sections = [
        CardSection("Призначення", (
            "Модель позначає коментарі читачів регіонального новинного сайту для перевірки "
            "модератором за правилом сайту:",
            f"«{SITE_RULE}»",
            "Вона впорядковує коментарі й пропонує мітки; кожну позначку підтверджує або "
            "відхиляє модератор. Модель не призначена ні для того, щоб сама прибирати "
            "коментарі, ні для того, щоб оцінювати людей.")),
        CardSection("Мітки", tuple(f"{d.title_uk}: {d.rule_uk}." for d in LABEL_DEFS)),
        CardSection("Дані для навчання", (
            f"Версія моделі: {manifest.get('model_version', '—')}; створено "
            f"{manifest.get('created_at', '—')}.",
            f"Рядків: {td.get('rows', '—')}; відбиток даних "
            f"{str(td.get('fingerprint', ''))[:16] or '—'}.",
            "Джерела: " + (", ".join(f"{name} ({rows})" for name, rows in sources.items())
                           if isinstance(sources, dict) and sources else str(sources or "—"))
            + "."),
            tuple({"мітка": _label(label), "порушень у даних": n}
                  for label, n in counts.items())),
        CardSection("Якість (крос-валідація, групи за статтями)", (
            "Передбачення моделей, які не бачили статті коментаря; пороги обрано на цих самих "
            "передбаченнях, тож цифри трохи оптимістичні.", *_slices(cv)), _quality_rows(cv)),
    ]
    shared = metrics.get("shared_eval")
    if shared:
        sections.append(CardSection(
            "Публічні файли для оцінювання (модель на них не вчилася)", (),
            tuple({"файл": name, "що перевіряє": m.get("target"), "рядків": m.get("n"),
                   "F1": _num(m.get("f1")), "точність": _num(m.get("precision")),
                   "повнота": _num(m.get("recall")), "ROC-AUC": _num(m.get("roc_auc"))}
                  for name, m in shared.items())))
    for name, m in (metrics.get("independent_eval") or {}).items():
        sections.append(CardSection(
            f"Незалежно написані коментарі: {name} ({m.get('rows')} рядків)",
            ("Коментарі інших авторів за тими самими правилами розмітки; модель на них не "
             "вчилася. Вибірки малі, тож цифри приблизні.", *_slices(m)),
            _quality_rows(m)))
    if "decisions_until" in manifest:
        weight = manifest.get("decision_weight", {})
        sections.append(CardSection("Навчання на рішеннях модераторів", (
            f"Використано рішень модераторів: {manifest.get('decisions_used', 0)} (до "
            f"№{manifest['decisions_until']}; пізніших рішень ця модель не бачила).",
            f"Вага рішення проти рядка початкового корпусу: {weight.get('weight', 1):g}.")))
    sections.append(CardSection("Відомі обмеження", LIMITS))
    return [_visible(section) for section in sections]


def _visible(section: CardSection) -> CardSection:
    """``section`` with the bidirectional controls of every string made visible."""
    def show(value):
        return bidi.visible(value) if isinstance(value, str) else value

    return CardSection(show(section.title), tuple(show(line) for line in section.lines),
                       tuple({show(k): show(v) for k, v in row.items()}
                             for row in section.table))
