"""The lexicon matches words with their inflections, not any word sharing their letters."""
import pytest

from moderation.text.lexicon import KINDS, kinds


@pytest.mark.parametrize("token, kind", [
    ("хуйня", "obscene"), ("нахуя", "obscene"), ("пиздець", "obscene"), ("блядь", "obscene"),
    ("заєбав", "obscene"), ("мудак", "obscene"), ("гівно", "obscene"), ("сучка", "obscene"),
    ("гнида", "insult"), ("гнидами", "insult"), ("дебіли", "insult"), ("уроди", "insult"),
    ("маразматик", "insult"), ("косоногий", "insult"), ("сволота", "insult"), ("пердун", "insult"),
    ("кацапи", "insult"), ("москалі", "insult"), ("чурка", "insult"), ("ляхи", "insult"),
    ("пшеки", "insult"), ("жиди", "insult"), ("укропы", "insult"), ("хохли", "insult"),
    ("здохни", "threat"), ("сдохни", "threat"), ("розстріляти", "threat"), ("закопаю", "threat"),
    ("повісити", "threat"), ("пристрелю", "threat"),
    ("недогосударство", "propaganda"), ("денацифікація", "propaganda"), ("хунта", "propaganda"),
    ("вкрав", "crime"), ("украли", "crime"), ("хабарник", "crime"), ("зрадники", "crime"),
    ("розкрадають", "crime"), ("злодії", "crime"), ("аферист", "crime"),
    ("злодюги", "insult"), ("балабол", "insult"), ("п'яниця", "insult"), ("вишиватники", "insult"),
])
def test_words_and_their_forms_are_found(token, kind):
    assert kind in kinds(token)


@pytest.mark.parametrize("token", [
    "гнидава", "гнидаві", "уродженець", "уродженка", "москаленко", "рахуйте", "страхує",
    "небо", "потреба", "хлеба", "херсон", "педикюр", "бляшанка", "мудрий", "мудрак",
    "сукупний", "сукачук", "бляхарчук", "даунтаун", "ватний", "вата", "дурниця", "шизофренія",
    "новоросійськ", "новороссийск", "окраїна", "окраина", "укроп", "знайду", "приїду",
    "знищити", "тварина", "орки", "західні", "психологія", "історія", "роблять", "зроблять",
    "переробляти", "підробляти", "найбільше", "найближче", "психує", "укравтодор", "україна",
    "вкрай", "прописали", "присвоїли", "сміття", "вишиванка", "колорадський", "крышу",
])
def test_ordinary_words_sharing_letters_are_not(token):
    assert kinds(token) == ()


def test_kinds_are_the_signal_names():
    assert KINDS == ("obscene", "insult", "threat", "propaganda", "crime")
