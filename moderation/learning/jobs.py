"""Training as a background job: its own process, its state in a file the UI polls.

``start_job(admin)`` makes ``<data dir>/jobs/<id>/`` and starts
``python -m moderation.learning.jobs <job dir> --lock-fd N``, which runs
:func:`~moderation.learning.retrain.retrain` and writes ``status.json`` (atomically:
temporary file, fsync, rename) at every step:

- ``state``: ``queued`` -> ``running`` -> ``done`` or ``failed``;
- ``progress``: the lines so far; ``error``: why it failed;
- when done: ``candidate`` (the bundle, ``<job dir>/candidate``), ``version``,
  ``comparison``, ``weight``, ``rows``, ``decisions``.

The process's output goes to ``log.txt`` beside it. One job at a time per data directory:
the job holds an exclusive ``flock`` on ``<data dir>/jobs/training.lock`` for its whole
life (taken by the starter and handed to the process), so a second start is refused with
``JobRunning``. A job that dies without writing its end (killed, out of memory) no longer
holds the lock: the next reader of its status finds it so and marks it ``failed``.

The job gets the starter's settings (data directory, store, model directory) through its
environment; nothing secret is written to the job directory.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from moderation.auth import Moderator, require_admin
from moderation.errors import JobError, JobRunning, ModelError
from moderation.settings import Settings, get_settings

STATUS_FILE = "status.json"
LOG_FILE = "log.txt"
LOCK_FILE = "training.lock"
CANDIDATE_DIR = "candidate"
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
ACTIVE = (QUEUED, RUNNING)
MAX_PROGRESS_LINES = 200
EXIT_GRACE = 10.0  # seconds a finished job may take to exit and free the lock
JOB_NICENESS = 10


@dataclass(frozen=True)
class JobStatus:
    """What ``status.json`` says about one job."""

    id: str
    state: str
    requested_by: str
    folds: int
    created_at: str
    path: Path
    started_at: str | None = None
    finished_at: str | None = None
    pid: int | None = None
    progress: tuple[str, ...] = ()
    candidate: str | None = None
    version: str | None = None
    comparison: dict | None = None
    weight: dict | None = None
    rows: int | None = None
    decisions: int | None = None
    error: str | None = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    def comparison_record(self):
        """The comparison as a :class:`~moderation.learning.comparison.Comparison`."""
        from moderation.learning.comparison import Comparison

        return None if self.comparison is None else Comparison.from_dict(self.comparison)


def jobs_dir(data_dir: str | Path | None = None) -> Path:
    return Path(data_dir or get_settings().data_dir) / "jobs"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _write(job_dir: Path, status: dict) -> None:
    tmp = job_dir / f".{STATUS_FILE}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(status, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, job_dir / STATUS_FILE)


def _read(job_dir: Path) -> dict:
    try:
        status = json.loads((job_dir / STATUS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JobError(f"{job_dir} is not a training job (no {STATUS_FILE})") from None
    except (OSError, ValueError) as exc:
        raise JobError(f"{job_dir / STATUS_FILE} cannot be read: {exc}") from None
    if not isinstance(status, dict) or status.get("state") not in (*ACTIVE, DONE, FAILED):
        raise JobError(f"{job_dir / STATUS_FILE} is not a job status")
    return status


def _as_status(job_dir: Path, raw: dict) -> JobStatus:
    names = {f.name for f in fields(JobStatus)} - {"path"}
    values = {k: v for k, v in raw.items() if k in names}
    values["progress"] = tuple(values.get("progress", ()))
    return JobStatus(path=job_dir, **values)


@contextlib.contextmanager
def _lock(root: Path, *, wait: float = 0.0) -> Iterator[int | None]:
    """The training lock's descriptor if it was free within ``wait`` seconds (held until the
    block ends), else None."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield None
                    return
                time.sleep(0.05)
        yield fd
    finally:
        os.close(fd)


def job_status(job_dir: str | Path) -> JobStatus:
    """The job's status; a job that stopped without finishing is marked failed here."""
    job_dir = Path(job_dir)
    raw = _read(job_dir)
    if raw["state"] in ACTIVE:
        with _lock(job_dir.parent) as fd:
            if fd is not None:  # nobody holds the lock: no job process is alive
                raw = _read(job_dir)
                if raw["state"] in ACTIVE:
                    raw.update(state=FAILED, finished_at=_now(),
                               error="the training process ended without finishing (stopped, "
                                     "killed or out of memory); see " + str(job_dir / LOG_FILE)
                                     + _log_tail(job_dir))
                    _write(job_dir, raw)
    return _as_status(job_dir, raw)


def _log_tail(job_dir: Path, lines: int = 5) -> str:
    try:
        tail = (job_dir / LOG_FILE).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "".join(f"\n{line}" for line in tail[-lines:])


def latest_job(data_dir: str | Path | None = None) -> JobStatus | None:
    """The most recently started job, or None."""
    root = jobs_dir(data_dir)
    if not root.is_dir():
        return None
    for path in sorted((p for p in root.iterdir() if p.is_dir()), reverse=True):
        if (path / STATUS_FILE).is_file():
            return job_status(path)
    return None


def start_job(admin: Moderator, *, folds: int = 5, settings: Settings | None = None) -> JobStatus:
    """Start retraining in a new process; returns the queued job at once.

    Raises ``AuthError`` for a non-admin and ``JobRunning`` while another job runs.
    """
    require_admin(admin)
    if not 3 <= int(folds) <= 10:
        raise JobError(f"folds must be between 3 and 10, got {folds}")
    settings = settings or get_settings()
    root = jobs_dir(settings.data_dir)
    latest = latest_job(settings.data_dir)
    # a job that has written its end may still hold the lock for the moment it takes to exit
    with _lock(root, wait=0.0 if latest is None or latest.active else EXIT_GRACE) as fd:
        if fd is None:
            raise JobRunning("a training job is running already: wait for it to finish")
        job_id = f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        job_dir = root / job_id
        job_dir.mkdir(mode=0o700)
        status = {"id": job_id, "state": QUEUED, "requested_by": admin.name,
                  "folds": int(folds), "created_at": _now(), "progress": []}
        _write(job_dir, status)
        env = {**os.environ, "MODERATION_DATA_DIR": str(settings.data_dir),
               "MODERATION_DB_URL": settings.db_url,
               "MODERATION_MODEL_DIR": str(settings.model_dir)}
        try:
            with open(job_dir / LOG_FILE, "ab") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "moderation.learning.jobs", str(job_dir),
                     "--lock-fd", str(fd)],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    pass_fds=(fd,), env=env, start_new_session=True)
        except OSError as exc:
            status.update(state=FAILED, finished_at=_now(),
                          error=f"could not start the training process: {exc}")
            _write(job_dir, status)
            raise JobError(status["error"]) from exc
        # reap the process when it ends (no zombie); the job itself now holds the lock
        threading.Thread(target=process.wait, daemon=True).start()
    return _as_status(job_dir, status)


class _Job:
    """The running job's side: state changes and progress lines, each written at once."""

    def __init__(self, job_dir: Path):
        self.dir = job_dir
        self.status = _read(job_dir)
        self.t0 = time.perf_counter()

    def update(self, **values) -> None:
        self.status.update(values)
        _write(self.dir, self.status)

    def progress(self, line: str) -> None:
        line = f"[{time.perf_counter() - self.t0:5.0f} с] {line}"
        print(line, flush=True)
        lines = [*self.status.get("progress", []), line][-MAX_PROGRESS_LINES:]
        self.update(progress=lines)


def run_job(job_dir: str | Path) -> int:
    """Run the job in this process (the job process's body); 0 when done, 1 when failed."""
    from moderation import load_model
    from moderation.learning.retrain import retrain
    from moderation.store import open_store

    job = _Job(Path(job_dir))
    job.update(state=RUNNING, started_at=_now(), pid=os.getpid())
    os.nice(JOB_NICENESS)  # the moderators' UI keeps the CPU first
    try:
        settings = get_settings()
        admin = Moderator(job.status["requested_by"], "admin")
        try:
            current = load_model(settings.model_dir)
        except ModelError as exc:
            current = None
            job.progress(f"поточна модель недоступна, порівняння не буде: {exc}")
        store = open_store(settings.db_url)
        try:
            candidate = retrain(admin, store, current, job.dir / CANDIDATE_DIR,
                                folds=job.status["folds"], progress=job.progress)
        finally:
            store.dispose()
    except BaseException as exc:  # noqa: BLE001 - every way out is written down
        traceback.print_exc()
        job.update(state=FAILED, finished_at=_now(),
                   error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        return 1
    job.update(state=DONE, finished_at=_now(), candidate=str(candidate.path),
               version=candidate.version, comparison=candidate.comparison.as_dict(),
               weight=candidate.weight.as_dict(), rows=candidate.rows,
               decisions=candidate.decisions)
    return 0


def _terminated(signum, _frame):
    raise SystemExit(f"stopped by signal {signal.Signals(signum).name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moderation.learning.jobs",
                                     description="Run one training job (started by start_job).")
    parser.add_argument("job_dir")
    parser.add_argument("--lock-fd", type=int, default=None,
                        help="the training lock, taken by the starter (else taken here)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminated)
    job_dir = Path(args.job_dir)
    if args.lock_fd is not None:
        return run_job(job_dir)
    with _lock(job_dir.parent) as fd:
        if fd is None:
            print("a training job is running already", file=sys.stderr)
            return 2
        return run_job(job_dir)


if __name__ == "__main__":  # pragma: no cover - the job process
    sys.exit(main())
