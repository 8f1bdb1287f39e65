"""Text normalisation: pure ``str -> str`` steps and the map back to the original text.

Every step is a regular-expression substitution run through :func:`_sub`, which can also
carry a map from each output character back to its span in the ORIGINAL text. So
``normalize(text)`` (fast, used for features) and ``normalize_with_map(text)`` (used to
explain a prediction with spans of the original comment) run the very same substitutions
and cannot drift apart.

Steps, in order:

0. the characters put in the order they DISPLAY: bidirectional overrides (U+202A-U+202E,
   U+2066-U+2069) resolved with :func:`moderation.text.bidi.display_order`, so a sentence
   stored backwards after U+202E is scored as readers see it; the controls are left out
   and every character keeps its own span in the original;
1. zero-width, bidi and control characters removed; tabs and newlines become spaces;
2. apostrophe variants unified to ``'``;
3. per character cluster: NFKC, lower case, stray combining marks dropped;
4. then, repeated until nothing changes (so the whole is idempotent):
   links and e-mails written with separator words made plain, then signals (URLs,
   Telegram / Viber / WhatsApp links, e-mails, phone numbers in every Ukrainian format,
   also spaced or in words, prices, promo codes) replaced by placeholder tokens
   (``_url_`` ...); contacts spelled out one character at a time joined; letters split by
   spaces, dots, dashes or asterisks rejoined; Latin and digit look-alikes folded to
   Cyrillic inside words that contain Cyrillic; runs of one repeated letter squeezed;
   white space collapsed;
5. handles, on the settled text: ``_handle_`` (a contact offered) or ``_mention_`` (a reader
   addressed or named).

Legitimate text survives: a word written wholly in Latin (``iPhone``, ``Wi-Fi``, ``5G``,
``COVID``) is never folded, and numbers of two or more digits stay numbers.

Contacts written with separators (step 4) become the placeholders of plain ones:

- a dot in brackets (``()[]{}<>``, holding ``.``, ``dot``, ``крапка`` or ``точка``) between
  Latin letters or digits is a dot: ``bit[.]ly/abc``, ``t(.)me/x``, ``kredyt (крапка) com``;
- a bare ``dot`` / ``крапка`` / ``точка``, or a dot with a space before it, is a dot only
  between a Latin name or number and a domain ending (the top-level domains of the URL
  pattern, maybe with more separated dots before it): ``kredyt точка com``,
  ``betvolyn . com``. «точка зору», «і крапка», «1.5», «12.30», «т.д.» stay text;
- an at sign in brackets (``(at)``, ``[@]``, ``(собака)``), a bare ``собака`` / ``собачка`` /
  ``равлик``, or an ``@`` with spaces, is ``@`` only between a Latin name and a domain
  (whose dots may be written with separators too): ``info (at) gmail (dot) com``,
  ``info собака gmail.com``. «собака гавкала» stays text;
- a run of four or more single characters separated by single spaces, or by one same dot,
  dash or asterisk (an ``_`` may stick to a character: ``k.r.e.d.y.t_.l.u.t.s.k``), that
  holds an ``_``, ``.`` or ``@`` and at least three letters is joined when the result is a
  link or e-mail (``b e t v o l y n . c o m`` -> ``_url_``) and becomes ``_handle_`` when it
  is a handle (``@`` and a name, or a name with an ``_``: ``@ r o b o t a _ 2 4``) or follows
  a contact cue; otherwise it stays (``і т . д .``, spaced phone digits, initials);
- letters split by spaces or dots (``с у к а``) after a contact cue are a handle spelled
  out: ``_handle_`` («пишіть у тг: к р е д и т л у ц ь к»). Elsewhere they are rejoined
  into a word, except real one-letter words («а я в»).

A contact cue is a messenger or network name (телеграм, тг, вайбер, вацап, інста, viber,
telegram ...), a contact verb (пишіть, звертайтесь, підписуйтесь, заходьте ...), a contact
noun (канал, нік, акаунт, профіль, директ, лс, приват ...) or the placeholder of a phone,
link or e-mail. It counts when only punctuation, emoji and at most two words of at most
four letters («мені в», «нам у») stand between it and what follows, within one sentence.

Handles and mentions (step 5). A handle is ``@`` followed by a name of letters (Latin or
Cyrillic), digits and ``_`` (``@kredyt_lutsk``, ``@кредит_луцьк``, ``@Tetiana``; a space
after ``@`` is allowed). Its role is decided once the text has settled (a cue may itself
have been disguised), by the first rule that applies:

1. after a contact cue: ``_handle_`` («пишіть @kredyt_lutsk», «в тг @x», «інста @y»);
2. opening the comment or a sentence, with more text after it: ``_mention_`` (a reply:
   «@Tetiana там лінія живить насосну», «@Оксана, ви не праві»);
3. followed at once by a contact cue: ``_handle_`` («… на день @rabota_lutsk пишіть»);
4. inside a sentence with more words after it in that sentence: ``_mention_`` (a reader
   named or addressed: «Петре @petro_k ви помиляєтесь», «згоден з @oksana щодо цього»);
5. otherwise, ending its sentence or the comment, or alone: ``_handle_`` (a handle at the
   end of an offer: «Кредит без довідок за 1 день @kredyt_lutsk»).

A bare name with an inner ``_`` (``remont_lutsk_pro``) is ``_handle_`` after a contact cue
and stays text elsewhere (``Оксана_Луцьк правильно каже`` names an author). Known limits:
«Дякую @Оксана.» reads as a handle (rule 5) and «@kredyt_lutsk — кредит без довідок» as a
mention (rule 2); the rest of such a comment keeps its own signals. A cue spelled out in
the same run as the handle (``т е л е г р а м к р е д и т``) is not seen.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

from moderation.text.bidi import CONTROLS, display_order

Spans = list[tuple[int, int]]
Replacement = str | Callable[[re.Match], str]

# placeholder tokens the model sees and counts (one source of truth: SIGNALS)
SIGNALS = ("_url_", "_tg_", "_messenger_", "_email_", "_handle_", "_mention_", "_phone_", "_price_",
           "_promo_")


# ---------------------------------------------------------------- substitution engine
def _sub(pattern: re.Pattern, repl: Replacement, text: str, spans: Spans | None):
    """``pattern.sub`` that also maps output characters to original spans when asked."""
    if spans is None:
        return pattern.sub(repl, text), None
    out: list[str] = []
    out_spans: Spans = []
    pos = 0
    for m in pattern.finditer(text):
        a, b = m.span()
        out.append(text[pos:a])
        out_spans.extend(spans[pos:a])
        r = repl(m) if callable(repl) else m.expand(repl)
        if r:
            if len(r) == b - a:
                out_spans.extend(spans[a:b])
            elif b > a:  # (min, max): after display reordering the spans need not ascend
                whole = (min(x for x, _ in spans[a:b]), max(y for _, y in spans[a:b]))
                out_spans.extend([whole] * len(r))
            else:  # insertion at an empty match: borrow the neighbour's position
                at = spans[a][0] if a < len(spans) else (spans[-1][1] if spans else 0)
                out_spans.extend([(at, at)] * len(r))
        out.append(r)
        pos = b
    out.append(text[pos:])
    out_spans.extend(spans[pos:])
    return "".join(out), out_spans


# ---------------------------------------------------------------- 0. display order
_BIDI_CONTROL = re.compile("[" + "".join(sorted(CONTROLS)) + "]")


def _display_step(text: str, spans: Spans | None):
    """The characters in the order they display (bidi overrides resolved, controls left
    out); each keeps its span, so a reversed stretch maps back character by character."""
    if not _BIDI_CONTROL.search(text):
        return text, spans
    order = display_order(text)
    return "".join(text[i] for i in order), None if spans is None else [spans[i] for i in order]


# ---------------------------------------------------------------- 1. invisible characters
def _format_chars() -> str:
    chars = [chr(c) for c in range(0x80, 0x10000) if unicodedata.category(chr(c)) == "Cf"]
    chars += [chr(c) for c in range(0xE0000, 0xE0080) if unicodedata.category(chr(c)) == "Cf"]
    chars += ["\u180e", "\u2028", "\u2029", "\u115f", "\u1160", "\u3164", "\uffa0"]
    return "".join(re.escape(c) for c in chars)


_INVISIBLE = re.compile(f"[{_format_chars()}\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")
_LINEBREAKS = re.compile(r"[\t\n\r\f\v\u0085\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def strip_invisible(text: str) -> str:
    """Remove zero-width, bidi and control characters; tabs and newlines become spaces."""
    return _LINEBREAKS.sub(" ", _INVISIBLE.sub("", text))


# ---------------------------------------------------------------- 2. apostrophes
_APOSTROPHES = re.compile("[\u2019\u2018\u02bc\u02b9\u0060\u00b4\u2032\u02bb\u201b\uff07]")


def unify_apostrophes(text: str) -> str:
    """All apostrophe look-alikes (’ ‘ ʼ ` ´ ′ ...) become ``'``."""
    return _APOSTROPHES.sub("'", text)


# ---------------------------------------------------------------- 3. unicode folding
_COMBINING = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u1ab0-\u1aff" \
             "\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# text of these characters only is already NFKC, without marks (– — « » “ ” „ too)
_SIMPLE_CHARS = r"\x20-\x7e\u0400-\u045f\u0490\u0491\u2013\u2014\u00ab\u00bb\u201c-\u201e"
_SIMPLE = re.compile(f"[{_SIMPLE_CHARS}]*")
# a run of simple characters (no mark after its last), else one character with its marks
_CLUSTER = re.compile(f"(?P<simple>[{_SIMPLE_CHARS}]+)(?![{_COMBINING}])|(?s:.)[{_COMBINING}]*")


def _fold_cluster(m: re.Match) -> str:
    s = m.group()
    if m.lastgroup == "simple":  # each is a cluster of its own that lower() folds
        return s.lower()
    for _ in range(3):  # NFKC and lower() feed each other on a few exotic letters
        t = unicodedata.normalize("NFKC", s).lower()
        t = "".join(ch for ch in t if not unicodedata.combining(ch))
        t = _INVISIBLE.sub("", t)
        if t == s:
            break
        s = t
    return s


def fold_unicode(text: str) -> str:
    """Per character cluster: NFKC, lower case, combining marks (e.g. zalgo) dropped."""
    return _unicode_step(text, None)[0]


def _char_search(codes: Iterable[int]) -> Callable[[str], bool]:
    """``True`` when a text holds any of ``codes``: a regular-expression class for the Basic
    Multilingual Plane (a bitmap: fast) and a set for the rest (a class that mixes both is
    scanned range by range, ~70 times slower on a comment)."""
    codes = sorted(set(codes))
    bmp = re.compile("[" + "".join(re.escape(chr(c)) for c in codes if c < 0x10000) + "]")
    astral = frozenset(chr(c) for c in codes if c >= 0x10000)
    any_astral = re.compile("[\U00010000-\U0010ffff]")

    def search(text: str) -> bool:
        if bmp.search(text):
            return True
        return bool(astral) and any_astral.search(text) is not None \
            and not astral.isdisjoint(any_astral.findall(text))

    return search


# every char with combining() != 0
_has_combining = _char_search(c for c in [*range(0x300, 0x20000), *range(0xE0000, 0xE0200)]
                              if unicodedata.combining(chr(c)))


def _unicode_step(text: str, spans: Spans | None):
    if _SIMPLE.fullmatch(text):
        return text.lower(), spans
    if spans is None and "\u03a3" not in text:
        # already NFKC, no marks, and lower() keeps it so: the same as folding each cluster
        low = text.lower()
        if (unicodedata.is_normalized("NFKC", text) and unicodedata.is_normalized("NFKC", low)
                and not _has_combining(low)):
            return low, None
    return _sub(_CLUSTER, _fold_cluster, text, spans)


# ---------------------------------------------------------------- 4a. signals
_NUMBER_WORDS = (
    "нуль ноль один одна одно два дві две три чотири четыре п'ять пять шість шесть сім семь "
    "вісім восемь дев'ять девять десять одинадцять одиннадцать дванадцять двенадцать "
    "тринадцять чотирнадцять п'ятнадцять шістнадцять сімнадцять вісімнадцять дев'ятнадцять "
    "двадцять двадцать тридцять тридцать сорок п'ятдесят пятьдесят шістдесят шестьдесят "
    "сімдесят семьдесят вісімдесят восемьдесят дев'яносто девяносто сто"
).split()
_NUM_WORD = "(?:" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True)) + ")"
_NUM_TOKEN = rf"(?:{_NUM_WORD}|\d{{1,4}})"

_TLDS = ("com|net|org|ua|ru|io|me|ly|info|biz|top|xyz|online|site|shop|club|pro|store|link|cc|su|"
         "bet|casino|win|app|fun|gl|to|co")
_URL = (r"(?:https?://|www\.)\S+|\b[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63}){0,16}\."
        rf"(?:{_TLDS})\b(?:/\S*)?")
_DOMAIN = r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}"
_EMAIL = rf"(?<![a-z0-9._%+-])[a-z0-9._%+-]+@{_DOMAIN}"

# handles are not here: they are told apart from mentions once the text has settled (4e)
_SIGNAL_PATTERNS: list[tuple[str, str]] = [
    ("_tg_", r"(?:https?://)?(?:t\.me|telegram\.me|telegram\.org|tg://)\S*"),
    ("_messenger_", r"(?:https?://)?(?:wa\.me|api\.whatsapp\.com|chat\.whatsapp\.com|"
                    r"invite\.viber\.com|viber://)\S*"),
    ("_email_", _EMAIL),
    ("_url_", _URL),
    ("_phone_", r"(?<![\d\w])(?:\+\s*)?(?:\d[\s().\-–—]{0,3}){9,12}\d(?![\d\w])"),
    ("_phone_", r"(?<![\d\w])\d{2,3}[\s.\-]\d{2}[\s.\-]\d{2}(?![\d\w-])"),
    ("_phone_", rf"(?<!\w){_NUM_TOKEN}(?:[\s,.\-]+{_NUM_TOKEN}){{3,12}}(?!\w)"),
    ("_price_", r"(?:[$€₴]\s?\d[\d\s.,]*(?:\s?(?:k|к|тис|тыс)\b)?"
                r"|\d[\d\s.,]{0,40}\s?(?:k|к|тис\.?|тыс\.?|млн)?\s?(?:грн|гривень|гривні|гривня|"
                r"гривен|₴|uah|usd|\$|доларів|долларов|дол\.?|баксів|баксов|євро|евро|eur|€|"
                r"руб(?:лей)?|р\.)(?![\w]))"),
    ("_promo_", r"(?<=промокод )[a-z0-9][a-z0-9-]{3,}\b|(?<=promo )[a-z0-9][a-z0-9-]{3,}\b"),
]


def _signal_repl(m: re.Match) -> str:
    name = m.lastgroup
    token = _SIGNAL_TOKEN_BY_GROUP[name]
    if token == "_phone_":
        text = m.group()
        digits = sum(ch.isdigit() for ch in text)
        words = len(re.findall(_NUM_WORD, text))
        if not (digits >= 10 or (digits >= 6 and words == 0) or words >= 2 or digits + words >= 7):
            return text
        if words == 0 and digits >= 10 and not re.match(r"\+?\s*(?:3\s*8\s*)?0|\+", text):
            return text  # ten digits that are not a phone (an amount, an id)
    return f" {token} "


_SIGNAL_TOKEN_BY_GROUP: dict[str, str] = {}
_parts = []
for _i, (_token, _pattern) in enumerate(_SIGNAL_PATTERNS):
    _SIGNAL_TOKEN_BY_GROUP[f"s{_i}"] = _token
    _parts.append(f"(?P<s{_i}>{_pattern})")
_SIGNAL_RE = re.compile("|".join(_parts))
_PROMO_WORD = re.compile(r"(промо-?код|promo-?code|промо код|купон)\s*[:\-–]?\s*")

# links and e-mails written with separator words: a dot or an at sign spelled out, put in
# brackets or spaced, between Latin letters or digits
_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"
_DOT_WORDS = r"dot|крапк[аиу]|точк[аиу]"
_AT_WORDS = r"собак[аиу]|собачк[аиу]|равлик"
_SEP_DOT = (rf"\s*{_OPEN}\s*(?:\.|{_DOT_WORDS})\s*{_CLOSE}\s*"  # bit[.]ly, kredyt (крапка) com
            rf"| +(?:{_DOT_WORDS}) +| +\. *")  # kredyt точка com, betvolyn . com (before a TLD)
# (bounded like the URL pattern: at most 16 labels of at most 63 characters, so a long run
# of separators is read in linear time)
_TLD_AHEAD = rf"(?=(?:[a-z0-9-]{{1,63}}(?:\.|{_SEP_DOT})){{0,16}}(?:{_TLDS})(?!\w))"
_SEPARATED = re.compile(
    rf"(?<=[a-z0-9])(?:"  # (not "_": a placeholder ends with one)
    # a bracketed dot between Latin letters or digits; a bare dot word, or a dot with a space
    # before it, followed by a domain ending
    rf"(?P<dot>\s*{_OPEN}\s*(?:\.|{_DOT_WORDS})\s*{_CLOSE}\s*(?=[a-z0-9])"
    rf"|(?: +(?:{_DOT_WORDS}) +| +\. *){_TLD_AHEAD})"
    # info (at) gmail.com, info собака gmail (dot) com, info @ gmail.com: before a domain
    # (its dots maybe written with separators too: they are made plain in the same pass)
    rf"|(?P<at>(?:\s*{_OPEN}\s*(?:at|@|{_AT_WORDS})\s*{_CLOSE}\s*"
    rf"| +(?:{_AT_WORDS}) +| +@ *| *@ +)"
    rf"(?=[a-z0-9-]{{1,63}}(?:(?:\.|{_SEP_DOT})[a-z0-9-]{{1,63}}){{0,16}}(?:\.|{_SEP_DOT})"
    rf"[a-z]{{2,63}}(?!\w))))"
    # t.me / kripto, bit.ly / abc: a slash with spaces after a domain
    rf"|(?<=[a-z0-9]\.)(?P<slash>(?:{_TLDS}) +/ *|(?:{_TLDS}) */ +)(?=[a-z0-9_-])"
)
# where _SEPARATED can start: a Latin letter or digit, then a bracket or an "@", or spaces and
# the first character of a separator
_SEPARATOR_HINT = re.compile(r"[a-z0-9](?:\s*[\[({<@]| +[.@dкстр/]|/ )")


def _may_be_separated(text: str) -> bool:
    """False when ``_SEPARATED`` cannot match (a quick test for most comments)."""
    return _SEPARATOR_HINT.search(text) is not None


def _separator_repl(m: re.Match) -> str:
    if m.lastgroup == "slash":
        return m.group().replace(" ", "")
    return "." if m.lastgroup == "dot" else "@"


def replace_signals(text: str) -> str:
    """URLs, messenger links, e-mails, phones, prices, promo codes -> placeholders (links and
    e-mails written with separator words first made plain; handles: see ``mark_handles``)."""
    return _signal_step(text, None)[0]


_DOT_WORD = re.compile(r"\.[a-z0-9]")
_ANY_DIGIT = re.compile(r"\d")
_HAS_NUM_WORD = re.compile(_NUM_WORD)


@lru_cache(maxsize=2 ** len(_SIGNAL_PATTERNS))
def _signal_subset(needed: tuple[bool, ...]) -> re.Pattern | None:
    """``_SIGNAL_RE`` without the alternatives that cannot match (same result, less work).

    The memo holds compiled patterns keyed by which alternatives are kept (at most
    ``2 ** len(_SIGNAL_PATTERNS)``, whatever the input): a constant table built lazily, like
    ``re``'s own cache, not data about the texts seen."""
    parts = [f"(?P<s{i}>{pattern})" for i, ((_, pattern), keep)
             in enumerate(zip(_SIGNAL_PATTERNS, needed)) if keep]
    return re.compile("|".join(parts)) if parts else None


def _signal_step(text: str, spans: Spans | None):
    text, spans = _sub(_PROMO_WORD, "промокод ", text, spans)
    if _may_be_separated(text):
        for _ in range(2):  # a second time for a slash after a domain just made plain
            plain, plain_spans = _sub(_SEPARATED, _separator_repl, text, spans)
            if plain == text:
                break
            text, spans = plain, plain_spans
    digit = _ANY_DIGIT.search(text) is not None
    dot = _DOT_WORD.search(text) is not None
    link = dot or "://" in text
    needed = (
        "t.me" in text or "telegram" in text or "tg://" in text,                 # _tg_
        "wa.me" in text or "whatsapp" in text or "viber" in text,                # _messenger_
        "@" in text and dot,                                                     # _email_
        link or "www." in text,                                                  # _url_
        digit, digit,                                                            # _phone_
        digit or _HAS_NUM_WORD.search(text) is not None,                         # _phone_ words
        digit,                                                                   # _price_
        "промокод " in text or "promo " in text,                                 # _promo_
    )
    pattern = _signal_subset(needed)
    if pattern is None:
        return text, spans
    return _sub(pattern, _signal_repl, text, spans)


# ---------------------------------------------------------------- 4b. split letters
_SINGLE_WORDS = set("авзійоуяикс")
# not the end of an abbreviation ("т.д и т.п") nor the start of a word ("а з п'ятниці")
_SPLIT = re.compile(
    r"(?<![^\W_])(?<![^\W\d_][.'])(?:[^\W\d_](?P<sep>[.*\-_·•|/ ]))(?:[^\W\d_](?P=sep)){1,}"
    r"[^\W\d_](?![^\W_]|'[^\W\d_])"
)


def _join_split(m: re.Match) -> str:
    s = m.group()
    sep = m.group("sep")
    letters = s.replace(sep, "")
    if sep == " " and len(letters) < 4 and set(letters) <= _SINGLE_WORDS:
        return s  # "а я в": real one-letter words, not a disguised word
    if sep in "-/" and len(letters) < 4:
        return s
    cue = _CUE_SPELLED.fullmatch(letters)
    if cue:  # a cue spelled out ("у т е л е г р а м"): the cue, apart from its preposition
        return f"{cue['prep']} {cue['cue']}" if cue["prep"] else letters
    if _after_cue(m.string, m.start()):
        return " _handle_ "  # "пишіть у тг: к р е д и т л у ц ь к"
    return letters


def rejoin_split_letters(text: str) -> str:
    """``с у к а``, ``к.а.з.и.н.о``, ``х-у-й-л-о`` -> one word (``_handle_`` after a contact
    cue such as ``телеграм``: a handle spelled out)."""
    return _sub(_SPLIT, _join_split, text, None)[0]


# ---------------------------------------------------------------- 4c. spelled-out contacts
# one character at a time, "_", "." and "@" among them: "@ r o b o t a _ 2 4",
# "b e t v o l y n . c o m", "k.r.e.d.y.t_.l.u.t.s.k" (a glued "_" is a character, the dot
# the separator)
_SPELLED = re.compile(
    r"(?<![\w.@])@?[\w.@](?: [\w.@]){3,}(?![\w@])"
    r"|(?<![\w.@])@?_?[^\W_]_?(?P<sep>[.\-*])(?:_?[^\W_]_?(?P=sep)){2,}_?[^\W_]_?(?![\w@])"
)
_URL_SHAPE = re.compile(_URL)
_EMAIL_SHAPE = re.compile(_EMAIL)
_NAME_SHAPE = re.compile(r"@?\w+")  # a handle once joined: "@" and a name, or a name with "_"


def _may_be_spelled(text: str) -> bool:
    """False when ``_join_spelled`` cannot change ``text`` (it needs a "_", an "@", or a
    dot with spaces around it)."""
    return "_" in text or "@" in text or " . " in text


def _join_spelled(m: re.Match) -> str:
    s = m.group()
    joined = s.replace(m.group("sep") or " ", "")
    if not any(ch in joined for ch in "_.@") or sum(ch.isalpha() for ch in joined) < 3:
        return s  # letters and digits only: rejoin_split_letters' job (or a phone)
    if _URL_SHAPE.fullmatch(joined) or _EMAIL_SHAPE.fullmatch(joined):
        return joined  # made plain; the signal patterns turn it into its placeholder
    handle = _NAME_SHAPE.fullmatch(joined) and ("_" in joined or joined[0] == "@")
    if handle or _after_cue(m.string, m.start()):
        return " _handle_ "
    return s  # "і т . д .": not a contact


# ---------------------------------------------------------------- 4d. contact cues
# words that offer a contact: messengers and networks, "write to", "subscribe", "channel"...
_CUE_WORDS = r"""
  телеграм\w* | телег[аиуіе] | телезі | тг | tg | telegram\w* | telehram\w* | telega | telegu
| вайбер\w* | вайб | viber | вацап\w* | ватсап\w* | вотсап\w* | whatsapp | watsapp
| інст[аиуі]\w* | инст[аиуе]\w* | insta\w* | inst | ig | фейсбук\w* | facebook | fb | фб
| тікток\w* | тикток\w* | tiktok | ютуб\w* | youtube | скайп\w* | skype | дискорд\w* | discord
| (?:на)?пиш(?:іть|іте|ите|ить|и) | pyshit\w* | pyshy | pishi\w* | napyshit\w*
| зверт(?:айтесь|айтеся|айся) | обращ(?:айтесь|айтеся|айся)
| п[іо]дпис(?:уйтесь|уйтеся|уйся|ывайтесь|ывайтеся|ывайся)
| (?:за|пере)ход(?:ьте|ите|ь|и) | шукайте | ищите | стукай(?:те)? | стукніть
| канал | каналі | каналу | каналом | канале | нік | ник | нікнейм\w* | никнейм\w* | логін\w*
| логин\w* | акаунт\w* | аккаунт\w* | профіл[ьіюя] | профил[ьеюя] | сторінк[аиуі] | страниц[аеуы]
| паблік\w* | паблик\w* | груп[аіуи] | групп[аеуы] | чат | чаті | чате | бот | бота | боті
| директ\w* | direct | лс | лічк[ау] | личк[ау] | приват\w* | контакт\w*
| тел | телефон\w* | tel | phone | мобільн\w* | мобильн\w* | (?:по)?дзвон(?:іть|іте|и)
| (?:по)?звон(?:іть|ите|и)
"""
# (not _handle_: a cue must read the same before and after the handles are replaced)
_CONTACT_PLACEHOLDERS = r"_(?:phone|tg|messenger|email|url)_"
# the words just before a point, read backwards: the nearest three words of one sentence
_TAIL_BACKWARDS = re.compile(r"[^\w.!?]*(\w+)(?:[^\w.!?]+(\w+)(?:[^\w.!?]+(\w+))?)?")
_CUE = re.compile(rf"{_CUE_WORDS}|{_CONTACT_PLACEHOLDERS}", re.VERBOSE)
_CUE_AFTER = re.compile(rf"[^\w.!?]*(?:{_CUE_WORDS})(?!\w)", re.VERBOSE)
_CUE_SPELLED = re.compile(rf"(?P<prep>[ву]|на|v|u|na)?(?P<cue>{_CUE_WORDS})", re.VERBOSE)
_CUE_REACH = 60  # characters looked back for a cue


def _after_cue(text: str, start: int) -> bool:
    """True when a contact cue (or a contact placeholder) comes just before ``start`` in its
    sentence: after it at most two words of at most four letters ("мені в", "нам у"), then
    only punctuation and emoji. Looks back ``_CUE_REACH`` characters, read backwards (one
    pass, not a search from every position)."""
    low = max(0, start - _CUE_REACH)
    m = _TAIL_BACKWARDS.match(text[low:start][::-1])
    if not m:
        return False
    words = [w for w in m.groups() if w]
    cut = low and (text[low - 1].isalnum() or text[low - 1] == "_")
    if cut and m.end(len(words)) == start - low:
        words.pop()  # the farthest word is cut by the reach: not a whole word
    for word in words:  # nearest first
        if _CUE.fullmatch(word[::-1]):
            return True
        if len(word) > 4:
            return False
    return False


# ---------------------------------------------------------------- 4e. look-alikes
LOOKALIKES = {
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і",
    "k": "к", "m": "м", "t": "т", "h": "н", "b": "в", "u": "и", "r": "г", "n": "п",
    "0": "о", "3": "з", "4": "ч", "6": "б", "1": "і", "@": "а", "$": "с", "ё": "е",
}
_CYR = "а-яіїєґё"
_WORD = re.compile(rf"(?<![{_CYR}a-z0-9@$'*])[{_CYR}a-z0-9@$'*]*[{_CYR}][{_CYR}a-z0-9@$'*]*")
_MIXED = re.compile(rf"[{_CYR}][a-z0-9@$]|[a-z0-9@$][{_CYR}]")
_DIGIT_RUN = re.compile(r"^\d{2,}|\d{2,}$")
_DIGITS = re.compile(r"\d+")
_FOLD_TABLE = str.maketrans(LOOKALIKES)


def _fold_digits(m: re.Match) -> str:
    run, w = m.group(), m.string
    interior = m.start() > 0 and m.end() < len(w)
    if len(run) == 1 or interior:  # "3аробіток", "п0рн0", "зар06іток"
        return run.translate(_FOLD_TABLE)
    return run  # "1000грн", "ковід19": a number at the edge of a word stays a number


def _fold_word(m: re.Match) -> str:
    whole = m.group()
    core = whole.strip("@$'*")  # "@олег" is a reply, "1000$" a price: edges stay as written
    if not core or not _MIXED.search(core):
        return whole
    head = whole[:whole.index(core)]
    tail = whole[len(head) + len(core):]
    core = _DIGITS.sub(_fold_digits, core)
    return head + "".join(ch if ch.isdigit() else LOOKALIKES.get(ch, ch) for ch in core) + tail


def fold_lookalikes(text: str) -> str:
    """Latin and digit look-alikes -> Cyrillic, only inside words that contain Cyrillic."""
    return _sub(_WORD, _fold_word, text, None)[0]


# ---------------------------------------------------------------- 4f. squeeze, spaces
_REPEAT = re.compile(r"([^\W\d_])\1{2,}")
_ANY_TRIPLE = re.compile(r"(.)\1\1", re.DOTALL)  # a quick test: no triple, nothing to squeeze
_PUNCT_REPEAT = re.compile(r"([!?.,)(])\1{3,}")
_SPACES = re.compile(r" {2,}")
_EDGE = re.compile(r"^ | $")


def squeeze_repeats(text: str) -> str:
    """Runs of three or more of one letter -> one letter (``дебііііл`` -> ``дебіл``)."""
    return _REPEAT.sub(r"\1", text)


# ---------------------------------------------------------------- 5. handles and mentions
# "@" and a name of two to 64 letters (Latin or Cyrillic), digits or "_", starting with a
# letter or digit (so never a placeholder) and holding a letter (inner dots before Latin:
# "@lutsk.news"), or a bare name with an inner "_" (which is a
# handle only after a contact cue)
_HANDLES = re.compile(
    r"(?P<at>(?<![\w@.])@ ?(?=[\w']*[^\W\d_])[^\W_](?:\w|'(?=\w)){1,63}(?:\.[a-z0-9_]{1,32})*"
    r"(?![\w'@]))"
    r"|(?P<bare>(?<![\w@.])[^\W_]+(?:_[^\W_]+)+(?![\w@]))"
)
_OPENS_SENTENCE = re.compile(r"(?:^|[.!?])[\s\"'«»“”„(\[\-–—]*$")
# more words (a word: two letters or more; placeholders, numbers and one-letter words such
# as "т." before a phone are skipped) ...
_TEXT_AFTER = re.compile(
    r"(?:[^\w]|_[a-z]+_|\d+(?![^\W\d_])|(?<!\w)[^\W\d_](?!\w))*[^\W\d_]{2}")
# ... or in the same sentence (both looked for in the next _AFTER_REACH characters)
_WORDS_AFTER = re.compile(
    r"(?:[^\w.!?]|_[a-z]+_|\d+(?![^\W\d_])|(?<!\w)[^\W\d_](?!\w))*[^\W\d_]{2}")


_AFTER_REACH = 80


def _handle_repl(m: re.Match) -> str:
    """``_handle_`` for a handle offered as a contact, ``_mention_`` for one that addresses
    or names a reader (the rule is in the module docstring)."""
    text, start, end = m.string, m.start(), m.end()
    if _after_cue(text, start):
        return " _handle_ "
    if m.lastgroup == "bare":
        return m.group()
    reach = end + _AFTER_REACH
    if _OPENS_SENTENCE.search(text, max(0, start - 12), start) \
            and _TEXT_AFTER.match(text, end, reach):
        return " _mention_ "
    if _CUE_AFTER.match(text, end, reach):
        return " _handle_ "
    return " _mention_ " if _WORDS_AFTER.match(text, end, reach) else " _handle_ "


def mark_handles(text: str) -> str:
    """``@name`` -> ``_handle_`` (a contact offered) or ``_mention_`` (a reader addressed)."""
    return _handle_step(text, None)[0]


_BARE_HINT = re.compile(r"[^\W_]_[^\W_]")


def _handle_step(text: str, spans: Spans | None):
    if "@" not in text and not ("_" in text and _BARE_HINT.search(text)):
        return text, spans
    return _sub(_HANDLES, _handle_repl, text, spans)


# ---------------------------------------------------------------- the whole
_LOOP_STEPS: list[tuple[re.Pattern, Replacement, Callable[[str], object] | None]] = [
    # (pattern, replacement, a cheaper test without which the step changes nothing)
    (_SPACES, " ", None),
    (_SPELLED, _join_spelled, _may_be_spelled),  # before _SPLIT, which would cut the run
    (_SPLIT, _join_split, None),
    (_WORD, _fold_word, _MIXED.search),  # _fold_word changes only words where _MIXED matches
    (_REPEAT, r"\1", _ANY_TRIPLE.search),
    (_PUNCT_REPEAT, r"\1\1\1", None),
]


def _translation_table() -> dict[int, str | None]:
    """The first three steps as one ``str.translate`` table (same result as the regexes)."""
    table: dict[int, str | None] = {}
    for code in [*range(0x10000), *range(0xE0000, 0xE0080)]:
        ch = chr(code)
        if _INVISIBLE.fullmatch(ch):
            table[code] = None
        elif _LINEBREAKS.fullmatch(ch):
            table[code] = " "
        elif _APOSTROPHES.fullmatch(ch):
            table[code] = "'"
    return table


_TABLE = _translation_table()
_in_table = _char_search(_TABLE)


def _prepare(text: str, spans: Spans | None):
    """Steps 0-3: display order, invisible characters, apostrophes, Unicode folding."""
    if spans is None:
        if _in_table(text):  # the bidi controls are in the table: most texts skip both
            text = _display_step(text, None)[0].translate(_TABLE)
    else:
        text, spans = _display_step(text, spans)
        text, spans = _sub(_INVISIBLE, "", text, spans)
        text, spans = _sub(_LINEBREAKS, " ", text, spans)
        text, spans = _sub(_APOSTROPHES, "'", text, spans)
    text, spans = _unicode_step(text, spans)
    return _sub(_APOSTROPHES, "'", text, spans)  # NFKC makes some (″ -> ′′)


def _settle(text: str, spans: Spans | None):
    """Step 4, repeated until nothing changes; step 5; white space collapsed."""
    for _ in range(8):
        before = text
        text, spans = _signal_step(text, spans)
        for pattern, repl, guard in _LOOP_STEPS:
            if guard is None or guard(text):
                text, spans = _sub(pattern, repl, text, spans)
        if text == before:
            break
    text, spans = _handle_step(text, spans)
    text, spans = _sub(_SPACES, " ", text, spans)
    text, spans = _sub(_EDGE, "", text, spans)
    return text, spans


def _run(text: str, spans: Spans | None):
    return _settle(*_prepare(text, spans))


def normalize(text: str) -> str:
    """Normalise one comment (see the module docstring). Idempotent."""
    if not isinstance(text, str):
        raise TypeError(f"normalize() takes a str, not {type(text).__name__}")
    return _run(text, None)[0]


def normalize_with_map(text: str) -> tuple[str, Spans]:
    """``normalize(text)`` plus, for every output character, its ``(start, end)`` in ``text``."""
    return _run(text, [(i, i + 1) for i in range(len(text))])


_MASKED = re.compile(rf"[{_CYR}a-z][*#]+(?:[{_CYR}a-z]|(?!\w))")  # п*дар, бл*, b*lin
_LATIN_TRICK = re.compile(r"[a-z][0-9@$][a-z]|(?<![\w])[a-zа-яіїєґ]{1,2}(?:-[a-zа-яіїєґ]{1,2}){3,}"
                          r"(?![\w-])")  # xuj0sos, kl@s, b-l-ja-t-ь
_DOTTED = re.compile(rf"(?<![\w.])[{_CYR}]{{1,4}}(?:\.[{_CYR}]{{1,4}}){{2,}}")  # пи.з.дять


def is_disguised(text: str) -> bool:
    """True when the text uses a deliberate disguise the normaliser undoes.

    Bidirectional controls (the text displays in another order than it is stored),
    look-alike letters or digits inside Cyrillic words, zero-width characters, letters
    split by spaces / dots / asterisks, masked letters (``п*дар``), long letter repeats, or a
    link, e-mail or handle written with separators (``bit[.]ly``, ``info собака gmail.com``,
    ``k.r.e.d.y.t_.l.u.t.s.k``).
    """
    if _BIDI_CONTROL.search(text):
        return True
    lowered = text.lower()
    if _INVISIBLE.search(text) or _REPEAT.search(lowered) or _MASKED.search(lowered):
        return True
    spaced = _SPACES.sub(" ", lowered)
    if _SEPARATED.search(spaced) or any(_join_spelled(m) != m.group()
                                        for m in _SPELLED.finditer(spaced)):
        return True
    if _LATIN_TRICK.search(lowered) or _DOTTED.search(lowered):
        return True
    for m in _SIGNAL_RE.finditer(_APOSTROPHES.sub("'", lowered)):
        if _SIGNAL_TOKEN_BY_GROUP[m.lastgroup] == "_phone_" and _signal_repl(m) != m.group():
            if re.search(_NUM_WORD, m.group()) or re.search(r"\d[\s.\-—]+\d[\s.\-—]+\d[\s.\-—]+\d"
                                                        r"(?:[\s.\-—]+\d){3}", m.group()):
                return True
    for m in _WORD.finditer(lowered):
        core = m.group().strip("@$'*")
        if _MIXED.search(core) and not _DIGIT_RUN.search(core):
            return True
    return any(_join_split(m) != m.group() for m in _SPLIT.finditer(spaced))


if __name__ == "__main__":  # pragma: no cover - manual check: python -m moderation.text.normalize
    for line in sys.stdin:
        print(normalize(line))
