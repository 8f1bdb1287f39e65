"""Модель: training in a background job, the honest comparison, promotion with confirmation,
rollback; moderators keep working while a job runs."""
from __future__ import annotations

import fcntl
import json
import os
import time

import pytest
from loop import small_seed, small_seed_for_jobs
from ui_helpers import start, texts

from moderation import load_model, train_model
from moderation.learning.comparison import Comparison, LabelComparison
from moderation.learning.jobs import LOCK_FILE, job_status, jobs_dir, latest_job
from moderation.taxonomy import LABELS


def shown(at) -> str:
    """Texts and captions of the page."""
    return texts(at) + "\n" + "\n".join(c.value for c in at.caption)


def wait_for_job(seconds: float = 240.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = latest_job()
        if job is not None and not job.active:
            return job
        time.sleep(0.3)
    raise AssertionError("the training job did not finish")


def write_job(state: str, **values) -> os.PathLike:
    """A job as a job process leaves it (``status.json``), newest of all."""
    path = jobs_dir() / "20990101-000000-abcdef"
    path.mkdir(parents=True, exist_ok=True)
    status = {"id": path.name, "state": state, "requested_by": "olena", "folds": 3,
              "created_at": "2099-01-01T00:00:00+00:00", "progress": [], **values}
    (path / "status.json").write_text(json.dumps(status, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def candidate(app_env):
    return train_model(small_seed(), app_env.data_dir / "jobs" / "cand", folds=3)


def worse_on_insult() -> dict:
    labels = []
    for label in LABELS:
        if label == "insult":
            labels.append(LabelComparison(label, 20, 0.9, 0.5, (0.8, 0.97), (0.3, 0.65), -0.4,
                                          (-0.6, -0.2)))
        elif label == "improper":
            labels.append(LabelComparison(label, 0))
        else:
            labels.append(LabelComparison(label, 10, 0.8, 0.82, (0.6, 0.9), (0.6, 0.92), 0.02,
                                          (-0.1, 0.12)))
    macro = LabelComparison("macro", 5, 0.82, 0.74, (0.75, 0.88), (0.66, 0.8), -0.08,
                            (-0.14, -0.02))
    return Comparison(rows=60, labels=tuple(labels), macro=macro, clean_rows=20,
                      clean_flagged_current=1, clean_flagged_candidate=4, resamples=1000,
                      current_version="cur", candidate_version="eval", first_decision=31,
                      last_decision=90).as_dict()


def test_model_page_for_a_moderator_has_no_training_controls(app_env):
    at = start("petro")
    at.switch_page("views/model.py").run()
    assert not at.exception
    assert "Поточна модель" in texts(at)
    assert "лише адміністратор" in texts(at)
    assert not [b for b in at.button if b.key in ("retrain", "promote", "rollback")]


def test_model_page_shows_the_card_and_figures_in_ukrainian(app_env):
    at = start("petro")
    at.switch_page("views/model.py").run()
    assert not at.exception
    columns = [list(d.value.columns) for d in at.dataframe]
    assert columns[0] == ["мітка", "точність", "повнота", "F1", "поріг"]  # the CV figures
    headings = [m.value for m in at.markdown if m.value.startswith("**")]
    for title in ("Призначення", "Мітки", "Дані для навчання", "Відомі обмеження"):
        assert f"**{title}**" in headings
    plain = [t.value for t in at.text]
    assert any(t.startswith("Модель позначає коментарі читачів") for t in plain)
    assert not at.code  # the English MODEL_CARD.md is no longer dumped on the page
    page = shown(at) + "\n".join(plain)
    for english in ("Intended use", "Known limits", "precision", "recall"):
        assert english not in page
    assert {c for names in columns[1:] for c in names} >= {  # the card's tables
        "мітка", "точність", "повнота", "поріг", "порушень у даних"}


def test_admin_trains_in_the_background_promotes_and_rolls_back(app_env, tmp_path, monkeypatch):
    small_seed_for_jobs(tmp_path / "job_site", monkeypatch)
    monkeypatch.setenv("MODERATION_TEST_JOB_SLEEP", "4")
    before = load_model(app_env.model_dir).version
    at = start("olena")
    at.button(key="act_confirm").click().run()  # one decision to learn from
    at.switch_page("views/model.py").run()
    at.number_input(key="retrain_folds").set_value(3)
    at.button(key="retrain").click().run()
    assert not at.exception, at.exception
    assert "Навчання почато" in texts(at)
    assert latest_job().active
    assert "Навчання триває" in texts(at)  # the polling panel
    assert at.button(key="retrain").disabled

    # a moderator keeps working while the job runs
    petro = start("petro")
    petro.button(key="act_override").click().run()
    assert not petro.exception
    assert latest_job().active
    assert len(app_env.history(moderator="petro")) == 1

    job = wait_for_job()
    assert job.state == "done", job.error
    at.run()
    assert not at.exception, at.exception
    # the session's tiny model was trained on a frame: nobody knows which decisions it saw
    assert "не записала, на яких рішеннях" in texts(at)
    assert not [d for d in at.dataframe if "F1 нової" in d.value.columns]
    at.button(key="promote").click().run()
    assert "Впровадити модель" in texts(at)  # asks first
    assert load_model(app_env.model_dir).version == before
    at.text_input(key="promote_note").input("<b>перше</b> навчання")
    at.button(key="promote_confirm").click().run()
    assert not at.exception, at.exception
    assert load_model(app_env.model_dir).version == job.version != before
    assert "тепер поточна" in texts(at) and "Переоцінено" in texts(at)
    assert "Ця модель уже поточна" in texts(at)
    history = next(d.value for d in at.dataframe if "хто" in d.value.columns)
    assert list(history["хто"]) == ["olena"] and list(history["примітка"]) == [
        "<b>перше</b> навчання"]

    # roll back to the model that was current before
    assert at.selectbox(key="rollback_version").value == before
    at.button(key="rollback").click().run()
    assert load_model(app_env.model_dir).version == job.version  # not before the yes
    at.button(key="rollback_confirm").click().run()
    assert not at.exception, at.exception
    assert load_model(app_env.model_dir).version == before
    assert "Відновлено модель" in texts(at)
    history = next(d.value for d in at.dataframe if "хто" in d.value.columns)
    assert list(history["дія"]) == ["відкат", "впровадження"]


def test_a_candidate_worse_beyond_noise_is_shown_in_red_and_can_be_declined(app_env, candidate):
    write_job("done", candidate=str(candidate.path), version=candidate.version,
              comparison=worse_on_insult(), weight={"weight": 10.0}, rows=200, decisions=60)
    before = load_model(app_env.model_dir).version
    at = start("olena")
    at.switch_page("views/model.py").run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "F1 нової" in d.value.columns)
    insult = table.set_index("мітка").loc["Образа"]
    assert insult["висновок"] == "гірша" and insult["порушень"] == 20
    assert insult["95% різниці"] == "-0.600 … -0.200"
    assert table.set_index("мітка").loc["macro F1", "висновок"] == "гірша"
    assert "порушень немає" in set(table["висновок"])
    red = " ".join(e.value for e in at.error)
    assert "гірша за поточну понад шум" in red and "Образа" in red
    assert "на 60 коментарях, яких не бачила жодна з моделей" in shown(at)
    assert "поточна 1 з 20, нова 4 з 20" in shown(at)
    assert "Порівняно з моделлю cur, а поточна тепер" in texts(at)  # the current one changed
    at.button(key="promote").click().run()
    assert "гірша за поточну" in " ".join(e.value for e in at.error)  # still shown
    at.button(key="promote_cancel").click().run()
    assert load_model(app_env.model_dir).version == before
    assert at.button(key="promote")  # back to the first step


def test_without_rows_neither_model_saw_there_is_no_number(app_env, candidate):
    write_job("done", candidate=str(candidate.path), version=candidate.version,
              comparison=Comparison(rows=0, reason="no_unseen_decisions").as_dict(),
              weight={"weight": 1.0}, rows=156, decisions=0)
    at = start("olena")
    at.switch_page("views/model.py").run()
    assert "модератори не ухвалили жодного нового рішення" in texts(at)
    assert not [d for d in at.dataframe if "F1 нової" in d.value.columns]
    assert not at.error


def test_a_running_job_shows_progress_and_a_failed_one_its_error(app_env):
    path = write_job("running", progress=["[    3 с] **не markdown** <b>x</b>"], pid=1)
    fd = os.open(jobs_dir() / LOCK_FILE, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as the job process holds it
    try:
        at = start("olena")
        at.switch_page("views/model.py").run()
        assert not at.exception, at.exception
        assert at.button(key="retrain").disabled
        assert "**не markdown** <b>x</b>" in at.code[-1].value
    finally:
        os.close(fd)
    at.run()  # the process is gone: the job failed
    assert job_status(path).state == "failed"
    assert "Навчання не вдалося" in " ".join(e.value for e in at.error)
    assert "ended without finishing" in at.code[-1].value
    assert not at.button(key="retrain").disabled


def test_no_kept_models_no_rollback(app_env):
    at = start("olena")
    at.switch_page("views/model.py").run()
    assert "Збережених попередніх моделей немає" in shown(at)
    assert not [b for b in at.button if b.key == "rollback"]
