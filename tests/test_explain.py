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
