"""The six labels and the site's rule text: the one source of truth for labels.

Meaning of every label: ``../shared/LABELING.md`` (mirrored in ``LABEL_RULES``).
"""
from __future__ import annotations

from dataclasses import dataclass

SITE_RULE = (
    "Коментування на сайті створені аж ніяк не для політичного піару чи антипіару, "
    "зведення особистих рахунків, комерційної реклами, образ, безпідставних звинувачень "
    "та інших некоректних і негідних речей."
)


@dataclass(frozen=True)
class Label:
    name: str
    title_uk: str  # short name shown in the UI
    rule_uk: str  # the part of the site rule this label enforces
    shortcut: str  # keyboard key that toggles the label in the review queue


LABEL_DEFS: tuple[Label, ...] = (
    Label("political_pr", "Політичний піар", "політичний піар чи антипіар", "1"),
    Label("personal_feud", "Особисті рахунки", "зведення особистих рахунків", "2"),
    Label("advertising", "Реклама", "комерційна реклама", "3"),
    Label("insult", "Образа", "образи", "4"),
    Label("baseless_accusation", "Безпідставне звинувачення", "безпідставні звинувачення", "5"),
    Label("improper", "Некоректне", "інші некоректні і негідні речі", "6"),
)

LABELS: tuple[str, ...] = tuple(label.name for label in LABEL_DEFS)
BY_NAME: dict[str, Label] = {label.name: label for label in LABEL_DEFS}
LANGS: tuple[str, ...] = ("uk", "ru", "mixed", "translit")
LABEL_SEP = ";"


def parse_labels(value: object) -> list[str]:
    """Split a ``;``-joined label cell into known labels, in canonical order.

    Raises ``ValueError`` naming the unknown label.
    """
    if value is None or (isinstance(value, float) and value != value):
        return []
    parts = [p.strip() for p in str(value).split(LABEL_SEP) if p.strip()]
    unknown = [p for p in parts if p not in BY_NAME]
    if unknown:
        raise ValueError(f"unknown label {unknown[0]!r}; expected one of {', '.join(LABELS)}")
    return [name for name in LABELS if name in parts]


def join_labels(labels: list[str] | tuple[str, ...]) -> str:
    return LABEL_SEP.join(name for name in LABELS if name in labels)
