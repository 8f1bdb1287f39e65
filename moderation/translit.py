"""Latin transliteration of Ukrainian and Russian read back into Cyrillic, for features.

``pidor`` -> ``підор``, ``blyat`` -> ``блят``, ``golosujte`` -> ``голосуйте``. Used only to
add features (the character n-grams and lexicon hits of the Cyrillic reading) next to the
Latin word itself: normalisation leaves Latin words Latin.
"""
from __future__ import annotations

import re
from functools import lru_cache

_MULTI = [("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"),
          ("ts", "ц"), ("ya", "я"), ("ja", "я"), ("yu", "ю"), ("ju", "ю"), ("ye", "є"),
          ("je", "є"), ("yi", "ї"), ("ji", "ї"), ("yo", "йо"), ("jo", "йо")]
_SINGLE = {"a": "а", "b": "б", "v": "в", "h": "г", "g": "г", "d": "д", "e": "е", "z": "з",
           "i": "і", "j": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п",
           "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "c": "ц", "x": "х", "w": "в",
           "q": "к", "'": "'"}
_VOWELS = set("aeiouy")
LATIN_WORD = re.compile(r"[a-z']+")


@lru_cache(maxsize=100_000)
def to_cyrillic(word: str) -> str:
    """Read a lower-case Latin word as transliterated Ukrainian/Russian."""
    out = []
    i = 0
    while i < len(word):
        for latin, cyr in _MULTI:
            if word.startswith(latin, i):
                out.append(cyr)
                i += len(latin)
                break
        else:
            ch = word[i]
            if ch == "y":
                out.append("й" if i > 0 and word[i - 1] in _VOWELS else "и")
            else:
                out.append(_SINGLE.get(ch, ch))
            i += 1
    return "".join(out)


def is_latin_word(word: str) -> bool:
    return len(word) >= 3 and LATIN_WORD.fullmatch(word) is not None
