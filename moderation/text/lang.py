"""A cheap guess of a comment's language from its script (``taxonomy.LANGS``)."""
from __future__ import annotations

UK_ONLY = set("іїєґІЇЄҐ")
RU_ONLY = set("ыэъёЫЭЪЁ")


def guess_lang(text: str) -> str:
    """``uk``, ``ru``, ``mixed`` (letters of both) or ``translit`` (mostly Latin letters).

    Cyrillic text with neither language's own letters counts as ``uk``, the site's language.
    """
    chars = set(text)
    uk, ru = bool(chars & UK_ONLY), bool(chars & RU_ONLY)
    if uk and ru:
        return "mixed"
    if ru:
        return "ru"
    if uk:
        return "uk"
    cyrillic = sum(1 for c in text if "\u0400" <= c <= "\u04ff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return "translit" if latin > cyrillic else "uk"
