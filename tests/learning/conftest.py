"""Learning-loop fixtures (see ``tests/loop.py``)."""
from __future__ import annotations

import pytest
from loop import small_seed_for_jobs, use_small_seed


@pytest.fixture
def tiny_seed(monkeypatch):
    return use_small_seed(monkeypatch)


@pytest.fixture
def job_seed(tmp_path, monkeypatch):
    return small_seed_for_jobs(tmp_path / "job_site", monkeypatch)
