"""Import a register file into the store: preview every problem first, then commit or cancel.

The preview validates the file with the register rules, notes which rows
are new and which change a stored carrier (with the version seen), and which
rows the user may not write (a town editor, rows outside their towns). The
commit writes the valid, permitted rows in **one transaction**: all or
nothing, even if the process is killed half-way. If a stored carrier changed
after the preview, the commit is refused and nothing is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo.problems import Problem
from geo.readers import RawTable, read_table
from geo.register import canonical_text, validate_register
from geo.schema import HEADER_ALIASES, normalise_token
from geo.store.access import Actor, ConflictError, PermissionDenied
from geo.store.schema import CARRIER_TEXT_COLUMNS, carriers
from geo.store.store import Store, clean_values, last_position, now_text

__all__ = ["ImportPreview", "commit_import", "preview_import", "preview_import_file"]

_BATCH = 500


@dataclass
class ImportPreview:
    """What an import would do; nothing is written until :func:`commit_import`."""

    source: str
    new: pd.DataFrame
    changed: pd.DataFrame
    problems: list[Problem]
    refused: pd.DataFrame
    skipped_rows: list[int] = field(default_factory=list)
    unchanged: int = 0

    @property
    def writable(self) -> int:
        """How many rows the commit would write."""
        return len(self.new) + len(self.changed)


def _text_rows(raw: RawTable) -> tuple[pd.DataFrame, pd.Series, pd.Series, list[Problem]]:
    """The file's rows as register text, their row numbers, usability and problems."""
    register = validate_register(raw)
    frame = canonical_text(raw).reset_index(drop=True)
    return frame, register.carriers["row"], register.carriers["usable"], register.problems


def _file_columns(raw: RawTable) -> set[str]:
    """The register columns the file has a header for."""
    return {HEADER_ALIASES[normalise_token(h)] for h in raw.header
            if normalise_token(h) in HEADER_ALIASES}


def preview_import(store: Store, raw: RawTable, actor: Actor) -> ImportPreview:
    """Validate ``raw`` against the rules and the user's rights; write nothing.

    A stored carrier keeps the values of columns the file does not have.
    """
    if not actor.may_write():
        raise PermissionDenied("store.read_only", user=actor.username)
    frame, rows, usable, problems = _text_rows(raw)
    usable = usable.to_numpy()
    candidates = frame[usable].copy()
    candidates["row"] = rows[usable].to_numpy()
    candidates = candidates.drop_duplicates("id", keep="first")

    stored = store.carrier_rows().set_index("id")
    is_stored = candidates["id"].isin(stored.index)
    absent = [c for c in CARRIER_TEXT_COLUMNS if c != "id" and c not in _file_columns(raw)]
    if absent and is_stored.any():  # a column the file lacks keeps its stored value
        kept = stored.loc[candidates.loc[is_stored, "id"], absent].to_numpy()
        candidates.loc[is_stored, absent] = kept
    towns_new = store.locate_rows(candidates[list(CARRIER_TEXT_COLUMNS)])
    towns_old = store.locate_rows(
        stored.loc[candidates.loc[is_stored, "id"]].reset_index()[list(CARRIER_TEXT_COLUMNS)])
    towns_old.index = candidates.index[is_stored]
    allowed = towns_new.map(actor.may_edit_town)
    allowed[is_stored] &= towns_old.map(actor.may_edit_town)

    candidates["town_located"] = towns_new
    refused = candidates[~allowed][["row", "id", "name", "town_located"]]
    keep = candidates[allowed]
    changed = keep[is_stored[allowed]].copy()
    changed["version"] = stored.loc[changed["id"], "version"].to_numpy()
    same = [clean_values(row) == clean_values(stored.loc[row["id"]].to_dict() | {"id": row["id"]})
            for row in changed.to_dict("records")]
    return ImportPreview(source=raw.path, new=keep[~is_stored[allowed]],
                         changed=changed.loc[~np.array(same, dtype=bool)], problems=problems,
                         refused=refused, skipped_rows=sorted(set(rows[~usable].tolist())),
                         unchanged=sum(same))


def preview_import_file(store: Store, path: str | Path, actor: Actor) -> ImportPreview:
    """Read a CSV/xlsx register and preview importing it (see :func:`preview_import`)."""
    return preview_import(store, read_table(path), actor)


def commit_import(store: Store, preview: ImportPreview, actor: Actor,
                  progress: Callable[[int, int], None] | None = None) -> int:
    """Write the previewed rows in one transaction; return how many were written.

    Raises
    ------
    ConflictError
        When a carrier the import changes was saved by someone after the
        preview, or a new id was taken meanwhile; nothing is written then.
    """
    if not actor.may_write():
        raise PermissionDenied("store.read_only", user=actor.username)
    batch = uuid.uuid4().hex
    total, done = preview.writable, 0
    with store.writing() as connection:
        stale = _stale(connection, preview)
        if stale:
            raise ConflictError("store.import_stale", count=len(stale), ids="、".join(stale[:10]))
        position = last_position(connection)
        stamp = now_text()
        new_rows = [clean_values(r) for r in preview.new.to_dict("records")]
        for start in range(0, len(new_rows), _BATCH):
            chunk = new_rows[start:start + _BATCH]
            connection.execute(sa.insert(carriers), [
                {**row, "position": position + start + i + 1, "version": 1,
                 "updated_at": stamp, "updated_by": actor.username}
                for i, row in enumerate(chunk)])
            for row in chunk:
                store.record(connection, actor, "import", row["id"], None, row, batch=batch)
            done += len(chunk)
            if progress:
                progress(done, total)
        for record in preview.changed.to_dict("records"):
            row, version = clean_values(record), int(record["version"])
            before = connection.execute(sa.select(carriers).where(carriers.c.id == row["id"])
                                        ).mappings().one()
            result = connection.execute(
                sa.update(carriers).where(carriers.c.id == row["id"],
                                          carriers.c.version == version)
                .values(**row, version=version + 1, updated_at=stamp,
                        updated_by=actor.username))
            if result.rowcount != 1:
                raise ConflictError("store.import_stale", count=1, ids=row["id"])
            store.record(connection, actor, "import", row["id"], clean_values(before), row,
                         batch=batch)
            done += 1
            if progress and done % _BATCH == 0:
                progress(done, total)
    if progress:
        progress(done, total)
    return done


def _stale(connection: sa.Connection, preview: ImportPreview) -> list[str]:
    """Ids that changed since the preview: new ones now taken, changed ones at another version."""
    ids = [*preview.new["id"], *preview.changed["id"]]
    current: dict[str, int] = {}
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start:start + _BATCH]
        current.update(connection.execute(sa.select(carriers.c.id, carriers.c.version)
                                          .where(carriers.c.id.in_(chunk))).all())
    taken = [i for i in preview.new["id"] if i in current]
    moved = [i for i, v in zip(preview.changed["id"], preview.changed["version"], strict=True)
             if current.get(i) != int(v)]
    return taken + moved
