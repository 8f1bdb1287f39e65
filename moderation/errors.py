"""One exception hierarchy; user-facing errors name the file, row and field at fault."""
from __future__ import annotations


class ModerationError(Exception):
    """Base of every error this package raises on purpose."""


class DataError(ModerationError, ValueError):
    """Bad input data: names the file, row (1-based line of the file) and field."""

    def __init__(self, message: str, *, path: str | None = None, row: int | None = None,
                 field: str | None = None):
        self.path, self.row, self.field, self.reason = path, row, field, message
        where = []
        if path:
            where.append(str(path))
        if row is not None:
            where.append(f"row {row}")
        if field:
            where.append(f"field {field!r}")
        super().__init__(f"{': '.join([', '.join(where), message]) if where else message}")


class ConfigError(ModerationError, ValueError):
    """A setting in the environment has a value the toolkit cannot use (names the variable)."""


class ModelError(ModerationError):
    """A model bundle is missing, incomplete or unusable."""


class ModelIntegrityError(ModelError):
    """A bundle file does not match the hash in its manifest: refused before unpickling."""


class ModelVersionError(ModelError):
    """The bundle was made with library versions this environment cannot load."""


class LabelsRequired(DataError):
    """A verdict that a comment breaks the rules, without a label saying which rule."""


class StoreError(ModerationError):
    """The comment store is unreachable or refused an operation."""


class StoreIntegrityError(StoreError):
    """The store failed ``moderation db verify``: schema, triggers, privileges or the hash
    chain of decisions are not what they must be. ``report`` holds every finding."""

    def __init__(self, message: str, *, report=None):
        self.report = report
        super().__init__(message)


class QueueError(StoreError):
    """A queue action that cannot be done in the comment's present state."""


class ClaimLost(QueueError):
    """The moderator does not hold the comment (never claimed, or the claim expired and
    another moderator took it)."""


class NotQueued(QueueError):
    """The comment is not in a review queue."""


class AlreadyDecided(QueueError):
    """The comment was decided already."""


class Superseded(QueueError):
    """The author edited the comment: this version left the queue (its claim was released)
    and the new version is scored and queued on its own."""


class NothingToUndo(QueueError):
    """The moderator has no decision in force to undo."""


class AlreadyReopened(QueueError):
    """The decision was undone already: the comment is back in the queue."""


class AuthError(ModerationError):
    """An account change that is not allowed, or an accounts file that cannot be read."""


class JobError(ModerationError):
    """A background training job cannot be started or read."""


class JobRunning(JobError):
    """A training job is running already (one at a time)."""


class ApiKeyError(AuthError):
    """An API key that cannot be added or revoked (a name taken or unknown, a bad scope)."""


class SignatureError(AuthError):
    """A signed request whose signature is missing or does not match any secret."""


class AnalyzeError(DataError):
    """A Perspective-style analyze request the service cannot answer; ``error_type`` is
    Perspective's ErrorType (``INVALID_REQUEST``, ``COMMENT_EMPTY``, ...)."""

    def __init__(self, message: str, *, error_type: str = "INVALID_REQUEST",
                 field: str | None = None):
        self.error_type = error_type
        super().__init__(message, field=field)


class NotDecided(QueueError):
    """The comment has no verdict in force to correct (it is waiting in the queue: decide
    it there)."""
