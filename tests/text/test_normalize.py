import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.text.normalize import (
    fold_lookalikes,
    is_disguised,
    normalize,
    normalize_with_map,
    rejoin_split_letters,
    replace_signals,
    squeeze_repeats,
    strip_invisible,
    unify_apostrophes,
)


@pytest.mark.parametrize("disguised, plain", [
    ("xyйня", "хуйня"),                      # Latin x, y
    ("пiдар", "підар"),                      # Latin i
    ("х.у.й.л.о", "хуйло"),
    ("с у к а", "сука"),
    ("к*а*з*и*н*о", "казино"),
    ("х-у-й-л-о", "хуйло"),
    ("ка\u200bзи\u200dно", "казино"),        # zero-width characters
    ("дебііііл", "дебіл"),
    ("п0рн0", "порно"),
    ("3аробіток", "заробіток"),
    ("ЗAРОБIТOK", "заробіток"),
    ("Д Е Б І Л", "дебіл"),
    ("и\u0306ого", "його"),                   # decomposed й
    ("п̸̢р̷и̴в̵і̶т̷", "привіт"),              # zalgo marks
])
def test_disguised_word_normalises_to_plain(disguised, plain):
    assert normalize(disguised) == normalize(plain) == plain


@pytest.mark.parametrize("text, expected", [
    ("Купив iPhone 15 і Wi-Fi роутер", "купив iphone 15 і wi-fi роутер"),
    ("COVID-19 і 5G не пов'язані", "covid-19 і 5g не пов'язані"),
    ("Xiaomi краще ніж Samsung", "xiaomi краще ніж samsung"),
    ("а я в шоці", "а я в шоці"),              # real one-letter words stay apart
    ("вул. Соборності, 12, кв. 5", "вул. соборності, 12, кв. 5"),
    ("2024-11-25 о 14:30", "2024-11-25 о 14:30"),
    ("у 2023 році 1000 людей", "у 2023 році 1000 людей"),
    ("Знання — сила", "знання — сила"),          # doubled letters stay
])
def test_legitimate_text_is_not_damaged(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("text, token", [
    ("дзвоніть 0671234567", "_phone_"),
    ("дзвоніть +380 67 123 45 67", "_phone_"),
    ("дзвоніть +38(067)123-45-67", "_phone_"),
    ("дзвоніть 067 123 45 67", "_phone_"),
    ("дзвоніть (0332) 72-34-56", "_phone_"),
    ("дзвоніть 0 6 7 1 2 3 4 5 6 7", "_phone_"),
    ("нуль дев'яносто сім 123 45 67", "_phone_"),
    ("нуль шість сім один два три чотири п'ять шість сім", "_phone_"),
    ("пишіть t.me/zarobitok", "_tg_"),
    ("https://t.me/+AbC", "_tg_"),
    ("viber://chat?number=380671234567", "_messenger_"),
    ("https://wa.me/380671234567", "_messenger_"),
    ("пиши на ivan.petrenko@gmail.com", "_email_"),
    ("канал @zarobitok_volyn", "_handle_"),
    ("сайт https://example.com/page?x=1", "_url_"),
    ("заходь на www.casino777.bet", "_url_"),
    ("bit.ly/abc123", "_url_"),
    ("ціна 1500 грн", "_price_"),
    ("всього $200", "_price_"),
    ("від 1000$ на тиждень", "_price_"),
    ("промокод: VOLYN2024", "_promo_"),
])
def test_signals_become_placeholders(text, token):
    assert token in normalize(text).split()


@pytest.mark.parametrize("text", ["у 2023 році", "рахунок 12", "о 14:30", "на 5 хвилин",
                                  "№ 1234", "рік 1991-й"])
def test_numbers_are_not_phones(text):
    assert "_phone_" not in normalize(text)


def test_reply_to_reader_is_not_a_handle():
    assert "_handle_" not in normalize("@Олег, ви неправі")


def test_pure_steps():
    assert strip_invisible("a\u200bb\u00adc\u202ed\ne") == "abcd e"
    assert unify_apostrophes("п’ять пʼять п`ять") == "п'ять п'ять п'ять"
    assert rejoin_split_letters("к.а.з.и.н.о") == "казино"
    assert fold_lookalikes("xyй і iPhone") == "хуй і iPhone"
    assert squeeze_repeats("дууурень") == "дурень"
    assert replace_signals("t.me/x") .strip() == "_tg_"


def test_map_points_into_original_text():
    text = "Ти  х.у.й.л.о, дзвони 0 6 7 1 2 3 4 5 6 7"
    norm, spans = normalize_with_map(text)
    assert len(spans) == len(norm)
    start = norm.index("хуйло")
    assert text[spans[start][0]:spans[start + 4][1]] == "х.у.й.л.о"
    p = norm.index("_phone_")
    assert text[spans[p][0]:spans[p][1]] == "0 6 7 1 2 3 4 5 6 7"


def test_is_disguised():
    assert is_disguised("xyйня")
    assert is_disguised("п*дар")
    assert is_disguised("с у к а")
    assert is_disguised("ка\u200bзино")
    assert not is_disguised("Купив iPhone 15 у Луцьку за 1000 грн")
    assert not is_disguised("а я в шоці")


def test_normalize_rejects_non_text():
    with pytest.raises(TypeError, match="takes a str"):
        normalize(None)


# ------------------------------------------------------------------ properties
WORDS = ["казино", "заробіток", "дебіл", "хуйло", "сука", "покидьок", "депутат", "гроші",
         "злодій", "телеграм", "підар", "блядь", "ідіот", "ватник", "реклама", "кредит"]
LOOK = {"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i",
        "к": "k", "м": "m", "т": "t", "н": "h", "в": "b", "и": "u"}
DIGIT = {"о": "0", "з": "3", "б": "6", "ч": "4"}


@st.composite
def disguised_word(draw):
    word = draw(st.sampled_from(WORDS))
    trick = draw(st.sampled_from(["latin", "digit", "zero-width", "space", "dot", "star", "repeat",
                                  "upper"]))
    chars = list(word)
    if trick in ("latin", "digit"):
        table = LOOK if trick == "latin" else DIGIT
        idx = [i for i, ch in enumerate(chars) if ch in table]
        if idx:
            keep_cyrillic = [i for i in range(len(chars)) if i not in idx]
            pick = draw(st.lists(st.sampled_from(idx), min_size=1, unique=True))
            if not keep_cyrillic:  # a word must keep one Cyrillic letter to be recognisable
                pick = pick[:-1] or []
            for i in pick:
                chars[i] = table[chars[i]]
        out = "".join(chars)
    elif trick == "zero-width":
        at = draw(st.integers(1, len(chars) - 1))
        zw = draw(st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]))
        out = word[:at] + zw + word[at:]
    elif trick in ("space", "dot", "star"):
        out = {"space": " ", "dot": ".", "star": "*"}[trick].join(chars)
    elif trick == "repeat":
        i = draw(st.integers(0, len(chars) - 1))
        if (i > 0 and chars[i - 1] == chars[i]) or (i + 1 < len(chars) and chars[i + 1] == chars[i]):
            out = word
        else:
            out = word[:i] + chars[i] * draw(st.integers(3, 8)) + word[i + 1:]
    else:
        out = word.upper()
    return word, out


# Context words have two or more letters: a spaced-out word next to a one-letter word
# ("к а з и н о і все") is ambiguous, and is joined whole (a documented limit).
@given(disguised_word(), st.sampled_from(["", "ти ", "це "]),
       st.sampled_from(["", " !", " та все", ", ну"]))
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_disguised_variants_normalise_like_plain(pair, before, after):
    plain, disguised = pair
    assert normalize(before + disguised + after) == normalize(before + plain + after)


@given(st.text(max_size=200))
@settings(max_examples=500)
def test_idempotent_on_any_text(text):
    once = normalize(text)
    assert normalize(once) == once


COMMENTISH = st.text(alphabet=st.sampled_from(list(
    "абвгдеєжзиіїйклмнопрстуфхцчшщьюяabcdeхyiopkmt0123456789 .,*-_@!?'’\u200b+$")), max_size=120)


@given(COMMENTISH)
@settings(max_examples=500)
def test_idempotent_and_mapped_on_comment_like_text(text):
    once = normalize(text)
    assert normalize(once) == once
    norm, spans = normalize_with_map(text)
    assert norm == once
    assert len(spans) == len(norm)
    assert all(0 <= a <= b <= len(text) for a, b in spans)


@given(st.text(max_size=300))
@settings(max_examples=300)
def test_map_matches_fast_path(text):
    norm, spans = normalize_with_map(text)
    assert norm == normalize(text)
    assert len(spans) == len(norm)


SIGNALISH = st.lists(st.sampled_from(
    list("абвгдеєжзиіїйклмнопрстуфхцчшщьюяabcdeхyiopkmtwl0123456789 .,*-_@!?'’\u200b+$€:/ΣİﬁＡ\u0301")
    + ["нуль ", "t.me/", "www.", "грн", "промокод ", "сім ", "@abc", "viber://", ".com"]),
    max_size=60).map("".join)


@given(SIGNALISH)
@settings(max_examples=500)
def test_fast_path_matches_mapped_path_on_signal_like_text(text):
    once = normalize(text)
    assert normalize(once) == once
    assert normalize_with_map(text)[0] == once


def test_fast_unicode_path_only_covers_characters_that_need_no_folding():
    import unicodedata

    from moderation.text.normalize import _SIMPLE, _has_combining

    for code in range(0x110000):
        ch = chr(code)
        if _SIMPLE.fullmatch(ch):
            low = ch.lower()
            assert unicodedata.normalize("NFKC", ch) == ch, hex(code)
            assert unicodedata.normalize("NFKC", low) == low, hex(code)
            assert not unicodedata.combining(ch), hex(code)
    assert _has_combining("e\u0301") and _has_combining("x\U0001d167") and not _has_combining("😡")
