"""Realistic copy-paste campaigns and look-alike comments that are not copies, for the
near-duplicate and bulk-action tests."""
from __future__ import annotations

CASINO_BODY = ("Казино «Зоряна удача» дарує 500 безкоштовних обертань новим гравцям.\n"
               "Виведення виграшу на картку за 5 хвилин, без верифікації.\n"
               "Пиши в telegram @zoryana_win і отримай знижка 30% на перший депозит.\n"
               "Пропозиція діє тільки до кінця тижня, встигни!")
CASINO = [  # each copy with a first line of its own, under another author and article
    "Друзі, нарешті знайшов, де реально платять!\n" + CASINO_BODY,
    "Не повірите, вчора зірвав джекпот.\n" + CASINO_BODY,
    "Набридло сидіти без грошей?\n" + CASINO_BODY,
]
JOB_BODY = ("Потрібні працівники на склад у Польщі, заробіток від 40 000 грн на місяць.\n"
            "Житло та харчування за рахунок роботодавця, досвід не потрібен.\n"
            "Оформлення документів безкоштовно, виїзд щопонеділка з Києва та Львова.\n"
            "Деталі та анкета у нашому каналі, пишіть у telegram @robota_pl_now.")
JOBS = [
    "Шукаєте стабільну роботу?\n" + JOB_BODY,
    "Увага, терміновий набір!\n" + JOB_BODY,
    "Маєте вільний час і бажання працювати?\n" + JOB_BODY,
    # lines in another order, no first line of its own
    "\n".join(reversed(JOB_BODY.split("\n"))),
]
POLITICAL = ("Голосуйте за Петренка! Тільки він наведе лад у місті, відремонтує дороги "
             "і прибере корупцію з мерії. Кожен голос важливий!")
SAME_TOPIC = [  # about the same article, none a copy of another
    "Бюджет міста знову порізали на ремонт доріг, а школам нічого не дісталося.",
    "Дороги в нашому районі не ремонтували десять років, гроші з бюджету кудись зникають.",
    "Дякую за статтю, нарешті хтось написав, куди йде бюджет міста.",
    "Ремонт доріг треба робити влітку, а не в листопаді під дощем, як завжди.",
    "Цікаво, чи опублікують повний кошторис ремонту доріг на сайті міськради?",
    "У Польщі склади платять непогано, але житло там дороге, не вірте оголошенням.",
    "Казино треба заборонити, через них мій сусід програв квартиру.",
]


def rows() -> list[dict]:
    """The campaigns (each copy by another author under another article) and the
    same-topic comments, as ingest rows."""
    out = []
    for i, text in enumerate(CASINO):
        out.append(dict(id=f"casino{i}", text=text, author=f"casino_author{i}",
                        article_id=f"a{i}"))
    for i, text in enumerate(JOBS):
        out.append(dict(id=f"job{i}", text=text, author=f"job_author{i}",
                        article_id=f"a{i + 3}"))
    for i in range(4):
        out.append(dict(id=f"pol{i}", text=POLITICAL, author=f"pol_author{i}",
                        article_id=f"a{i}"))
    for i, text in enumerate(SAME_TOPIC):
        out.append(dict(id=f"topic{i}", text=text, author=f"reader{i}", article_id="budget"))
    return out
