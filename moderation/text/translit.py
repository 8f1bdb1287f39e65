"""Latin transliteration of Ukrainian and Russian read back into Cyrillic, for features.

``pidor`` -> ``підор``, ``blyat`` -> ``блят``, ``golosujte`` -> ``голосуйте``. Used only to
add features (the character n-grams and lexicon hits of the Cyrillic reading) next to the
Latin word itself: normalisation leaves Latin words Latin.
"""
from __future__ import annotations

import re

_MULTI = [("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"),
          ("ts", "ц"), ("ya", "я"), ("ja", "я"), ("yu", "ю"), ("ju", "ю"), ("ye", "є"),
          ("je", "є"), ("yi", "ї"), ("ji", "ї"), ("yo", "йо"), ("jo", "йо")]
_SINGLE = {"a": "а", "b": "б", "v": "в", "h": "г", "g": "г", "d": "д", "e": "е", "z": "з",
           "i": "і", "j": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п",
           "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "c": "ц", "x": "х", "w": "в",
           "q": "к", "'": "'"}
_VOWELS = set("aeiouy")
LATIN_WORD = re.compile(r"[a-z']+")


_UNITS = re.compile("|".join(latin for latin, _ in _MULTI) + "|.", re.S)  # longest first
_TABLE = {**dict(_MULTI), **_SINGLE}


def _unit(m: re.Match) -> str:
    unit = m.group()
    if unit == "y":  # й after a vowel (``moyi`` -> ``мойі``), и elsewhere
        return "й" if m.start() > 0 and m.string[m.start() - 1] in _VOWELS else "и"
    return _TABLE.get(unit, unit)


def to_cyrillic(word: str) -> str:
    """Read a lower-case Latin word as transliterated Ukrainian/Russian."""
    return _UNITS.sub(_unit, word)


def is_latin_word(word: str) -> bool:
    return len(word) >= 3 and LATIN_WORD.fullmatch(word) is not None
