"""The feature views: equal to stock scikit-learn where they do the same thing, counts and
occurrences from the same cutting, spans that point at the text, slices that add up."""
import numpy as np
import pytest
from corpus import ROWS
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer

from moderation.classifier import features
from moderation.classifier.analysis import SIGNAL_TERMS, TOKEN, Analyzer
from moderation.classifier.features import CharNgrams, Signals, WordNgrams
from moderation.text import lexicon

TEXTS = [text for _, text, _, _ in ROWS] + [
    "", "а", "  два   пробіли ", "п*дар 067 123 45 67 і т.д.", "suka blyat www.x.com www.y.com!!!",
    "слово слово слово", "!!!!!!!!!!!! ура", "Пиши @olena_k, або @petro.", "😀 👍🏽 🇺🇦",
    "pidor і підор", "ПРИВІТ!!!", "це'слово і 'лапки' та п'ять",
]
DOCS = Analyzer().transform(TEXTS)


def _aligned(ours, ref, ours_names, ref_names):
    """``ours`` with its columns put in ``ref``'s order (the vocabularies must be equal)."""
    assert sorted(ours_names) == sorted(ref_names)
    where = {name: i for i, name in enumerate(ours_names)}
    return ours[:, [where[name] for name in ref_names]], ref


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 2), (1, 3)])
def test_word_ngrams_equal_stock_tfidf_on_the_same_tokens(ngram_range):
    view = WordNgrams(ngram_range=ngram_range, min_df=1).fit(DOCS)
    ref = TfidfVectorizer(token_pattern=TOKEN.pattern, ngram_range=ngram_range, min_df=1,
                          sublinear_tf=True, lowercase=False).fit([d.norm for d in DOCS])
    assert list(view.get_feature_names_out()) == list(ref.get_feature_names_out())
    expected = ref.transform([d.norm for d in DOCS])
    assert abs(view.transform(DOCS) - expected).max() < 1e-12
    unseen = Analyzer().transform(["зовсім нові слова тут", "депутат злодій новий"] * 20)
    assert abs(view.transform(unseen) - ref.transform([d.norm for d in unseen])).max() < 1e-12


def _with_readings(doc):
    return " ".join([doc.norm, *(reading for _, reading in doc.readings)])


@pytest.mark.parametrize("ngram_range", [(2, 4), (1, 3), (3, 5)])
def test_char_ngrams_equal_stock_char_wb(ngram_range):
    """The array implementation cuts what ``char_wb`` cuts (readings of Latin tokens are
    extra words), with the same TF-IDF."""
    view = CharNgrams(ngram_range=ngram_range, min_df=1).fit(DOCS)
    ref = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, min_df=1,
                          sublinear_tf=True, lowercase=False)
    ref_texts = [_with_readings(d) for d in DOCS]
    expected = ref.fit_transform(ref_texts)
    ours, expected = _aligned(view.transform(DOCS).toarray(), expected.toarray(),
                              list(view.get_feature_names_out()),
                              list(ref.get_feature_names_out()))
    assert abs(ours - expected).max() < 1e-12
    new = Analyzer().transform(["зовсім нові слова", "blyat нове", "ёжик 🦔"])
    got = view.transform(new).toarray()
    want = ref.transform([_with_readings(d) for d in new]).toarray()
    ours, want = _aligned(got, want, list(view.get_feature_names_out()),
                          list(ref.get_feature_names_out()))
    assert abs(ours - want).max() < 1e-12


@pytest.mark.parametrize("view", [WordNgrams(min_df=1), CharNgrams(min_df=1), Signals()])
def test_counts_and_occurrences_are_the_same_terms(view):
    view.fit(DOCS)
    counts = view.counts(DOCS).toarray()
    occ = view.occurrences(DOCS)
    again = np.zeros_like(counts)
    np.add.at(again, (occ.doc, occ.column), 1)
    assert np.array_equal(counts, again)
    assert ((occ.start >= 0) & (occ.end <= [len(DOCS[d].norm) for d in occ.doc])).all()


def test_word_spans_cover_their_tokens():
    view = WordNgrams(ngram_range=(1, 2), min_df=1).fit(DOCS)
    names = view.get_feature_names_out()
    occ = view.occurrences(DOCS)
    for d, column, start, end in zip(occ.doc, occ.column, occ.start, occ.end):
        assert TOKEN.findall(DOCS[d].norm[start:end]) == names[column].split(" ")


def test_char_spans_cover_their_ngram():
    view = CharNgrams(min_df=1).fit(DOCS)
    names = view.get_feature_names_out()
    occ = view.occurrences(DOCS)
    for d, column, start, end in zip(occ.doc, occ.column, occ.start, occ.end):
        norm, gram = DOCS[d].norm, names[column].strip(" ")
        latin = [t for i, t in enumerate(DOCS[d].tokens) if i in dict(DOCS[d].readings)]
        assert norm[start:end] == gram or norm[start:end] in latin


def test_signals_count_placeholders_lexicon_masks_and_exclaims():
    docs = Analyzer().transform(["067 123 45 67, або 0671234567 www.x.com хуйня дебіл п*дар",
                                 "добрий день", "suka blyat!!!", "так! " * 12])
    X = Signals().fit(docs).transform(docs).toarray()
    row = dict(zip(SIGNAL_TERMS, X[0]))
    assert row["_phone_"] == pytest.approx(np.log1p(2))
    assert row["_url_"] > 0 and row["obscene"] > 0 and row["insult"] > 0 and row["masked"] > 0
    assert X[1].sum() == 0
    translit = dict(zip(SIGNAL_TERMS, X[2]))
    assert translit["obscene"] == pytest.approx(np.log1p(2))  # read as суку, блят
    assert translit["exclaim"] == pytest.approx(np.log1p(3))
    assert dict(zip(SIGNAL_TERMS, X[3]))["exclaim"] == pytest.approx(np.log1p(10))  # capped


def test_lexicon_sees_the_analysis_tokens():
    doc = Analyzer().transform(["Ти пiдар, д е б і л, x.у.й тобі"])[0]
    assert "підар" in doc.tokens and "дебіл" in doc.tokens
    kinds = {token: lexicon.kinds(token) for token in doc.tokens}
    assert "obscene" in kinds["підар"] and "insult" in kinds["дебіл"]
    assert "obscene" in kinds["хуй"]


@pytest.mark.parametrize("view", [WordNgrams(min_df=1), CharNgrams(min_df=1), Signals()])
def test_slices_one_by_one_and_batch_agree(view, monkeypatch):
    view.fit(DOCS)
    whole = view.transform(DOCS).toarray()
    monkeypatch.setattr(features, "CHUNK_CHARS", 40)  # many slices
    assert abs(view.transform(DOCS).toarray() - whole).max() < 1e-12
    alone = np.vstack([view.transform(DOCS[i:i + 1]).toarray() for i in range(len(DOCS))])
    assert abs(alone - whole).max() < 1e-12


def test_changed_analysis_parameters_need_a_new_fit():
    view = CharNgrams(min_df=1).fit(DOCS)
    view.set_params(ngram_range=(2, 5))
    with pytest.raises(NotFittedError, match="fit it again"):
        view.transform(DOCS)
    view.fit(DOCS)
    assert view.transform(DOCS).shape[0] == len(DOCS)


@pytest.mark.parametrize("ngram_range", [(2, 9), (0, 3), (5, 2), (2, 10**6)])
def test_impossible_char_ngram_sizes_are_refused(ngram_range):
    with pytest.raises(ValueError, match="ngram_range"):
        CharNgrams(ngram_range=ngram_range, min_df=1).fit(DOCS)


def test_empty_vocabulary_is_explained():
    with pytest.raises(ValueError, match="empty vocabulary"):
        WordNgrams(min_df=5).fit(Analyzer().transform(["один", "два"]))
