"""Small hand-written stem lists (Ukrainian, Russian, surzhyk) used as counted signals.

Written for this project from general knowledge of the languages (not copied from any
data set). Each kind is one regular expression that must match a whole normalised token,
with guards for ordinary words that contain the same letters (``рахуйте``, ``страхует``,
``небо``, ``сукупний``, ``Херсон``, ``педикюр``, ``бляшанка``...). They are features with
learned weights, not rules: the model decides how much each count matters.
"""
from __future__ import annotations

import re

_OBSCENE = r"""
  \w*(?<!ра)ху[йяєїеиёю]\w*                      # хуй, нахуя, охуєти (not рахуй, страхує)
| \w*п[иієе]зд\w*                                # пизда, пізд-
| \w*бля[дт]\w* | бля                           # блядь, блять, бля
| (?:[зн]а|у|ви|вы|про|до|по|від|от|под|пiд|під|роз|раз|з|с|съ|зъ|отъ|подъ|разъ)?['ъь]?
  (?:[єеёй]о?б|йоб|їб)(?:а|л|у|о|н|и|і|ы|ну|ш)\w*  # єбати, заєбав, наїбав, уёбок
| долбо[её]б\w* | довбо[йє]о?б\w*
| муд[аои]\w* | гандон\w* | залуп\w* | дроч\w* | мастурб\w*
| п[иі]д[аоеэ]р\w* | педер\w* | педик(?!юр)\w*
| шлюх\w* | курв\w* | сук[аиуіо] | суками | сукою | сучар\w* | сучк\w* | сучий | сучье | сцук\w*
| г[іоа]вн\w* | \w*сра[кнл]\w* | жоп\w* | манда | мандавош\w*
| хер(?!сон|ув)\w* | нахер\w* | похер\w*
"""

_INSULT = r"""
  деб[іи]л\w* | д[иі]б[иі]л\w* | [іи]д[іи]от\w* | кретин\w* | дегенерат\w* | даун(?!т)\w*
| дурн[іийяоеа]\w* | дурак\w* | дура | дуре | тупи[йх] | тупа | тупі | тупе | тупые | тупая
| тупорил\w* | тупоголов\w* | бидл\w* | быдл\w* | ватн\w* | ватник\w* | свин(?!ин|ець|цю)\w*
| скотин\w* | скоти | скот | тварюк\w* | твар[ьіи] | падл\w* | гнид\w* | покид(?:ьо|о|ь)к\w*
| вилуп\w* | виродо?к\w* | вырод\w* | урод\w* | чмо\w* | лох | лоха | лохи | лохів | лошар\w*
| козел | козли | козлів | козлина | козлы | овц[яі] | вівц[яі] | баран[иы]? | мавп\w* | обезьян\w*
| макак\w* | упорот\w* | зомбі | зомби | холоп\w* | хохл\w* | хохол | кацап\w* | москал\w*
| рашист\w* | русн\w* | недоум\w* | недоумк\w* | придур\w* | н[іи]кчем\w* | бездар\w* | мерзот\w*
| паскуд\w* | сволоч\w* | негідни\w* | клоун\w* | жлоб\w* | селюк\w* | шиз\w* | психопат\w*
| жирдяй\w* | жиртрест\w* | выблядок\w* | виблядок\w* | потвор\w* | почвар\w* | брехл\w*
| пустоголов\w* | безмозг\w* | безмізк\w* | кончен\w* | конч[іи]? | мразь | мраз[іио]\w* | уйобок
"""

_THREAT = r"""
  вбити | вбив | вб'ю | уб'ю | убью | убить | убил | розстріл\w* | расстрел\w* | повісит\w*
| повесит\w* | вішат\w* | вешат\w* | спалит\w* | сжечь | переламаю | поламаю | закопаю
| прирізат\w* | зарізат\w* | зарежу | заріжу | придушу | задушу | гілляк\w* | гиляк\w*
| приїду | приеду | начищу | урою | уриєм\w*
"""

_FLAGS = re.VERBOSE  # tokens of normalised text are lower case already
_KINDS = {
    "obscene": re.compile(f"(?:{_OBSCENE})", _FLAGS),
    "insult": re.compile(f"(?:{_INSULT})", _FLAGS),
    "threat": re.compile(f"(?:{_THREAT})", _FLAGS),
}
EXCEPT = frozenset(
    "небо неба небагато потреба потребу потребує требуют требует хлеба хлебать бляшанка "
    "бляшанки бляха-муха мудрий мудра мудро мудрість".split()
)

KINDS = tuple(_KINDS)  # ("obscene", "insult", "threat"): the signal features' names


def _matcher(kind: str):
    pattern = _KINDS[kind]

    def match(token: str) -> bool:
        return token not in EXCEPT and pattern.fullmatch(token) is not None

    return match


_ANY = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in _KINDS.values()), _FLAGS)

is_obscene = _matcher("obscene")
is_insult = _matcher("insult")
is_threat = _matcher("threat")
_TESTS = dict(zip(KINDS, (is_obscene, is_insult, is_threat)))


def kinds(token: str) -> tuple[str, ...]:
    """The kinds (of ``KINDS``) a token of the analysis is, usually none.

    ``token`` is a token as ``moderation.classifier.analysis`` cuts it from normalised text
    (the lexicon has no token definition of its own). One combined match rules out most
    tokens before the three kinds are tried.
    """
    if token in EXCEPT or _ANY.fullmatch(token) is None:
        return ()
    return tuple(kind for kind, test in _TESTS.items() if test(token))
