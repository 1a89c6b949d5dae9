"""Who may do what to the register: roles, the acting user, and the refusals.

Roles are checked here, in the store, on every write — not only by hiding
buttons — so a town editor calling the store directly is refused too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from geo._errors import LocalisedError

__all__ = ["ROLES", "Actor", "ConflictError", "NotFoundError", "PermissionDenied", "Role",
           "StoreError", "StoreUnavailable", "ValidationFailed"]

Role = Literal["viewer", "town_editor", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "town_editor", "admin")


class StoreError(LocalisedError):
    """A write the store refused; the message says why and what to do."""


class PermissionDenied(StoreError):
    """The user's role or towns do not allow this change."""


class ConflictError(StoreError):
    """Someone else changed the record since it was read (optimistic locking)."""


class NotFoundError(StoreError):
    """The record or change does not exist (any more)."""


class StoreUnavailable(StoreError):
    """The database cannot be opened or written at all (read-only, full, not a database, …).

    Nothing was changed; the message names the database and what to do.
    """


class ValidationFailed(StoreError):
    """The values break a register rule; ``problems`` lists each one."""

    def __init__(self, code: str, problems: Iterable = (), **params) -> None:
        self.problems = list(problems)
        super().__init__(code, **params)


@dataclass(frozen=True)
class Actor:
    """The user a change is made by, with the role and towns the store checks."""

    username: str
    role: Role = "viewer"
    towns: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"`role` was {self.role!r} but is expected to be in {ROLES}")

    def may_write(self) -> bool:
        """Viewers may not change anything."""
        return self.role != "viewer"

    def may_administer(self) -> bool:
        """Administrators manage users and boundaries, revert changes and edit every town."""
        return self.role == "admin"

    def may_edit_town(self, town: str | None) -> bool:
        """Administrators edit every carrier; town editors only those located in their towns."""
        return self.may_administer() or (self.role == "town_editor" and town in self.towns)
