"""The register kept in a database, edited by several people at once, with a history.

SQLite by default (one file, no set-up), PostgreSQL for a shared deployment;
the check in :mod:`geo.check` reads the same frames as it does from files.
"""

from geo.store.access import (
    ROLES,
    Actor,
    ConflictError,
    NotFoundError,
    PermissionDenied,
    Role,
    StoreError,
    StoreUnavailable,
    ValidationFailed,
)
from geo.store.store import Store, validate_rows

__all__ = ["ROLES", "Actor", "ConflictError", "NotFoundError", "PermissionDenied", "Role",
           "Store", "StoreError", "StoreUnavailable", "ValidationFailed", "validate_rows"]
