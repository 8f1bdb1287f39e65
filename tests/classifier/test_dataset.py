import numpy as np
import pytest
from corpus import write_corpus

from moderation.classifier.dataset import LabelledData, parse_mapping, read_labelled, targets_for
from moderation.classifier.model import UNKNOWN
from moderation.errors import DataError
from moderation.taxonomy import LABELS


def test_reads_seed_format(tmp_path):
    data = read_labelled(write_corpus(tmp_path / "c.csv"))
    assert len(data) == 52 and not data.problems
    assert data.Y.shape == (52, len(LABELS))
    assert set(np.unique(data.Y)) == {0, 1}
    assert data.label_counts()["insult"] == 10


def test_bad_rows_are_reported_and_good_rows_kept(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        "id,article_title,text,labels,lang\n"
        "a,T,good comment,,uk\n"
        "b,T,,insult,uk\n"
        "c,T,bad label,rudeness,uk\n"
        "d,T,wrong lang,,de\n".encode() +
        b"e,T,\xff\xfe broken,,uk\n" +
        f"f,T,{'x' * 30_000},,uk\n".encode() +
        "g,T,another good one,insult;improper,ru\n".encode())
    data = read_labelled(path)
    assert data.frame["id"].tolist() == ["a", "g"]
    reasons = {p.line: str(p) for p in data.problems}
    assert "text is empty" in reasons[3] and "'text'" in reasons[3]
    assert "unknown label 'rudeness'" in reasons[4]
    assert "lang 'de'" in reasons[5]
    assert "not valid UTF-8" in reasons[6] and "line 6" in reasons[6]
    assert "30,000 characters" in reasons[7]
    assert all(str(path) in r for r in reasons.values())


@pytest.mark.parametrize("content, match", [
    (b"", "file is empty"),
    (b"id,body\n1,hello\n", "missing column 'text'"),
    (b"id,text\n1,hello\n", "no 'labels' column and no mapped target"),
])
def test_unusable_files_fail_clearly(tmp_path, content, match):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=match):
        read_labelled(path)


def test_binary_target_file_with_mapping(tmp_path):
    path = tmp_path / "toxic.csv"
    path.write_text("id,text,toxic\n1,ти дурень,1\n2,добрий день,0\n3,ну і бидло,1\n",
                    encoding="utf-8")
    with pytest.raises(DataError, match="explicit"):
        read_labelled(path)
    data = read_labelled(path, mapping=parse_mapping(["toxic=insult"]))
    j = LABELS.index("insult")
    assert data.Y[:, j].tolist() == [1, 0, 1]
    others = [i for i in range(len(LABELS)) if i != j]
    assert (data.Y[:, others] == UNKNOWN).all()


def test_label_named_column_maps_by_default(tmp_path):
    path = tmp_path / "spam.jsonl"
    path.write_text('{"id": 1, "text": "купуй зараз", "advertising": 1}\n'
                    '{"id": 2, "text": "дякую", "advertising": 0}\n', encoding="utf-8")
    data = read_labelled(path)
    assert data.Y[:, LABELS.index("advertising")].tolist() == [1, 0]


def test_or_target_for_evaluation(tmp_path):
    path = tmp_path / "c.csv"
    data = read_labelled(write_corpus(path))
    y = targets_for(data, ["insult", "improper"])
    both = (data.Y[:, [LABELS.index("insult"), LABELS.index("improper")]] == 1).any(axis=1)
    assert (y == both).all()


@pytest.mark.parametrize("item", ["toxic", "toxic=", "=insult", "toxic=rude"])
def test_bad_mapping(item):
    with pytest.raises(DataError):
        parse_mapping([item])


def test_fingerprint_is_stable_and_sensitive(tmp_path):
    a = read_labelled(write_corpus(tmp_path / "a.csv"))
    b = read_labelled(write_corpus(tmp_path / "b.csv"))
    assert a.fingerprint() == b.fingerprint()
    b.Y[0, 0] = 1 - b.Y[0, 0]
    assert a.fingerprint() != b.fingerprint()
    assert len(LabelledData.concat([a, b])) == 104
