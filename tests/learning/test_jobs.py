"""Training jobs: a real background process, its status file, one at a time, and crashes."""
from __future__ import annotations

import fcntl
import json
import os
import signal
import time

import pytest
from loop import ADMIN, decide_gold, ingest, site_rows

from moderation import load_model
from moderation.auth import AuthError, Moderator
from moderation.errors import JobError, JobRunning
from moderation.learning import jobs
from moderation.learning.jobs import DONE, FAILED, job_status, jobs_dir, latest_job, start_job
from moderation.settings import get_settings
from moderation.store import open_store


def wait(job, seconds: float = 240.0, until=lambda s: not s.active):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = job_status(job.path)
        if until(status):
            return status
        time.sleep(0.2)
    raise AssertionError(f"job still {job_status(job.path).state} after {seconds} s:\n"
                         + (job.path / jobs.LOG_FILE).read_text(errors="replace"))


def decided_store(url: str, tmp_path, monkeypatch):
    monkeypatch.setenv("MODERATION_DB_URL", url)
    store = open_store(url)
    rows = site_rows()
    ingest(store, tmp_path, rows)
    decide_gold(store, {r["id"]: r["labels"] for r in rows}, limit=30)
    return store


@pytest.fixture
def site_store(db_url, tmp_path, monkeypatch):
    """The settings' store (on both backends) with decided comments."""
    store = decided_store(db_url, tmp_path, monkeypatch)
    yield store
    store.dispose()


@pytest.fixture
def sqlite_store(tmp_path, monkeypatch):
    """The same on SQLite only, for what does not depend on the store."""
    store = decided_store(f"sqlite:///{tmp_path / 'jobs.db'}", tmp_path, monkeypatch)
    yield store
    store.dispose()


def test_a_job_trains_in_its_own_process_and_reports(site_store, job_seed):
    assert latest_job() is None
    job = start_job(ADMIN, folds=3)
    assert job.state == "queued" and job.requested_by == "olena" and job.folds == 3
    assert job.path.parent == jobs_dir() and (job.path / "status.json").is_file()
    done = wait(job)
    assert done.state == DONE, done.error
    assert done.pid and done.pid != os.getpid()
    assert done.started_at and done.finished_at and done.rows == 156 + 30
    assert done.decisions == 30
    assert any("рішень модераторів" in line for line in done.progress)
    model = load_model(done.candidate)
    assert model.version == done.version and model.manifest["decisions_until"] > 0
    comparison = done.comparison_record()
    assert comparison.reason == "no_current_model" and not comparison.available
    assert done.weight["decisions"] == 30
    assert latest_job() == done
    raw = json.loads((job.path / "status.json").read_text(encoding="utf-8"))
    assert raw["state"] == DONE and "db_url" not in json.dumps(raw)


def test_one_job_at_a_time(sqlite_store, job_seed, monkeypatch):
    monkeypatch.setenv("MODERATION_TEST_JOB_SLEEP", "3")
    job = start_job(ADMIN, folds=3)
    with pytest.raises(JobRunning, match="running already"):
        start_job(ADMIN, folds=3)
    assert wait(job).state == DONE
    monkeypatch.setenv("MODERATION_TEST_JOB_SLEEP", "60")
    second = start_job(ADMIN, folds=3)  # free again as soon as the first has ended
    assert latest_job().id == second.id and latest_job().active
    os.kill(wait(second, 60, until=lambda s: s.state == "running").pid, signal.SIGTERM)
    assert wait(second, 30).state == FAILED


def test_a_failure_is_written_down(tmp_path, job_seed, monkeypatch):
    monkeypatch.setenv("MODERATION_DB_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    job = start_job(ADMIN, folds=3)
    failed = wait(job)
    assert failed.state == FAILED and "StoreError" in failed.error
    assert failed.candidate is None
    assert "Traceback" in (job.path / jobs.LOG_FILE).read_text()


def test_a_killed_job_is_found_failed(sqlite_store, job_seed, monkeypatch):
    monkeypatch.setenv("MODERATION_TEST_JOB_SLEEP", "60")
    job = start_job(ADMIN, folds=3)
    running = wait(job, 60, until=lambda s: s.state == "running")
    assert job_status(job.path).active  # the lock is held: still running
    os.kill(running.pid, signal.SIGKILL)
    failed = wait(job, 30)
    assert failed.state == FAILED and "ended without finishing" in failed.error
    with jobs._lock(jobs_dir()) as fd:
        assert fd is not None  # the lock is free again


def test_a_stopped_job_says_it_was_stopped(sqlite_store, job_seed, monkeypatch):
    monkeypatch.setenv("MODERATION_TEST_JOB_SLEEP", "60")
    job = start_job(ADMIN, folds=3)
    running = wait(job, 60, until=lambda s: s.state == "running")
    os.kill(running.pid, signal.SIGTERM)
    failed = wait(job, 30)
    assert failed.state == FAILED and "SIGTERM" in failed.error


def test_a_status_left_running_by_a_dead_process_is_marked_failed(tmp_path):
    root = jobs_dir()
    job_dir = root / "20260101-000000-abcdef"
    job_dir.mkdir(parents=True)
    (job_dir / "status.json").write_text(json.dumps(
        {"id": job_dir.name, "state": "running", "requested_by": "olena", "folds": 5,
         "created_at": "2026-01-01T00:00:00+00:00", "pid": 999999}), encoding="utf-8")
    # while some process holds the training lock, the job counts as running
    fd = os.open(root / jobs.LOCK_FILE, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        assert job_status(job_dir).state == "running"
        with pytest.raises(JobRunning):
            start_job(ADMIN)
    finally:
        os.close(fd)
    assert job_status(job_dir).state == FAILED
    assert json.loads((job_dir / "status.json").read_text())["state"] == FAILED


def test_bad_requests_are_refused(tmp_path):
    with pytest.raises(AuthError):
        start_job(Moderator("petro", "moderator"))
    with pytest.raises(JobError, match="folds"):
        start_job(ADMIN, folds=50)
    assert latest_job() is None
    (jobs_dir() / "x").mkdir(parents=True)
    (jobs_dir() / "x" / "status.json").write_text("{", encoding="utf-8")
    with pytest.raises(JobError, match="cannot be read"):
        latest_job()
    assert get_settings().data_dir in jobs_dir().parents
