"""The change history: who changed what and when, and reverting a change.

Every write records the values before and after. An administrator may
revert one change; the revert is itself a recorded change, and it is refused
when the carrier was changed again since (it never overwrites later work).
"""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from geo.store.access import Actor, ConflictError, NotFoundError, PermissionDenied, StoreError
from geo.store.schema import carriers, changes
from geo.store.store import Store, clean_values, last_position, now_text

__all__ = ["history", "revert"]


def history(store: Store, carrier_id: str | None = None, limit: int = 500) -> pd.DataFrame:
    """The latest changes, newest first: id, at, who, action, carrier_id, before, after."""
    query = sa.select(changes).order_by(changes.c.id.desc()).limit(limit)
    if carrier_id is not None:
        query = query.where(changes.c.carrier_id == carrier_id)
    with store.reading() as connection:
        rows = [dict(r) for r in connection.execute(query).mappings()]
    frame = pd.DataFrame(rows, columns=[c.name for c in changes.columns])
    for column in ("before", "after"):
        frame[column] = frame[column].map(lambda v: json.loads(v) if isinstance(v, str) else None)
    return frame


def _same(stored: dict | None, expected: dict | None) -> bool:
    return (stored is None) == (expected is None) and (
        stored is None or clean_values(stored) == clean_values(expected))


def revert(store: Store, actor: Actor, change_id: int) -> None:
    """Undo change ``change_id`` (administrators only), as a new recorded change.

    Raises
    ------
    PermissionDenied, NotFoundError, ConflictError
        Not an administrator; no such change; the carrier changed again since.
    """
    if actor.role != "admin":
        raise PermissionDenied("store.admin_only", user=actor.username)
    with store.writing() as connection:
        change = connection.execute(sa.select(changes).where(changes.c.id == change_id)
                                    ).mappings().first()
        if change is None:
            raise NotFoundError("store.change_not_found", change=change_id)
        if change["carrier_id"] is None:
            raise StoreError("store.revert_unsupported", change=change_id,
                             action=change["action"])
        carrier_id = change["carrier_id"]
        before = json.loads(change["before"]) if change["before"] else None
        after = json.loads(change["after"]) if change["after"] else None
        current = connection.execute(sa.select(carriers).where(carriers.c.id == carrier_id)
                                     ).mappings().first()
        current = dict(current) if current else None
        if not _same(current, after):
            raise ConflictError("store.revert_conflict", change=change_id, id=carrier_id)
        stamp = {"updated_at": now_text(), "updated_by": actor.username}
        if before is None:
            connection.execute(sa.delete(carriers).where(carriers.c.id == carrier_id))
        elif current is None:
            connection.execute(sa.insert(carriers).values(
                **clean_values(before), position=last_position(connection) + 1, version=1,
                **stamp))
        else:
            connection.execute(sa.update(carriers).where(carriers.c.id == carrier_id).values(
                **clean_values(before), version=int(current["version"]) + 1, **stamp))
        store.record(connection, actor, "revert", carrier_id, after, before, reverts=change_id)
