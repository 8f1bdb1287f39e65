import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.text.normalize import (
    fold_lookalikes,
    is_disguised,
    mark_handles,
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


# ------------------------------------------------------------------ contacts with separators
@pytest.mark.parametrize("disguised, plain", [
    ("bit[.]ly/abc", "bit.ly/abc"),
    ("bit [.] ly/abc", "bit.ly/abc"),
    ("t[.]me/xyz", "t.me/xyz"),
    ("t(.)me/xyz", "t.me/xyz"),
    ("дивись t . me / kanal_xyz", "дивись t.me/kanal_xyz"),
    ("bit . ly / abc-1", "bit.ly/abc-1"),
    ("kredyt (крапка) com", "kredyt.com"),
    ("kredyt [dot] com", "kredyt.com"),
    ("kredyt {точка} ua", "kredyt.ua"),
    ("kredyt точка com", "kredyt.com"),
    ("kredyt dot com", "kredyt.com"),
    ("kredyt крапка lutsk крапка com", "kredyt.lutsk.com"),
    ("Заходь на kazyno . win", "заходь на kazyno.win"),
    ("Заходь на kazyno .win", "заходь на kazyno.win"),
    ("www (dot) kredyt (dot) com/abc", "www.kredyt.com/abc"),
    ("k r e d y t . c o m", "kredyt.com"),
    ("info собака gmail.com", "info@gmail.com"),
    ("info (at) gmail (dot) com", "info@gmail.com"),
    ("info [собака] gmail [крапка] com", "info@gmail.com"),
    ("info собачка ukr точка net", "info@ukr.net"),
    ("info @ gmail.com", "info@gmail.com"),
    ("i n f o @ g m a i l . c o m", "info@gmail.com"),
    ("пишіть @ k r e d y t", "пишіть @kredyt"),
    ("пишіть @k r e d y t", "пишіть @kredyt"),
    ("k.r.e.d.y.t_.l.u.t.s.k", "@kredyt_lutsk"),
    ("k-r-e-d-y-t_-2-4", "@kredyt_24"),
    ("Пиши в телегу: @ z a i m _ v o l y n", "пиши в телегу: @zaim_volyn"),
    ("інста: f o t o _ l u t s k", "інста: @foto_lutsk"),
    ("пишіть у тг: к р е д и т л у ц ь к", "пишіть у тг: @кредитлуцьк"),
    ("телеграм к.р.е.д.и.т.к.а", "телеграм @кредитка"),
    ("вайбер: к р е д и т _ л у ц ь к", "вайбер: @кредит_луцьк"),
    ("Instagram: foto_lutsk_pro", "instagram: @foto_lutsk_pro"),
])
def test_contacts_written_with_separators_read_as_plain_ones(disguised, plain):
    assert normalize(disguised) == normalize(plain)
    assert set(normalize(disguised).split()) & {"_url_", "_tg_", "_email_", "_handle_"}


@pytest.mark.parametrize("text", [
    "і т.д. і т.п. а я в шоці",
    "і т . д . і т . п .",
    "О. П. Іваненко та В. В. Петренко",
    "ціна зросла в 1.5 раза о 12.30",
    "з точки зору закону, точка зору мера",
    "собака гавкала всю ніч",
    "наш собака гавкає на lutsk.com",   # a link, but the dog stays a dog
    "Wi-Fi точка доступу",
    "не буде і крапка",
    "Закінчив. Com-пані",
    "сайт lutsk.com / новини",
    "meet (at) 5pm",
    "Оксана_Луцьк правильно каже",
    "рахунок 2 : 1 і 3 . 0",
])
def test_ordinary_text_is_not_read_as_a_contact(text):
    out = normalize(text)
    assert not {"_handle_", "_mention_", "_email_"} & set(out.split())
    assert out.count("_url_") == text.count("lutsk.com")
    assert not is_disguised(text)


def test_ordinary_text_keeps_its_words():
    for text in ("З точки зору закону, точка зору мера", "Собака гавкала, і т.д. О. П. Іваненко"):
        assert normalize(text) == text.lower()
    assert normalize("Пишіть у т е л е г р а м: @pelety") == "пишіть у телеграм: _handle_"


@pytest.mark.parametrize("text, plain", [
    ("bit[.]ly/abc", "bit.ly/abc"),
    ("kredyt точка com", "kredyt.com"),
    ("info (at) gmail.com", "пишіть на пошту"),
    ("k.r.e.d.y.t_.l.u.t.s.k", "kredyt_lutsk"),
    ("пишіть @ k r e d y t", "пишіть @kredyt"),
    ("t . me / x_y", "t.me/x_y"),
])
def test_contacts_with_separators_are_disguises(text, plain):
    assert is_disguised(text) and not is_disguised(plain)


# ------------------------------------------------------------------ handles and mentions
@pytest.mark.parametrize("text, token", [
    # rule 1: after a contact cue
    ("пишіть @kredyt_lutsk", "_handle_"),
    ("Пишіть мені в тг @x_y, все розкажу", "_handle_"),
    ("інста @lutsk_foto", "_handle_"),
    ("Пишіть у Telegram 👉 @robota_lutsk", "_handle_"),
    ("Підписуйтесь: @lutsk.news, там більше", "_handle_"),
    ("дзвоніть 067 123 45 67 або @kredyt", "_handle_"),
    ("пишіть @кредит_луцьк", "_handle_"),
    ("канал @zarobitok_volyn", "_handle_"),
    # rule 2: opening the comment or a sentence, more text after it
    ("@Tetiana там лінія живить насосну", "_mention_"),
    ("@Оксана, ви не праві", "_mention_"),
    ("@Сергій К. якість і є головне", "_mention_"),
    ("Дякую! @Оксана ви праві", "_mention_"),
    ("— @Олена 19:00 вже пропускають", "_mention_"),
    ("@Ігор_Ковель не пишіть дурниць", "_mention_"),
    ("@ Оксана, ви не праві", "_mention_"),
    # rule 3: followed at once by a contact cue
    ("Заробіток від 1000 грн на день @rabota_lutsk пишіть", "_handle_"),
    ("Перевезення Луцьк-Варшава @bus_lutsk, тел 067 123 45 67", "_handle_"),
    # rule 4: inside a sentence with more words after it
    ("Петре @petro_k ви помиляєтесь", "_mention_"),
    ("Згоден з @oksana щодо доріг", "_mention_"),
    ("Що ти там мелеш, @Тарас_К, ти хоч раз квитанцію бачив?", "_mention_"),
    # rule 5: ending its sentence or the comment, or alone
    ("Кредит без довідок за 1 день @kredyt_lutsk", "_handle_"),
    ("Брокер на митниці 24/7 @broker_lutsk, т. 067 123 45 67", "_handle_"),
    ("@kredyt_lutsk", "_handle_"),
    ("@кредит_луцьк", "_handle_"),
])
def test_handle_offered_or_reader_addressed(text, token):
    other = {"_handle_": "_mention_", "_mention_": "_handle_"}[token]
    out = normalize(text).split()
    assert token in out and other not in out, normalize(text)


def test_reply_to_reader_is_a_mention():
    assert normalize("@Олег, ви неправі") == "_mention_ , ви неправі"
    assert normalize("@Tetiana там лінія") == normalize("@Оксана там лінія")
    assert normalize("@Оксана там лінія") == "_mention_ там лінія"


def test_not_handles():
    assert normalize("бл@дь і єб@ний") == "бладь і єбаний"  # look-alikes inside words
    assert "_handle_" not in normalize("зустріч @ 18:00")
    assert normalize("@abc@abc") == "@abc@abc"
    assert normalize("пиши на ivan.petrenko@gmail.com") == "пиши на _email_"


def test_mark_handles_is_the_last_step():
    assert mark_handles("пишіть @kredyt") == "пишіть  _handle_ "
    assert mark_handles("@оксана ви праві") == " _mention_  ви праві"
    assert mark_handles("оксана_луцьк каже") == "оксана_луцьк каже"


def test_mention_is_a_signal_column():
    from moderation.text.normalize import SIGNALS

    assert "_mention_" in SIGNALS and "_handle_" in SIGNALS


# ------------------------------------------------------------------ bidirectional controls
RLO, LRO, PDF, RLI, PDI = "\u202e", "\u202d", "\u202c", "\u2067", "\u2069"


@pytest.mark.parametrize("sentence", [
    "Пишіть у телеграм @kredyt_lutsk, кредит без довідок",
    "ти дебіл і хуйло",
    "Заходь на kazyno.win, бонус 200%",
    "вочри чрепон",  # stored as RLO + "ноперч ирчов"
])
def test_text_is_scored_as_it_displays(sentence):
    stored = RLO + sentence[::-1]
    assert normalize(stored) == normalize(sentence)
    assert normalize_with_map(stored)[0] == normalize(sentence)
    assert is_disguised(stored) and not is_disguised(sentence.replace(",", ""))


def test_reversed_stretch_maps_back_character_by_character():
    text = "Ти " + RLO + "лібед" + PDF + " і все"
    norm, spans = normalize_with_map(text)
    assert norm == "ти дебіл і все"
    start = norm.index("дебіл")
    for k, ch in enumerate("дебіл"):
        a, b = spans[start + k]
        assert text[a:b].lower() == ch  # "д" displays first and is stored last
    assert spans[start] == (text.index("д"), text.index("д") + 1)
    # a placeholder made of reversed characters maps to the whole stretch they fill
    text = RLO + "76 54 321 760" + PDF + " дзвоніть"
    norm, spans = normalize_with_map(text)
    assert norm == "_phone_ дзвоніть" and spans[0] == (1, 14)


def test_every_bidi_control_makes_a_disguise():
    for control in ("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
                    "\u2068", "\u2069"):
        assert is_disguised("ок" + control + "ок")
        assert normalize("ок" + control + "ок") in ("окок", "коок", "окко")
    assert normalize("ок " + RLI + "ab" + PDI) == "ок ab"


BIDI_TEXT = st.text(alphabet=st.sampled_from(list(
    "абвгдкоabcdk0123 .,_@!?\n") + [RLO, LRO, PDF, RLI, PDI, "\u202a", "\u2066"]), max_size=80)


@given(BIDI_TEXT)
@settings(max_examples=400)
def test_bidi_text_is_idempotent_and_mapped(text):
    once = normalize(text)
    assert normalize(once) == once
    norm, spans = normalize_with_map(text)
    assert norm == once and len(spans) == len(norm)
    assert all(0 <= a <= b <= len(text) for a, b in spans)


# contact-like text: separators, cues, handles, names, placeholders' neighbours
CONTACTISH = st.lists(st.sampled_from(
    ["@", "@ ", " ", ".", " . ", "_", "[.]", "(.)", "(крапка)", " точка ", " dot ", " собака ",
     "(at)", "/", " / ", "пишіть ", "тг ", "в ", "інста: ", "телеграм", "com", "ua", "me", "t",
     "ly", "gmail", "kredyt", "lutsk", "кредит", "оксана", "a ", "b ", "к ", "р ", "т ", "1 ",
     "067 123 45 67", "!", "?", ", ", "ви праві", "тел ", "\u202e", "\u202c", "\u2069", "q",
     "к.р.е", "x_y", "з "]), max_size=25).map("".join)


@given(CONTACTISH)
@settings(max_examples=800)
def test_contact_like_text_is_idempotent_and_mapped(text):
    once = normalize(text)
    assert normalize(once) == once
    norm, spans = normalize_with_map(text)
    assert norm == once and len(spans) == len(norm)
    assert all(0 <= a <= b <= len(text) for a, b in spans)
