import numpy as np

from moderation import load_model


def test_spans_point_into_the_original_disguised_text(tiny_model):
    model = load_model(tiny_model)
    text = "Кредит без довідок, дзвоніть 0 6 7 1 2 3 4 5 6 7 або t.me/kredyt_lutsk"
    spans = model.explain(text)
    assert "advertising" in spans
    found = {s.text for s in spans["advertising"]}
    for s in spans["advertising"]:
        assert text[s.start:s.end] == s.text and s.weight > 0
    assert "0 6 7 1 2 3 4 5 6 7" in found or "t.me/kredyt_lutsk" in found


def test_disguised_obscenity_is_highlighted_as_written(tiny_model):
    model = load_model(tiny_model)
    text = "та пішли ви всі, це х.у.й.н.я якась, бля"
    spans = model.explain(text)
    assert "improper" in spans
    assert any("х.у.й.н.я" in s.text or s.text == "бля" for s in spans["improper"])


def test_explains_exactly_the_flagged_labels(tiny_model):
    model = load_model(tiny_model)
    texts = ["Дякую за статтю, дуже корисно", "Голосуйте за Поліщука!", "ти дебіл",
             "Світла пам'ять загиблим", "", "   "]
    for text, flagged in zip(texts, model.predict(texts)):
        assert sorted(model.explain(text)) == sorted(flagged)


DISGUISED = ["Кредит без довідок, дзвоніть 0 6 7 1 2 3 4 5 6 7 або t.me/kredyt_lutsk",
             "та пішли ви всі, це х.у.й.н.я якась, бля", "ти д е б і л і п*дар",
             "pidor!!! суууука", "ка\u200bзи\u200dно, виграш 5000 грн: www.casino-x.com"]


def test_spans_exist_in_the_original_text_also_when_disguised(tiny_model):
    model = load_model(tiny_model)
    for text in DISGUISED:
        for label, spans in model.explain(text).items():
            for s in spans:
                assert 0 <= s.start < s.end <= len(text)
                assert text[s.start:s.end] == s.text and s.text.strip()


def test_contributions_come_from_the_scored_features(tiny_model):
    """The occurrences explained are those the model scored: summed per column they give
    the feature vector's own terms."""
    from moderation.classifier.explain import contributions

    model = load_model(tiny_model)
    for text in DISGUISED:
        doc, proba, contrib, start, end = contributions(model, text)
        assert np.allclose(proba, model.score([text]).proba[0])
        features = model.pipeline.named_steps["features"]
        X = features.transform([doc]).tocsr()
        clf = model.pipeline.named_steps["clf"]
        decision = clf.intercept_ + contrib.sum(axis=1)
        assert np.allclose(decision, clf.decision_function(X)[0])


def test_reasons_are_a_few_words_never_a_function_word_alone(tiny_model):
    from moderation.text.stopwords import STOPWORDS

    model = load_model(tiny_model)
    texts = ["Голосуйте за Поліщука, а не за цих злодіїв!", "ти дебіл і покидьок, а від тебе",
             "Асфальтування дворів, знижки! Телеграм @asfalt_lutsk або 0671234567",
             "Заступник мера злодій і хабарник, гроші пішли йому в кишеню"]
    for text in texts:
        for label, spans in model.explain(text).items():
            assert len(spans) <= 3
            for s in spans:
                words = [w.lower() for w in s.text.replace(",", " ").split()]
                assert any(w not in STOPWORDS and len(w) > 1 for w in words), (text, s)


def test_a_comment_stored_backwards_is_explained_on_its_stored_characters(tiny_model):
    model = load_model(tiny_model)
    shown = "Асфальтування дворів, знижки! Телеграм @asfalt_lutsk або 0671234567"
    stored = "\u202e" + shown[::-1]
    assert np.allclose(model.score([stored]).proba, model.score([shown]).proba)
    for spans in model.explain(stored).values():
        for s in spans:
            assert 0 <= s.start < s.end <= len(stored) and stored[s.start:s.end] == s.text
            assert s.text[::-1].strip() in shown
