"""Words of a batch, numbered across batches; per-word tables."""
import threading

import numpy as np

from moderation import words
from moderation.words import DenseTable, RaggedTable, WordBatch, WordIndex, batch_of


def test_index_numbers_words_in_the_order_first_seen():
    index = WordIndex()
    assert index.lookup(["б", "а", "б"]).tolist() == [0, 1, 0]
    assert index.lookup(["в", "а"]).tolist() == [2, 1]
    assert index.words == ["б", "а", "в"]


def test_index_from_many_threads_gives_each_word_one_number():
    index = WordIndex()
    vocabulary = [f"слово{i}" for i in range(2000)]
    results = []

    def work(seed):
        rng = np.random.default_rng(seed)
        sample = [vocabulary[i] for i in rng.integers(0, len(vocabulary), 5000)]
        results.append((sample, index.lookup(sample)))

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(index.words) == len(set(index.words)) == len(index.ids)
    for sample, ids in results:
        assert [index.words[i] for i in ids] == sample


def test_batch_of_texts():
    batch = WordBatch.of_texts(["перше слово", "", "друге  слово слово"])
    assert batch.n_texts == 3
    assert batch.indptr.tolist() == [0, 2, 2, 5]
    assert batch.text_of_word.tolist() == [0, 0, 2, 2, 2]
    index = batch.index
    assert [index.words[i] for i in batch.ids] == ["перше", "слово", "друге", "слово", "слово"]
    counts = batch.occurrences(batch.n_words).toarray()
    assert counts[2, index.ids["слово"]] == 2 and counts[1].sum() == 0


def test_batch_is_reused_only_for_the_same_texts():
    texts = ["перше слово", "друге слово"]
    first = batch_of(texts)
    assert batch_of(list(texts)) is first  # same strings, another list
    texts[1] = "інше слово"                  # changed in place
    second = batch_of(texts)
    assert second is not first
    assert [second.index.words[i] for i in second.ids] == ["перше", "слово", "інше", "слово"]


def test_a_remembered_batch_is_used_for_those_texts_only():
    texts = ["a b", "c"]
    remembered = WordBatch.of_texts(["x y", "z"])  # deliberately not the words of texts
    words.remember(texts, remembered)
    assert batch_of(texts) is remembered
    other = batch_of(["a b".encode().decode(), "c".encode().decode()])  # equal, other objects
    assert [other.index.words[i] for i in other.ids] == ["a", "b", "c"]


def test_full_index_is_replaced(monkeypatch):
    monkeypatch.setattr(words, "_INDEX", WordIndex())
    monkeypatch.setattr(words, "LIMIT", 3)
    first = WordBatch.of_texts(["один два три чотири"])
    second = WordBatch.of_texts(["п'ять"])
    assert second.index is not first.index
    assert second.ids.tolist() == [0]


def test_ragged_table_grows_and_keeps_rows():
    index = WordIndex()
    table = RaggedTable(index)
    index.lookup(["ab", "", "abcd"])
    n, indptr, values = table.filled(3, lambda ws: [[len(w)] * len(w) for w in ws])
    assert n == 3 and indptr.tolist() == [0, 2, 2, 6] and values.tolist() == [2, 2, 4, 4, 4, 4]
    index.lookup([f"w{i}" for i in range(3000)])  # past the first buffer
    n, indptr, values = table.filled(len(index), lambda ws: [[len(w)] for w in ws])
    assert n == 3003 and values[:6].tolist() == [2, 2, 4, 4, 4, 4]
    assert values[indptr[3002]:indptr[3003]].tolist() == [len("w2999")]
    assert table.filled(2, None)[0] == 3003  # nothing to add: the row function is not called


def test_dense_table_grows_and_keeps_rows():
    index = WordIndex()
    table = DenseTable(index, 2)
    index.lookup(["a", "bb"])
    assert table.filled(2, lambda ws: [(len(w), 1) for w in ws]).tolist() == [[1, 1], [2, 1]]
    index.lookup([f"w{i}" for i in range(2000)])
    rows = table.filled(len(index), lambda ws: [(len(w), 0) for w in ws])
    assert rows.shape == (2002, 2) and rows[:2].tolist() == [[1, 1], [2, 1]]



def test_new_index_replaces_the_shared_one(monkeypatch):
    monkeypatch.setattr(words, "_INDEX", WordIndex())
    before = words.current_index()
    before.lookup(["слово"])
    after = words.new_index()
    assert after is words.current_index() is not before and len(after) == 0
