"""Import a ledger into the store: preview every row first, then commit, and undo if need be.

The preview says, for **every** row of the file, what committing would do:

- ``new`` — not in the register; gets the file's id, or a generated one
  (``浏河镇-0007``) when the file has none (序号 is never an id);
- ``changed`` / ``unchanged`` — the stored carrier with the same id, and the
  fields whose values differ (old → new);
- ``duplicate`` — no stored id matches, but a stored carrier is probably the
  same (:mod:`geo.duplicates`): shown side by side, and the user chooses to
  update it (the default), add the row as a new carrier, or skip it;
- ``refused`` — outside the user's towns (the message names the town and
  whether the point or the declared town says so);
- ``skipped`` — a 合计 / 填表人 / note row, with why; ``error`` — a row with
  an unusable value (its problems say which).

Nothing is written until :func:`commit_import`, which checks values, rights
and versions again inside its one transaction (all or nothing, even if the
process is killed half-way) and refuses the whole import when a carrier
changed after the preview. :func:`undo_import` takes a whole import back:
the importer their own, an administrator anyone's, as long as none of its
carriers changed since.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo.duplicates import (
    DEFAULT_DUPLICATE_DISTANCE_M,
    key_frame,
    match_pairs,
    name_keys,
    probable_duplicates,
)
from geo.locate import locate
from geo.matching import FIELD_COLUMNS, changed_fields, new_ids
from geo.problems import Problem
from geo.readers import RawTable, Source, read_table
from geo.register import canonical_text, validate_register
from geo.schema import COLUMNS
from geo.store.access import Actor, ConflictError, NotFoundError, PermissionDenied
from geo.store.schema import CARRIER_TEXT_COLUMNS, carriers, changes
from geo.store.store import Store, Write, clean_values, validate_rows

__all__ = ["ROW_STATUSES", "Choice", "ImportPreview", "ImportResult", "commit_import",
           "import_batches", "preview_import", "preview_import_file", "undo_import"]

ROW_STATUSES = ("new", "changed", "unchanged", "duplicate", "refused", "skipped", "error")
Choice = Literal["update", "new", "skip"]


@dataclass
class ImportPreview:
    """What an import would do, row by row; nothing is written until :func:`commit_import`.

    ``rows`` has one record per row of the file (footer and error rows too):
    ``row``, ``status`` (one of :data:`ROW_STATUSES`), ``id`` (the carrier
    written, ``None`` for a new one without an id yet), ``name``, ``town``
    (where it lies), ``match_id``/``match_name``/``match_town``/``match_why``
    (the stored carrier it is matched to), ``changes`` (``[(field, old, new)]``),
    ``values`` (the texts an update writes), ``new_values`` (the texts of the
    row as a new carrier), ``version`` (of the stored carrier seen), and
    ``message`` (a :class:`Problem` saying why, for refused/skipped/error rows).
    """

    source: str
    rows: pd.DataFrame
    problems: list[Problem]
    notes: list[Problem] = field(default_factory=list)
    area_unit: str | None = None
    sheet: str | None = None

    def of(self, status: str) -> pd.DataFrame:
        """The rows with ``status``."""
        return self.rows[self.rows["status"] == status]

    def counts(self) -> dict[str, int]:
        """How many rows of each status."""
        return {status: int((self.rows["status"] == status).sum()) for status in ROW_STATUSES}

    @property
    def new(self) -> pd.DataFrame:
        """Rows that would be added."""
        return self.of("new")

    @property
    def changed(self) -> pd.DataFrame:
        """Rows that would change a stored carrier with the same id."""
        return self.of("changed")

    @property
    def refused(self) -> pd.DataFrame:
        """Rows outside the user's towns."""
        return self.of("refused")

    @property
    def unchanged(self) -> int:
        """How many rows equal their stored carrier."""
        return self.counts()["unchanged"]

    @property
    def skipped_rows(self) -> list[int]:
        """Rows with an unusable value."""
        return self.of("error")["row"].tolist()

    def writable(self, choices: Mapping[int, Choice] | None = None) -> int:
        """How many carriers the commit would add or change with these choices."""
        return len(_writes(self, choices or {}))


@dataclass(frozen=True)
class ImportResult:
    """What a commit wrote, and the batch that :func:`undo_import` takes back."""

    batch: str
    added: int
    updated: int

    @property
    def written(self) -> int:
        """Carriers added or changed."""
        return self.added + self.updated


def _texts(frame: pd.DataFrame) -> list[dict[str, str | None]]:
    return [clean_values(record) for record in frame.to_dict("records")]


def _located(store: Store, register_carriers: pd.DataFrame) -> pd.DataFrame:
    located, _ = locate(register_carriers, store.boundaries())
    return located


def _display(values: Mapping[str, Any], columns: tuple[str, ...]) -> str:
    parts = [str(values.get(c) or "") for c in columns]
    return " / ".join(p for p in parts if p) if len(columns) > 1 else parts[0]


def preview_import(store: Store, raw: RawTable, actor: Actor,
                   distance_m: float = DEFAULT_DUPLICATE_DISTANCE_M) -> ImportPreview:
    """Say what importing ``raw`` would do to every row; write nothing.

    A stored carrier keeps the values of columns the file does not have.
    ``distance_m`` is the probable-duplicate distance (the targets file's).
    """
    if not actor.may_write():
        raise PermissionDenied("store.read_only", user=actor.username)
    register = validate_register(raw)
    text = canonical_text(raw).reset_index(drop=True)
    file_columns = {c for c in COLUMNS if c in (raw.fields or {})}
    fields = [f for f, columns in FIELD_COLUMNS.items()
              if any(c in file_columns for c in columns)]
    incoming = _located(store, register.carriers)
    duplicate_of, in_file = probable_duplicates(incoming, distance_m)
    usable = (incoming["usable"] & duplicate_of.isna()).to_numpy()

    stored = store.carrier_rows()
    stored_parsed = _located(store, validate_rows(stored).carriers)
    stored_position = pd.Series(np.arange(len(stored)), index=stored["id"].to_numpy())
    by_id = (~incoming["id_generated"] & incoming["id"].isin(stored_position.index)).to_numpy()
    match = np.full(len(incoming), -1)
    match[by_id] = stored_position.loc[incoming["id"][by_id]].to_numpy()
    why = np.full(len(incoming), None, dtype=object)
    why[by_id] = "id"
    open_rows = np.flatnonzero(usable & ~by_id)
    if len(open_rows) and len(stored):
        left, right, reason, _ = match_pairs(key_frame(incoming.iloc[open_rows]),
                                             key_frame(stored_parsed), distance_m)
        first = pd.DataFrame({"l": left, "r": right, "why": reason}).sort_values(
            ["l", "r"]).drop_duplicates("l")
        match[open_rows[first["l"].to_numpy()]] = first["r"].to_numpy()
        why[open_rows[first["l"].to_numpy()]] = first["why"].to_numpy()
    matched = usable & (match >= 0)

    rows = pd.DataFrame({
        "row": incoming["row"].to_numpy(), "status": "new",
        "id": [None if generated else carrier_id for carrier_id, generated in zip(
            incoming["id"], incoming["id_generated"], strict=True)],
        "name": incoming["name"].to_numpy(dtype=object),
        "town": incoming["town"].to_numpy(dtype=object),
        "has_point": incoming["has_point"].to_numpy(),
        "match_id": None, "match_name": None, "match_town": None, "match_why": why,
        "changes": [[] for _ in range(len(incoming))], "values": None,
        "new_values": _texts(text), "version": None, "message": None,
    })
    positions = np.flatnonzero(matched)
    if len(positions):
        old = stored_parsed.iloc[match[positions]]
        differs = changed_fields(incoming.iloc[positions], old, fields)
        stored_texts = _texts(stored.iloc[match[positions]][list(CARRIER_TEXT_COLUMNS)])
        for offset, position in enumerate(positions):
            before = stored_texts[offset]
            after = dict(before)
            diff = []
            for name in fields:
                if differs[name].iloc[offset]:
                    columns = FIELD_COLUMNS[name]
                    # A point is written with its coordinate system, which the file's
                    # coordinates are in even without a 坐标系 column (WGS84 then).
                    after.update({c: rows.at[position, "new_values"][c] for c in columns
                                  if c in file_columns or name == "location"})
                    diff.append((name, _display(before, columns), _display(after, columns)))
            status = "duplicate" if why[position] != "id" else (
                "changed" if diff else "unchanged")
            stored_row = stored.iloc[match[position]]
            rows.at[position, "status"] = status
            rows.at[position, "id"] = stored_row["id"] if status != "duplicate" else rows.at[
                position, "id"]
            rows.at[position, "changes"] = diff
            rows.at[position, "values"] = after
            rows.at[position, "version"] = int(stored_row["version"])
            rows.at[position, "match_id"] = stored_row["id"]
            rows.at[position, "match_name"] = stored_row["name"]
            rows.at[position, "match_town"] = old["town"].iloc[offset]
    _refuse_outside_towns(store, actor, rows, matched, stored_parsed, match)
    _warn_other_carrier(rows)
    problems = sorted(register.problems + in_file, key=lambda p: (p.row is None, p.row or 0))
    _mark_unusable(rows, usable, problems)
    rows = pd.concat([rows, _skipped(register.notes, rows.columns)], ignore_index=True)
    return ImportPreview(source=raw.path, rows=rows.sort_values("row", kind="stable")
                         .reset_index(drop=True), problems=problems,
                         notes=register.notes, area_unit=raw.area_unit, sheet=raw.sheet)


def _refuse_outside_towns(store: Store, actor: Actor, rows: pd.DataFrame, matched: np.ndarray,
                          stored_parsed: pd.DataFrame, match: np.ndarray) -> None:
    """Mark rows a town editor may not write as refused, naming the town and how it is known."""
    if actor.may_administer():
        return
    candidates = np.flatnonzero(rows["status"].isin(["new", "changed", "duplicate"]).to_numpy()
                                & rows["message"].isna().to_numpy())
    if not len(candidates):
        return
    merged = [rows.at[p, "values"] if matched[p] else rows.at[p, "new_values"]
              for p in candidates]
    towns_after = store.locate_rows(pd.DataFrame(merged, columns=list(CARRIER_TEXT_COLUMNS)))
    for offset, position in enumerate(candidates):
        town = towns_after.iloc[offset]
        old_town = stored_parsed["town"].iloc[match[position]] if matched[position] else town
        blocked = next((t for t in (old_town, town) if not actor.may_edit_town(t)), False)
        if blocked is False:
            continue
        rows.at[position, "status"] = "refused"
        rows.at[position, "town"] = town
        how = "point" if rows.at[position, "has_point"] else "declared"
        if blocked and blocked != town and blocked == old_town:
            how = "stored"  # the row's own place is fine: the id is another town's carrier
        rows.at[position, "message"] = Problem(
            "carriers", f"import.refused_{how}" if blocked else "import.refused_nowhere",
            row=int(rows.at[position, "row"]), id=rows.at[position, "id"], field="town",
            value=blocked or None, severity="warning",
            params={"name": rows.at[position, "name"], "town": blocked or "—",
                    "towns": "、".join(sorted(actor.towns)) or "—",
                    "stored_name": rows.at[position, "match_name"] or "—"})


def _warn_other_carrier(rows: pd.DataFrame) -> None:
    """Say so when a row's id names a stored carrier of another name in another town.

    A row with an id is that carrier, so importing it renames and moves the
    stored one: right for a correction, wrong when two offices both number
    their carriers 1, 2, 3 … The administrator sees which before committing.
    """
    changed = rows.index[(rows["status"] == "changed").to_numpy() & rows["message"].isna()
                         & (rows["match_why"] == "id").to_numpy()]
    if not len(changed):
        return
    subset = rows.loc[changed]
    other = ((name_keys(subset["name"]) != name_keys(subset["match_name"])).to_numpy()
             & (subset["town"] != subset["match_town"]).to_numpy()
             & subset["match_town"].notna().to_numpy())
    for position in changed[other]:
        rows.at[position, "message"] = Problem(
            "carriers", "import.id_other_carrier", row=int(rows.at[position, "row"]),
            id=rows.at[position, "id"], field="id", severity="warning",
            params={"name": rows.at[position, "name"], "town": rows.at[position, "town"],
                    "stored_name": rows.at[position, "match_name"],
                    "stored_town": rows.at[position, "match_town"]})


def _mark_unusable(rows: pd.DataFrame, usable: np.ndarray, problems: list[Problem]) -> None:
    """Error rows, each with its first problem (the rest are listed with all problems)."""
    first_problem: dict[int, Problem] = {}
    for problem in problems:
        if problem.row is not None and problem.severity == "error":
            first_problem.setdefault(problem.row, problem)
    for position in np.flatnonzero(~usable):
        rows.at[position, "status"] = "error"
        rows.at[position, "message"] = first_problem.get(int(rows.at[position, "row"]))


def _skipped(notes: list[Problem], columns: pd.Index) -> pd.DataFrame:
    """One row per footer row set aside (合计, 填表人, notes), with the note saying why."""
    skipped = [note for note in notes if note.code.startswith("note.skipped_")]
    frame = pd.DataFrame({column: [None] * len(skipped) for column in columns}, dtype=object)
    frame["row"] = [note.row for note in skipped]
    frame["status"] = "skipped"
    frame["message"] = skipped
    frame["changes"] = [[] for _ in skipped]
    return frame


def preview_import_file(store: Store, source: Source, actor: Actor, name: str | None = None,
                        sheet: str | None = None,
                        distance_m: float = DEFAULT_DUPLICATE_DISTANCE_M) -> ImportPreview:
    """Read a CSV/xlsx/xls ledger (a path or an upload's bytes) and preview importing it."""
    return preview_import(store, read_table(source, name=name, sheet=sheet), actor, distance_m)


def _writes(preview: ImportPreview, choices: Mapping[int, Choice]) -> list[Write]:
    """The carriers the commit adds or updates; a new carrier without an id has id ``""``.

    Only the preview's statuses, values and versions are taken from it: the
    commit checks them all again (:meth:`Store._apply`), so a preview built
    or changed by hand cannot write what a real one could not.
    """
    writes = []
    for record in preview.rows.to_dict("records"):
        status = record["status"]
        choice = choices.get(int(record["row"]), "update") if status == "duplicate" else None
        if status == "new" or choice == "new":
            writes.append(Write("insert", _text_or_empty(record["id"]), record["new_values"]))
        elif status == "changed" or (choice == "update" and record["changes"]):
            writes.append(Write("update", _text_or_empty(record["match_id"]), record["values"],
                                _version(record["version"])))
    return writes


def _text_or_empty(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _version(value: Any) -> int | None:
    """The version the preview saw; ``None`` (always stale) when it is not a whole number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _with_ids(store: Store, connection: sa.Connection, writes: list[Write]) -> list[Write]:
    """Each new carrier without an id gets one made from its town (``浏河镇-0007``).

    A number is never given twice: not one stored, not one in this file (a
    ledger exported with its ids and new rows), not one a deleted carrier had
    (the history keeps it; a revert may bring that carrier back, and an old
    ledger may still name it).
    """
    unnamed = [w for w in writes if w.kind == "insert" and not w.id]
    if not unnamed:
        return writes
    towns = store.locate_rows(pd.DataFrame([clean_values(w.values or {}) for w in unnamed],
                                           columns=list(CARRIER_TEXT_COLUMNS)))
    taken = [*connection.execute(sa.select(carriers.c.id)).scalars(),
             *connection.execute(sa.select(changes.c.carrier_id).distinct().where(
                 changes.c.carrier_id.like("%-%"))).scalars(),
             *(w.id for w in writes if w.id)]
    generated = iter(new_ids(list(towns), taken))
    return [Write("insert", next(generated), w.values) if w.kind == "insert" and not w.id
            else w for w in writes]


def commit_import(store: Store, preview: ImportPreview, actor: Actor,
                  choices: Mapping[int, Choice] | None = None,
                  progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Write the previewed rows (with the user's choices for duplicates) in one transaction.

    ``choices`` maps a file row number to ``update`` (default), ``new`` or
    ``skip`` for rows previewed as probable duplicates. Values, rights and
    versions are checked again, in the transaction (:meth:`Store._apply`).

    Raises
    ------
    ConflictError
        When a carrier the import changes was saved by someone after the
        preview, or a new id was taken meanwhile; nothing is written then.
    PermissionDenied, ValidationFailed
        When a row is outside the user's towns or breaks a rule (checked again).
    """
    batch = uuid.uuid4().hex
    with store.writing(register_changes=False) as connection:
        writes = _with_ids(store, connection, _writes(preview, choices or {}))
        applied = store._apply(connection, actor, writes, "import", batch=batch,
                               progress=progress)
    return ImportResult(batch=batch, added=applied.added, updated=applied.updated)


def import_batches(store: Store, who: str | None = None, limit: int = 50) -> pd.DataFrame:
    """Recent imports, newest first: batch, who, at, added, updated, undone (bool)."""
    query = (sa.select(changes.c.batch, changes.c.who, sa.func.min(changes.c.at).label("at"),
                       sa.func.sum(sa.case((changes.c.before.is_(None), 1), else_=0))
                       .label("added"),
                       sa.func.sum(sa.case((changes.c.before.is_not(None), 1), else_=0))
                       .label("updated"))
             .where(changes.c.action == "import", changes.c.batch.is_not(None))
             .group_by(changes.c.batch, changes.c.who)
             .order_by(sa.func.max(changes.c.id).desc()).limit(limit))
    if who is not None:
        query = query.where(changes.c.who == who)
    with store.reading() as connection:
        rows = [dict(r) for r in connection.execute(query).mappings()]
        undone = set(connection.execute(sa.select(changes.c.batch).where(
            changes.c.action == "undo")).scalars().all())
    frame = pd.DataFrame(rows, columns=["batch", "who", "at", "added", "updated"])
    frame["undone"] = frame["batch"].map(lambda b: f"undo-{b}" in undone)
    return frame


def undo_import(store: Store, actor: Actor, batch: str) -> int:
    """Take back a whole import (one transaction); return how many carriers it restored.

    The importer may undo their own import, an administrator anyone's.
    Refused whole when any of its carriers changed since (nothing later is
    overwritten) or when it was undone already. Recorded in the history
    as ``undo`` changes; written through :meth:`Store._apply`, which checks
    the rights to every town involved.

    Raises
    ------
    PermissionDenied, NotFoundError, ConflictError
    """
    if not actor.may_write():
        raise PermissionDenied("store.read_only", user=actor.username)
    with store.writing(register_changes=False) as connection:
        entries = connection.execute(sa.select(changes).where(
            changes.c.batch == batch, changes.c.action == "import").order_by(changes.c.id.desc())
        ).mappings().all()
        if not entries:
            raise NotFoundError("store.batch_not_found", batch=batch[:8])
        who = entries[0]["who"]
        if not actor.may_administer() and actor.username != who:
            raise PermissionDenied("store.undo_not_yours", user=actor.username, who=who)
        if connection.execute(sa.select(changes.c.id).where(
                changes.c.batch == f"undo-{batch}")).first():
            raise ConflictError("store.undo_done", batch=batch[:8])
        current = store._lock(connection, [e["carrier_id"] for e in entries])
        moved = [e["carrier_id"] for e in entries
                 if e["carrier_id"] not in current
                 or clean_values(current[e["carrier_id"]]) != clean_values(json.loads(e["after"]))]
        if moved:
            raise ConflictError("store.undo_moved", count=len(moved), ids="、".join(moved[:10]))
        writes = []
        for entry in entries:
            carrier_id, seen = entry["carrier_id"], int(current[entry["carrier_id"]]["version"])
            before = json.loads(entry["before"]) if entry["before"] else None
            writes.append(Write("delete", carrier_id, None, seen, reverts=int(entry["id"]))
                          if before is None else
                          Write("update", carrier_id, before, seen, reverts=int(entry["id"])))
        store._apply(connection, actor, writes, "undo", batch=f"undo-{batch}")
    return len(entries)
