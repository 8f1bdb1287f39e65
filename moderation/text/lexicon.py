"""Small hand-written word lists (Ukrainian, Russian, surzhyk) used as counted signals.

Written for this project from general knowledge of the languages (not copied from any data
set). Each kind is one regular expression that must match a whole token of normalised text
(lower case, as :mod:`moderation.classifier.analysis` cuts it; the lexicon has no token
definition of its own). They are features with learned weights, not rules: the model
decides how much each count matters.

Entries are WORDS with their inflections, not bare prefixes: ``гнид{N}`` matches «гнида»,
«гниди», «гнидами» but not the Lutsk district «Гнидава»; ``урод{N}`` does not match
«уродженець», ``москал{N}`` not the surname «Москаленко». Only roots whose every derivation
is obscene (``хуй``, ``пизд``, ``єб``, ``бля``...) match anywhere in a token. The endings:

- ``{N}``: noun endings (nominative to instrumental, singular and plural, Ukrainian and
  Russian) or none;
- ``{A}``: adjective endings;
- ``{V}``: any ending (verbs: many forms, no innocent word shares these stems).

Kinds: ``obscene`` (мат), ``insult`` (name-calling, dehumanising words, slurs against a
people or group), ``threat`` (threats and calls to violence), ``propaganda`` (the
aggressor's slurs for Ukraine and Ukrainians), ``crime`` (words that charge someone with a
crime or wrongdoing: thief, bribe, stole, traitor, drunk; a cue for accusations).
"""
from __future__ import annotations

import re

_ENDINGS = {
    "N": r"(?:а|я|и|і|ї|у|ю|е|є|о|ь|ы|ой|ей|ою|ею|ёю|ам|ям|ами|ями|ах|ях|ів|їв|ов|ев|ей|ом|ем"
         r"|ём|ові|еві|ку|ка|ки|ці|кою|ок|ків|кам|ками|ках|ком)?",
    "A": r"(?:ий|ій|ый|ой|а|я|е|є|і|ї|у|ю|ого|его|ому|ему|им|ім|ым|их|іх|ых|ими|іми|ыми|ої|ую"
         r"|юю|ая|яя|ое|ее|ые|ие)",
    "V": r"\w*",
}

_OBSCENE = r"""
  \w*(?<!ра)(?<!си)ху[йяєїеиёю]\w*               # хуй, нахуя, охуєти (not рахуй, психує)
| \w*п[иієе]зд\w*                                # пизда, пізд-
| (?:[зн]а|у|ви|вы|про|до|по|від|от|под|під|роз|раз|з|с)?бля[дт]\w* | бля  # блядь (not роблять)
| (?:[зн]а|у|ви|вы|про|до|по|від|от|под|пiд|під|роз|раз|з|с|съ|зъ|отъ|подъ|разъ)?['ъь]?
  (?:[єеё]о?б|йоб|їб)(?:а|л|у|о|н|и|і|ы|ну|ш)\w*  # єбати, заєбав, наїбав (not найбільше)
| долбо[её]б\w* | довбо[йє]о?б\w*
| муд(?:ак|ач|ил|ло|озвон){V} | гандон{N} | залуп{V} | дроч{V} | мастурб{V}
| п[иі]д[аоеэ]р{V} | педер{V} | педик(?!юр){N}
| шлюх{N} | курв{V} | сук[аиуіо] | суками | сукою | сучар{V} | сучк{N} | сучий | сучье | сцук{V}
| г[іоа]вн(?:о|а|у|ом|і|е|юк|юки|юка|ищ\w*|ян\w*|ю\w*) | \w*сра[кнл]\w* | жоп{V}
| манда | мандавош{V}
| хер(?!сон|ув)\w* | нахер{V} | похер{V}
"""

_INSULT = r"""
  деб[іи]л{V} | д[иі]б[иі]л{V} | [іи]д[іи]от{V} | кретин{V} | дегенерат{V} | даун{N}
| дурн(?:ий|ій|а|е|і|ого|ому|им|их|ими|ю|ем|ів)? | дурен[ьь]? | дурак{N} | дура | дуре | дурепа
| тупи[йх] | тупа | тупі | тупе | тупые | тупая | тупорил{V} | тупоголов{V}
| бидл{N} | быдл{N} | ватник{N} | свин(?:я|ю|ею|і|ей|ям|ями|ях|ота|оти|оту|отою|ьо)
| скотин{N} | скоти | скот | тварюк{N} | твар[ьіи] | падл{N} | падлюк{N} | гнид{N}
| покидь?(?:ок|ьок) | покидьк{N} | вилупк{N} | вилупок | вироди?к{N} | виродок | выродк{N} | выродок
| урод{N} | уродлив{A} | чмо | чмош{V} | лох | лоха | лохи | лохів | лошар{N}
| козел | козли | козлів | козлина | козлы | овц[яі] | вівц[яі] | баран[иы]?
| мавп{N} | обезьян{N} | макак{N} | упорот{V} | зомбі | зомби | холоп{N}
| недоум(?:ок|ки|ка|ку|ком|ків|ків|ков|ками)? | недоумк{N} | придур{V} | н[іи]кчем{V}
| бездар{V} | мерзот{V} | паскуд{V} | сволоч{V} | негідни{V} | клоун{N} | жлоб{N} | селюк{N}
| шиз(?:а|и|у|ою|ик{N}|оїд{V}|оид{V}|анут{V}|онут{V}|нут{V}) | психопат{N}
| жирдяй{N} | жиртрест{N} | выблядок{V} | виблядок{V} | потвор{N} | почвар{N} | брехл{N}
| пустоголов{V} | безмозг{V} | безмізк{V} | кончен{A} | конч[аіи]? | мразь | мраз[іиоя]{N}
| уйобок | маразматик{N} | маразмат{V} | пердун{N} | старпер{N} | косоног{A} | кривоног{A}
| сволот{N} | погань | нелюд{N} | паразит{N} | дармоїд{N} | дармоед{N}
| хохл{N} | хохол | хохлушк{N} | хохляцк{V} | хохлятськ{V} | кацап{V} | москал(?:ь|я|і|ю|ем|ів|ям|ями|ях|ик{N}|ьськ{V}|ьск{V})
| рашист{V} | русн(?:я|і|ю|ею) | чурк{N} | чурбан{N} | чучмек{N}
| лях{N} | пшек{N} | пшеки | жид(?:а|и|і|у|ом|ів|ам|ами|ах|ок|ки|івськ{V}|овск{V}|ярня)?
| хач(?:і|и|ів|ам|ами|ах|ик{N})? | черножоп{V} | чорножоп{V}
| бандерлог{N} | свидомит{N} | свідоміт{N} | укроп(?:ы|и|ов|ів|ам|ами|ах)
| укропитек{N} | укронацист{V} | укрофашист{V} | бандеронацист{V} | нацик{N}
| злодюг{N} | злодюжк{N} | балабол{N} | брехун{N} | брехл{N} | пиздабол{V} | жаднюг{N} | жлобяр{N}
| п'яниц{N} | пьяниц{N} | п'яничк{N} | алкаш{N} | алкашн{V}
| дикун{N} | дикар{N} | тупиц{N} | бовдур{N} | йолоп{N} | телепн{N} | телепень
| лузер{N} | ганчірк{N} | підлабузник{N} | підлиз{N} | холуй | холу[їяє]{N} | лакей{N}
| проститутк{N} | повія | повії | шльондр{N} | шалав{N} | стерв{N}
| гадин{N} | гадюк{N} | кровопивц{N} | кровопийц{N} | кровосос{N} | упир{N} | вурдалак{N}
| мразот{N} | мерзот{N} | відброс{N} | отброс{N} | біомас{N} | биомасс{N}
| совок | совки | совків | совков | колорад{N} | вишиватник{N} | вышиватник{N} | кловн{N}
| позорищ{N}
"""

_CRIME = r"""
  злоді[йяїю]{N} | злодії | злодіїв | злодюг{N} | крад(?:ій|ія|ії|іїв|ієм|ії) | вор(?:ы|ов|ам|ами|юга|юги)?
| [ву]кра(?:в|ла|ло|ли|сти|сть|де|дуть|дут|ду|дет|деш|дешь|л|ден\w*|дён\w*) | крад[уеі]{V} | краде | крадуть | розкрада{V} | розкра{V}
| разворов{V} | спиз[дж]{V} | спізд{V} | поцупи{V} | хабар{N} | хабарник{N} | хабарництв{N}
| взятк{N} | взяточник{N} | відкат{N} | откат{N} | корупціонер{N} | коррупционер{N}
| шахра[йїя]{N} | шахраї | аферист{N} | мошенник{N} | зрадник{N} | предател{N} | колаборант{N}
| коллаборант{N} | колаборац{V} | сепаратист{N} | агентур{N} | продажн{A} | кришув{V} | кришу[єю]{V}
| крышев{V} | відмива{V} | отмыва{V} | привласни{V} | розпили{V} | распили{V} | бухий | бухой
| п'яний | пьяный | нетверезий
"""

_THREAT = r"""
  вбити | вбив | вб'ю | уб'ю | убью | убить | убил | вбʼю | вбью
| розстріл{V} | расстрел{V} | розстріля{V} | расстреля{V} | повісит{V} | повесит{V} | вішат{V}
| вешат{V} | спалит{V} | сжечь | спалю | сожгу | переламаю | поламаю | закопаю | закопать
| закопати | закопают | прирізат{V} | зарізат{V} | зарежу | заріжу | придушу | задушу
| гілляк{N} | гиляк{N} | начищу | урою | уриєм{V} | урыть
| здох{V} | здихай | здохн{V} | сдох{V} | сдохн{V} | подохн{V} | подох{V}
| пристрелю | застрелю | пристрелить | порішу | прибью | приб'ю | прибʼю
| линчевать | лінчувати | четвертувати | четвертовать
"""

_PROPAGANDA = r"""
  недогосударств{V} | недодержав{V} | денацифік{V} | денацифик{V} | хунт{N} | укрорейх{V}
| укропия | укрия | новоросі(?:я|ї|ю|єю) | новоросси(?:я|и|ю|ей) | малоросі(?:я|ї|ю|єю)
| малоросси(?:я|и|ю|ей)
"""

_FLAGS = re.VERBOSE  # tokens of normalised text are lower case already


def _compile(pattern: str) -> re.Pattern:
    for name, ending in _ENDINGS.items():
        pattern = pattern.replace("{" + name + "}", ending)
    return re.compile(f"(?:{pattern})", _FLAGS)


_KINDS = {"obscene": _compile(_OBSCENE), "insult": _compile(_INSULT),
          "threat": _compile(_THREAT), "propaganda": _compile(_PROPAGANDA),
          "crime": _compile(_CRIME)}
KINDS = tuple(_KINDS)  # the signal features' names
_ANY = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in _KINDS.values()), _FLAGS)


def _matcher(kind: str):
    pattern = _KINDS[kind]

    def match(token: str) -> bool:
        return pattern.fullmatch(token) is not None

    return match


is_obscene = _matcher("obscene")
is_insult = _matcher("insult")
is_threat = _matcher("threat")
is_propaganda = _matcher("propaganda")
is_crime = _matcher("crime")
_TESTS = dict(zip(KINDS, (is_obscene, is_insult, is_threat, is_propaganda, is_crime)))


def kinds(token: str) -> tuple[str, ...]:
    """The kinds (of ``KINDS``) a token of the analysis is, usually none.

    One combined match rules out most tokens before each kind is tried.
    """
    if _ANY.fullmatch(token) is None:
        return ()
    return tuple(kind for kind, test in _TESTS.items() if test(token))
