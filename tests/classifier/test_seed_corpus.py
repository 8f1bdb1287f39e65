"""The bundled seed corpus has the make-up its data card promises."""
import re

import pytest
from helpers import near_duplicate_pairs

from moderation.classifier.dataset import read_labelled, seed_path
from moderation.taxonomy import LABELS
from moderation.text.normalize import is_disguised


@pytest.fixture(scope="module")
def seed():
    data = read_labelled(seed_path())
    assert not data.problems, data.problems[:5]
    return data


# A clean comment is "hard" when it carries a cue that a keyword filter would flag:
# politics or officials, money and theft words, courts, shops and brands, contacts or
# prices, strong or rude words, condolences next to the enemy, or a reply to a reader.
HARD_CUES = re.compile(
    r"депутат|мер\b|мера\b|міськ|голов[аиу]|парті|вибор|кандидат|влад|чиновни|депутат|уряд|рад[аиі]\b|"
    r"президент|міністр|прокурор|поліці|суд|вирок|хабар|корупц|крад|вкра|злод|гроші|кошт|бюджет|"
    r"мільйон|тендер|відкат|схем|куди (?:ді|поді|пішл)|магазин|атб|сільпо|епіцентр|тц\b|компані|"
    r"фірм|ціна|ціни|грн|\d{3}|ганьб|жах|свавіл|безлад|бардак|неподоб|ненавид|ворог|рос|русн|"
    r"орк|рашист|окупант|москал|путін|кацап|@|пане|пані|дурн|ідіот|тупо|чорт|блін|капець|хрін|"
    r"дебіл|бидл|сук|\?\s*$|власти|деньги|вор|украл|суд", re.I)


def test_size_and_columns(seed):
    assert len(seed) >= 3000
    assert {"id", "article_title", "text", "lang"} <= set(seed.frame.columns)
    assert seed.frame["id"].is_unique
    assert seed.frame["article_title"].str.len().gt(0).all()


def test_label_make_up(seed):
    Y = seed.Y
    clean = Y.sum(axis=1) == 0
    assert clean.mean() >= 0.40
    for j, label in enumerate(LABELS):
        assert Y[:, j].sum() >= 300, label
    violating = ~clean
    assert (Y[violating].sum(axis=1) >= 2).mean() >= 0.20


def test_hard_clean_share(seed):
    clean = seed.Y.sum(axis=1) == 0
    texts = seed.frame.loc[clean, "text"]
    hard = texts.map(lambda t: bool(HARD_CUES.search(t)))
    assert hard.mean() >= 1 / 3


def test_languages_and_disguise(seed):
    share = seed.frame["lang"].value_counts(normalize=True)
    assert share.get("ru", 0) >= 0.10
    assert share.get("mixed", 0) >= 0.05
    assert share.get("translit", 0) >= 0.03
    assert set(share.index) <= {"uk", "ru", "mixed", "translit"}
    # the authors' disguise marks agree with the normaliser's own detector
    detected = seed.frame["text"].map(is_disguised)
    assert detected.mean() >= 0.05
    assert seed.frame["disguised"].mean() >= 0.05
    marked = seed.frame["disguised"].to_numpy(dtype=bool)
    assert (detected.to_numpy() & marked).sum() >= 0.8 * marked.sum()


def test_lengths_vary(seed):
    words = seed.frame["text"].str.split().str.len()
    assert words.min() <= 3 and words.max() >= 60
    assert words.between(2, 100).mean() >= 0.99


def test_near_duplicates_are_rare(seed):
    pairs = near_duplicate_pairs(seed.texts)
    rows_in_pairs = {i for pair in pairs for i in pair}
    assert len(rows_in_pairs) / len(seed) < 0.02


def test_near_duplicate_detector_works():
    texts = ["Голосуйте за Поліщука, він найкращий мер Луцька!",
             "Голосуйте за Поліщука, він найкращий мер Луцька!!",
             "Зовсім інший коментар про погоду у Ковелі"]
    assert near_duplicate_pairs(texts) == [(0, 1)]


def test_no_shared_evaluation_text_in_the_seed(seed):
    import csv

    from moderation.classifier.evaluation import shared_data_dir

    shared = shared_data_dir()
    if shared is None:
        pytest.skip("../shared/data is absent")
    seed_texts = {t.strip().lower() for t in seed.texts}
    for f in sorted((shared / "eval").glob("*.csv")):
        with open(f, encoding="utf-8") as fh:
            overlap = [r["text"] for r in csv.DictReader(fh)
                       if len(r["text"]) >= 20 and r["text"].strip().lower() in seed_texts]
        assert not overlap, (f.name, overlap[:3])
    assert seed_path().read_bytes().decode("utf-8")
