"""Configuration in one place: a frozen settings object read from the environment.

Every default works on a fresh machine:

- ``MODERATION_DATA_DIR``: data directory, default ``$XDG_DATA_HOME/moderation``
  (``~/.local/share/moderation``);
- ``MODERATION_MODEL_DIR``: the current model bundle, default ``<data dir>/model``;
- ``MODERATION_DB_URL``: the comment store, default SQLite ``<data dir>/moderation.db``;
- ``MODERATION_MODERATORS_FILE``: moderator accounts, default ``<data dir>/moderators.json``;
- ``MODERATION_SPOT_CHECK_RATE``: share of unflagged comments sent to spot check (0.05);
- ``MODERATION_CLAIM_MINUTES``: how long a moderator holds a claimed comment (10).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "moderation"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    model_dir: Path
    db_url: str
    moderators_file: Path
    spot_check_rate: float = 0.05
    claim_minutes: float = 10.0
    max_text_chars: int = 20_000

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("MODERATION_DATA_DIR") or _default_data_dir()).expanduser()
        model_dir = Path(env.get("MODERATION_MODEL_DIR") or data_dir / "model").expanduser()
        db_url = env.get("MODERATION_DB_URL") or f"sqlite:///{data_dir / 'moderation.db'}"
        moderators = Path(env.get("MODERATION_MODERATORS_FILE") or data_dir / "moderators.json")
        return cls(
            data_dir=data_dir,
            model_dir=model_dir,
            db_url=db_url,
            moderators_file=moderators.expanduser(),
            spot_check_rate=float(env.get("MODERATION_SPOT_CHECK_RATE", 0.05)),
            claim_minutes=float(env.get("MODERATION_CLAIM_MINUTES", 10)),
            max_text_chars=int(env.get("MODERATION_MAX_TEXT_CHARS", 20_000)),
        )


def get_settings() -> Settings:
    """Settings as the environment says now (read on every call, so tests can patch env)."""
    return Settings.from_env()
