"""Comments for the UI tests' review queue (ingested with ``helpers.KeywordModel``)."""
from __future__ import annotations

# comments for the review queue: (id, author, title, text). The KeywordModel of helpers.py
# flags c1..c6 (score 0.9 each, so the newest comes first: c6, the injection case), and
# c7, c8 are clean (sent to spot check with spot_check_rate=1). c1 and c2 are one copy-paste
# campaign by two authors.
INJECTION = "<script>alert(1)</script> <img src=x onerror=alert(2)> дурень"
QUEUE_COMMENTS = [
    ("c1", "Громада_Волині", "Вибори мера", "Голосуйте за Петренка, він найкращий мер Луцька!"),
    ("c2", "Патріот_2026", "Ремонт дороги", "Голосуйте за Петренка, він найкращий мер Луцька!"),
    ("c3", "Фінанс", "Шахраї ошукали пенсіонерку", "Заробіток у telegram @money, знижка 50%"),
    ("c4", "Злий", "Ремонт дороги", "Ти дурень, автор"),
    ("c5", "Сусід", "Новини району", "Мій сусід вкрав велосипед"),
    ("c6", "<img src=x onerror=alert(3)>", "<script>alert('title')</script>", INJECTION),
    ("c7", "Оксана", "Ремонт дороги", "Дякую за статтю"),
    ("c8", "Оксана", "Ремонт дороги", "Коли відремонтують дорогу?"),
]


def queue_rows() -> list[dict]:
    return [{"id": cid, "author": author, "article_id": f"a-{i}", "article_title": title,
             "posted_at": "2026-11-20T10:00:00+02:00", "text": text}
            for i, (cid, author, title, text) in enumerate(QUEUE_COMMENTS)]
