"""Configuration in one place: a frozen settings object read from the environment.

Every default works on a fresh machine:

- ``MODERATION_DATA_DIR``: data directory, default ``$XDG_DATA_HOME/moderation``
  (``~/.local/share/moderation``);
- ``MODERATION_MODEL_DIR``: the current model bundle, default ``<data dir>/model``;
- ``MODERATION_DB_URL``: the comment store, default SQLite ``<data dir>/moderation.db``; on
  PostgreSQL the application's own role (``moderation.store.roles``);
- ``MODERATION_DB_OWNER_URL``: PostgreSQL, the same database as the owner role, which
  ``moderation db upgrade`` connects as (runs the migrations, grants the application role
  its privileges); default: ``MODERATION_DB_URL`` (one role for everything);
- ``MODERATION_MODERATORS_FILE``: moderator accounts, default ``<data dir>/moderators.json``;
- ``MODERATION_SPOT_CHECK_RATE``: share of unflagged comments sent to spot check (0.05);
- ``MODERATION_CLAIM_MINUTES``: how long a moderator holds a claimed comment (10).

The site integration service (``moderation serve``) also reads:

- ``MODERATION_HOLD_AT`` / ``MODERATION_REJECT_AT``: the action policy, ``label=probability``
  pairs joined with ``,`` (e.g. ``insult=0.8,improper=0.8``): a comment scoring at or above
  a ``reject`` value is answered ``reject``, else at or above a ``hold`` value ``hold``,
  else ``publish``. Default: empty, so everything is published (flags only go to the queue);
- ``MODERATION_MAX_BODY_BYTES``: largest request body per comment (65536; a batch may have
  that much per comment it may hold);
- ``MODERATION_RATE_LIMIT`` / ``MODERATION_RATE_BURST``: requests per second per API key
  (100) and the burst allowed above it (200), per service process;
- ``MODERATION_WEBHOOK_URL`` / ``MODERATION_WEBHOOK_SECRET``: where decisions are POSTed and
  the HMAC secret that signs them (both or neither); ``MODERATION_WEBHOOK_TIMEOUT`` (10 s),
  ``MODERATION_WEBHOOK_RETRY_SECONDS`` (first retry after 1 s, doubling up to 600 s);
- ``MODERATION_CORAL_SECRET``: Coral Talk's signing secret(s) for ``/v1/coral/phase``,
  several joined with ``,`` while rotating;
- ``MODERATION_KEY_CACHE_SECONDS``: how long a verified API key is kept in memory (30).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from moderation.errors import ConfigError
from moderation.taxonomy import BY_NAME, LABELS

LabelThresholds = tuple[tuple[str, float], ...]


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "moderation"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    model_dir: Path
    db_url: str
    moderators_file: Path
    db_owner_url: str | None = None
    spot_check_rate: float = 0.05
    claim_minutes: float = 10.0
    max_text_chars: int = 20_000
    hold_at: LabelThresholds = ()
    reject_at: LabelThresholds = ()
    max_body_bytes: int = 65_536
    rate_limit: float = 100.0
    rate_burst: float = 200.0
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_timeout: float = 10.0
    webhook_retry_seconds: float = 1.0
    coral_secrets: tuple[str, ...] = ()
    key_cache_seconds: float = 30.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("MODERATION_DATA_DIR") or _default_data_dir()).expanduser()
        model_dir = Path(env.get("MODERATION_MODEL_DIR") or data_dir / "model").expanduser()
        db_url = env.get("MODERATION_DB_URL") or f"sqlite:///{data_dir / 'moderation.db'}"
        moderators = Path(env.get("MODERATION_MODERATORS_FILE") or data_dir / "moderators.json")
        webhook_url = env.get("MODERATION_WEBHOOK_URL") or None
        webhook_secret = env.get("MODERATION_WEBHOOK_SECRET") or None
        if bool(webhook_url) != bool(webhook_secret):
            raise ConfigError("MODERATION_WEBHOOK_URL and MODERATION_WEBHOOK_SECRET go "
                              "together: set both (webhooks on) or neither (off)")
        if webhook_url and not webhook_url.startswith(("http://", "https://")):
            raise ConfigError(f"MODERATION_WEBHOOK_URL must be an http(s) URL, got "
                              f"{webhook_url!r}")
        return cls(
            data_dir=data_dir,
            model_dir=model_dir,
            db_url=db_url,
            db_owner_url=env.get("MODERATION_DB_OWNER_URL") or None,
            moderators_file=moderators.expanduser(),
            spot_check_rate=float(env.get("MODERATION_SPOT_CHECK_RATE", 0.05)),
            claim_minutes=float(env.get("MODERATION_CLAIM_MINUTES", 10)),
            max_text_chars=int(env.get("MODERATION_MAX_TEXT_CHARS", 20_000)),
            hold_at=label_thresholds(env, "MODERATION_HOLD_AT"),
            reject_at=label_thresholds(env, "MODERATION_REJECT_AT"),
            max_body_bytes=_number(env, "MODERATION_MAX_BODY_BYTES", 65_536, int, low=1024),
            rate_limit=_number(env, "MODERATION_RATE_LIMIT", 100.0, float, low=0.01),
            rate_burst=_number(env, "MODERATION_RATE_BURST", 200.0, float, low=1.0),
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            webhook_timeout=_number(env, "MODERATION_WEBHOOK_TIMEOUT", 10.0, float, low=0.1),
            webhook_retry_seconds=_number(env, "MODERATION_WEBHOOK_RETRY_SECONDS", 1.0, float,
                                          low=0.01),
            coral_secrets=tuple(s.strip() for s in env.get("MODERATION_CORAL_SECRET", "")
                                .split(",") if s.strip()),
            key_cache_seconds=_number(env, "MODERATION_KEY_CACHE_SECONDS", 30.0, float,
                                      low=0.0),
        )


def label_thresholds(env, variable: str) -> LabelThresholds:
    """``label=probability`` pairs of ``variable`` (``,``-joined), in label order."""
    found: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in env.get(variable, "").split(","))):
        label, sep, value = part.partition("=")
        label = label.strip()
        if not sep or label not in BY_NAME:
            raise ConfigError(f"{variable}: {part!r} is not label=probability with a label of "
                              f"{', '.join(LABELS)}")
        try:
            found[label] = float(value)
        except ValueError:
            found[label] = -1.0
        if not 0.0 < found[label] <= 1.0:
            raise ConfigError(f"{variable}: the probability for {label} must be in (0, 1], "
                              f"got {value.strip()!r}")
    return tuple((label, found[label]) for label in LABELS if label in found)


def _number(env, variable: str, default, kind, *, low):
    raw = env.get(variable)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{variable} must be a number, got {raw!r}") from None
    if value < low:
        raise ConfigError(f"{variable} must be at least {low}, got {raw!r}")
    return value


def get_settings() -> Settings:
    """Settings as the environment says now (read on every call, so tests can patch env)."""
    return Settings.from_env()
