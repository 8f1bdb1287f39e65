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


class ModelError(ModerationError):
    """A model bundle is missing, incomplete or unusable."""


class ModelIntegrityError(ModelError):
    """A bundle file does not match the hash in its manifest: refused before unpickling."""


class ModelVersionError(ModelError):
    """The bundle was made with library versions this environment cannot load."""


class StoreError(ModerationError):
    """The comment store is unreachable or refused an operation."""
