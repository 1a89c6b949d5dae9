"""The register kept in a database: read as the same frames the check uses, changed safely.

Every change of a carrier — add, save, delete, import, revert, undo — goes
through one write path, :meth:`Store._apply`: it locks the rows and refuses a
stale edit (optimistic locking on a per-row ``version``), validates with the
same rules as a file import (:func:`geo.register.validate_register`), checks
the user's role and towns (by where the carrier lies), records who changed
what in ``changes``, and bumps a data version so readers know to reload —
all in the caller's one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa

from geo.boundaries import Boundaries, prepare_boundaries
from geo.duplicates import DEFAULT_DUPLICATE_DISTANCE_M, key_frame, match_pairs
from geo.locate import locate
from geo.readers import RawTable
from geo.register import Register, validate_register
from geo.store import schema
from geo.store.access import (
    Actor,
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ValidationFailed,
)
from geo.store.engine import database_faults, database_name, describe_url, make_engines
from geo.store.postgis import enable_postgis
from geo.store.schema import CARRIER_TEXT_COLUMNS, carriers, changes, meta
from geo.values import canonical_id

__all__ = ["WRITE_KINDS", "Applied", "Store", "Write", "WriteKind", "clean_values",
           "last_position", "now_text", "validate_rows"]

_BATCH = 500
"""Rows per statement when many are written or locked at once."""
_IDENTITY_COLUMNS = ("name", "town", "lon", "lat", "crs")
"""What makes a carrier probably another one: a change here re-checks for duplicates."""

WriteKind = Literal["insert", "update", "delete"]
WRITE_KINDS: tuple[WriteKind, ...] = ("insert", "update", "delete")


@dataclass(frozen=True)
class Write:
    """One carrier row to add, change or delete, as the caller saw it.

    ``values`` are register columns (cleaned with :func:`clean_values` on the
    way in; ``None`` for a delete); ``expected_version`` is the version the
    caller read (``None`` for an insert, whose id must be free);
    ``reverts`` is the change this write takes back (a revert, an undo);
    ``position`` puts a carrier brought back by a revert at its old place in
    the register, which decides the earlier of two probable duplicates.
    """

    kind: WriteKind
    id: str
    values: Mapping[str, Any] | None = None
    expected_version: int | None = None
    reverts: int | None = None
    position: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in WRITE_KINDS:
            raise ValueError(f"`kind` was {self.kind!r} but is expected to be in {WRITE_KINDS}")


@dataclass(frozen=True)
class Applied:
    """What :meth:`Store._apply` wrote: each carrier's version now, and how many of each kind.

    ``versions`` holds every added, changed or unchanged carrier (deleted
    ones are absent); an update that changed nothing keeps its version.
    """

    versions: Mapping[str, int]
    added: int
    updated: int
    deleted: int


def now_text() -> str:
    """The current UTC time as ISO text (how the store records times)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def clean_values(values: Mapping[str, Any]) -> dict[str, str | None]:
    """The register columns of ``values`` as text (``None`` for blank), nothing else.

    The id is in its canonical form (:func:`geo.values.canonical_id`), as the
    register reads it, so ``ＴＣ０２６`` finds the stored ``TC026``.
    """
    out: dict[str, str | None] = {}
    for column in CARRIER_TEXT_COLUMNS:
        value = values.get(column)
        if value is None or (isinstance(value, float) and pd.isna(value)):
            out[column] = None
        else:
            text = canonical_id(str(value)) if column == "id" else str(value)
            out[column] = text if text.strip() else None
    return out


_POSITIONS_GIVEN = "positions_given"
"""The ``meta`` key of the highest register position ever given, deleted rows' too."""


def last_position(connection: sa.Connection) -> int:
    """The highest register position given so far (new rows go after it); 0 when empty.

    A deleted carrier's position is never given again, so a revert that brings
    it back puts it at its old place without taking another carrier's.
    """
    stored = connection.execute(
        sa.select(sa.func.coalesce(sa.func.max(carriers.c.position), 0))).scalar_one()
    given = connection.execute(sa.select(meta.c.value).where(
        meta.c.key == _POSITIONS_GIVEN)).scalar_one_or_none()
    return max(int(stored), int(given or 0))


def _remember_positions(connection: sa.Connection, highest: int) -> None:
    """Record ``highest`` as given (see :func:`last_position`)."""
    raised = connection.execute(sa.update(meta).where(meta.c.key == _POSITIONS_GIVEN).values(
        value=sa.func.max(meta.c.value, highest) if connection.dialect.name == "sqlite"
        else sa.func.greatest(meta.c.value, highest)))
    if raised.rowcount == 0:
        connection.execute(sa.insert(meta).values(key=_POSITIONS_GIVEN, value=highest))


def validate_rows(rows: pd.DataFrame, label: str = "store", first_row: int = 2) -> Register:
    """Validate text rows (register columns) with the file rules, numbered from ``first_row``."""
    frame = pd.DataFrame({column: rows[column] if column in rows else None
                          for column in CARRIER_TEXT_COLUMNS}, index=rows.index).astype("str")
    numbers = pd.Series(range(first_row, first_row + len(frame)), index=frame.index)
    raw = RawTable(frame=frame, rows=numbers, header=list(CARRIER_TEXT_COLUMNS), path=label)
    return validate_register(raw)


class Store:
    """One register database (SQLite file or PostgreSQL server).

    Parameters
    ----------
    url
        A SQLAlchemy URL, e.g. ``sqlite:////srv/carriers.db`` or
        ``postgresql+psycopg://user:pw@host/db``. The schema is created or
        upgraded on open.

    Raises
    ------
    StoreUnavailable
        When the database cannot be opened or is newer than this program
        (read-only, disk full, not a database, a folder, unreachable); every
        read and write raises it too, or :class:`ConflictError` when a
        concurrent writer took the same id (:func:`geo.store.engine.database_faults`).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._boundaries_cache: tuple[int, Boundaries] | None = None
        with database_faults(self.name):
            self._writer, self._reader = make_engines(url)
            try:
                schema.upgrade(self._writer)
                self.postgis = enable_postgis(self._writer)
            except BaseException:
                self.close()
                raise

    @property
    def description(self) -> str:
        """The database, with any password hidden (for the server's own log and CLI)."""
        return describe_url(self.url)

    @property
    def name(self) -> str:
        """The database as users may see it: an SQLite file's name, or a server database's.

        Messages shown on the pages name the database this way, never by its
        folder on the server or by the URL's user and host.
        """
        return database_name(self.url)

    def close(self) -> None:
        """Release the connections."""
        for engine in {getattr(self, "_writer", None), getattr(self, "_reader", None)} - {None}:
            engine.dispose()

    # --- transactions -------------------------------------------------
    @contextmanager
    def writing(self, register_changes: bool = True) -> Iterator[sa.Connection]:
        """One write transaction; the data version moves on when it commits.

        Account changes pass ``register_changes=False``: they leave the data
        version (and so every reader's cache) alone. So do carrier writes:
        :meth:`_apply` moves the data version only when it wrote something.
        """
        with database_faults(self.name), self._writer.begin() as connection:
            yield connection
            if register_changes:
                connection.execute(sa.update(meta).where(meta.c.key == "data_version")
                                   .values(value=meta.c.value + 1))

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        """One read transaction: a consistent snapshot, never half a write."""
        with database_faults(self.name), self._reader.begin() as connection:
            yield connection

    # --- reading ------------------------------------------------------
    def data_version(self) -> int:
        """A number that changes whenever any change is committed (a cache key)."""
        with self.reading() as connection:
            return int(connection.execute(
                sa.select(meta.c.value).where(meta.c.key == "data_version")).scalar_one())

    def carrier_rows(self) -> pd.DataFrame:
        """Every carrier as stored: the register columns as text, plus ``version``."""
        with self.reading() as connection:
            return self._rows(connection)

    def _rows(self, connection: sa.Connection, where: Any = None) -> pd.DataFrame:
        query = sa.select(*(carriers.c[c] for c in CARRIER_TEXT_COLUMNS), carriers.c.version,
                          carriers.c.updated_at, carriers.c.updated_by).order_by(
            carriers.c.position, carriers.c.id)
        if where is not None:
            query = query.where(where)
        rows = connection.execute(query).mappings().all()
        columns = [*CARRIER_TEXT_COLUMNS, "version", "updated_at", "updated_by"]
        return pd.DataFrame([dict(r) for r in rows], columns=columns)

    def carrier(self, carrier_id: str) -> dict[str, Any] | None:
        """One stored carrier (register columns as text, ``version``), or ``None``."""
        rows = self._read_rows(carriers.c.id == carrier_id)
        return rows.iloc[0].to_dict() if len(rows) else None

    def _read_rows(self, where: Any) -> pd.DataFrame:
        with self.reading() as connection:
            return self._rows(connection, where)

    def register(self) -> Register:
        """The stored carriers as a validated :class:`geo.Register` (same frames as a file).

        Rows and data version come from one read transaction: one consistent state.
        """
        with self.reading() as connection:
            rows = self._rows(connection)
            version = connection.execute(
                sa.select(meta.c.value).where(meta.c.key == "data_version")).scalar_one()
        register = validate_rows(rows, label=self.description)
        register.sha256 = f"data-version-{version}"
        return register

    def boundaries(self) -> Boundaries:
        """The stored towns as :class:`geo.Boundaries` (cached until they are replaced)."""
        with self.reading() as connection:
            version = int(connection.execute(sa.select(meta.c.value).where(
                meta.c.key == "boundaries_version")).scalar_one_or_none() or 0)
            if self._boundaries_cache and self._boundaries_cache[0] == version:
                return self._boundaries_cache[1]
            rows = connection.execute(sa.select(schema.boundaries).order_by(
                schema.boundaries.c.position)).mappings().all()
        frame = gpd.GeoDataFrame(
            {key: [r[key] for r in rows] for key in ("name", "name_en", "pinyin", "aliases",
                                                      "approximate")},
            geometry=[shapely.from_wkb(r["geometry_wkb"]) for r in rows], crs="EPSG:4326")
        loaded = prepare_boundaries(frame, path=self.description)
        self._boundaries_cache = (version, loaded)
        return loaded

    def locate_rows(self, rows: pd.DataFrame) -> pd.Series:
        """The town each text row lies in (by point, else by declared town), ``None`` if none."""
        if rows.empty:
            return pd.Series([], dtype=object)
        distinct = rows.assign(id=[str(i) for i in range(len(rows))])  # rows may share an id
        located, _ = locate(validate_rows(distinct).carriers, self.boundaries())
        return pd.Series(located["town"].to_numpy(), index=rows.index)

    # --- writing ------------------------------------------------------
    def _require_writer(self, actor: Actor) -> None:
        if not actor.may_write():
            raise PermissionDenied("store.read_only", user=actor.username)

    def record(self, connection: sa.Connection, actor: Actor, action: str,
               carrier_id: str | None, before: dict | None, after: dict | None,
               batch: str | None = None, reverts: int | None = None) -> None:
        """Add one entry to the change history, inside the caller's transaction."""
        connection.execute(sa.insert(changes).values(
            _history_row(now_text(), actor, action, carrier_id, before, after, batch, reverts)))

    def _lock(self, connection: sa.Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
        """The stored rows of ``ids``, locked until the transaction ends (absent ids left out)."""
        current: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), _BATCH):
            query = (sa.select(carriers).where(carriers.c.id.in_(ids[start:start + _BATCH]))
                     .with_for_update())
            current.update((row["id"], dict(row)) for row in connection.execute(query).mappings())
        return current

    def _refuse_stale(self, writes: list[Write], current: Mapping[str, dict[str, Any]],
                      batch: str | None) -> None:
        """Refuse the writes when any was based on what is no longer stored.

        One write names what happened (id taken, deleted, or who changed it and
        when); a batch (an import) names how many carriers and which.
        """
        stale = [w for w in writes if _is_stale(w, current.get(w.id))]
        if not stale:
            return
        if batch is not None:
            raise ConflictError("store.import_stale", count=len(stale),
                                ids="、".join(w.id for w in stale[:10]))
        write, row = stale[0], current.get(stale[0].id)
        if write.kind == "insert":
            raise ConflictError("store.id_taken", id=write.id)
        if row is None:
            raise NotFoundError("store.not_found", id=write.id)
        raise ConflictError("store.conflict", id=write.id, who=row["updated_by"] or "—",
                            at=row["updated_at"] or "—")

    def _refuse_invalid(self, afters: list[dict[str, str | None]]) -> None:
        """Refuse values that break a register rule (the same rules as a file)."""
        if not afters:
            return
        errors = [p for p in validate_rows(pd.DataFrame(afters)).problems
                  if p.severity == "error"]
        if errors:
            raise ValidationFailed("store.invalid", errors, id=errors[0].id or "—",
                                   count=len(errors))

    def _refuse_other_towns(self, actor: Actor, writes: list[Write],
                            current: Mapping[str, dict[str, Any]],
                            afters: Mapping[str, dict[str, str | None]]) -> None:
        """Refuse a change to, from or of a carrier outside the actor's towns.

        A carrier counts for the town it lies in before and after the change,
        so a town editor can neither change another town's carrier nor move
        their own out of their towns.
        """
        if actor.may_administer():
            return
        touched = [(w.id, values) for w in writes
                   for values in (clean_values(current[w.id]) if w.id in current else None,
                                  afters.get(w.id))
                   if values is not None]
        towns = self.locate_rows(pd.DataFrame([v for _, v in touched],
                                              columns=list(CARRIER_TEXT_COLUMNS)))
        towns = [None if pd.isna(town) else str(town) for town in towns]
        refused = [(carrier_id, town) for (carrier_id, _), town in zip(touched, towns, strict=True)
                   if not actor.may_edit_town(town)]
        if refused:
            raise PermissionDenied("store.not_your_town", user=actor.username, id=refused[0][0],
                                   town="、".join(sorted({t or "—" for _, t in refused})),
                                   towns="、".join(sorted(actor.towns)) or "—")

    def _refuse_probable_duplicate(self, values: dict[str, str | None],
                                   carrier_id: str | None) -> None:
        """Refuse a carrier that is probably another stored one (:mod:`geo.duplicates`)."""
        others = self.carrier_rows()
        others = others[others["id"] != carrier_id]
        if others.empty:
            return
        towns = self.boundaries()
        new, _ = locate(validate_rows(pd.DataFrame([values])).carriers, towns)
        old, _ = locate(validate_rows(others).carriers, towns)
        _, right, _, _ = match_pairs(key_frame(new), key_frame(old),
                                     DEFAULT_DUPLICATE_DISTANCE_M)
        if len(right):
            first = others.iloc[int(right.min())]
            raise ValidationFailed("store.duplicate_existing", [], name=values.get("name"),
                                   first_name=first["name"], first_id=first["id"],
                                   town=old["town"].iloc[int(right.min())] or "—")

    def _apply(self, connection: sa.Connection, actor: Actor, writes: Iterable[Write],
               action: str, batch: str | None = None, *, duplicates: bool = False,
               progress: Callable[[int, int], None] | None = None) -> Applied:
        """Write carriers the one checked way, inside the caller's write transaction.

        Every change of a carrier — add, save, delete, import, revert, undo —
        comes here, so no write can skip a check: the actor may write; the
        rows are locked and each is still the version the caller saw (else
        :class:`ConflictError`, see :meth:`_refuse_stale`); the values keep
        the register's rules; the actor may edit every town involved (even
        when nothing would change); an update that changes nothing is left
        out (no new version, no history); with ``duplicates``, a carrier that is
        probably another stored one is refused. Then the rows and their
        history (``action``, ``batch``, each write's ``reverts``) are written
        in batches, and the data version moves on when anything was written.

        Parameters
        ----------
        connection
            A transaction from :meth:`writing` (``register_changes=False``).
        actor
            Who makes the change.
        writes
            The rows to insert, update or delete.
        action
            The history's action: ``insert``, ``update``, ``delete``, ``import``,
            ``undo`` or ``revert``.
        batch
            The import (or undo) these writes belong to; a stale write then
            refuses the whole batch, naming every stale carrier.
        duplicates
            Refuse a new or moved carrier that is probably a stored one.
        progress
            Called with (done, total) after each batch of rows written.

        Raises
        ------
        PermissionDenied, ValidationFailed, ConflictError, NotFoundError
        """
        self._require_writer(actor)
        writes = list(writes)
        current = self._lock(connection, [w.id for w in writes])
        self._refuse_stale(writes, current, batch)
        written = [(w.id, clean_values({**(w.values or {}), "id": w.id}))
                   for w in writes if w.kind != "delete"]
        afters = dict(written)
        unchanged = {w.id for w in writes if w.kind == "update"
                     and afters[w.id] == clean_values(current[w.id])}
        self._refuse_invalid([v for key, v in written if key not in unchanged])  # ids repeated too
        self._refuse_other_towns(actor, writes, current, afters)
        writes = [w for w in writes if w.id not in unchanged]
        afters = {key: value for key, value in afters.items() if key not in unchanged}
        if duplicates:
            for write in writes:
                before = clean_values(current[write.id]) if write.id in current else None
                if write.kind != "delete" and (before is None or any(
                        before[c] != afters[write.id][c] for c in _IDENTITY_COLUMNS)):
                    self._refuse_probable_duplicate(afters[write.id], write.id)
        versions = {carrier_id: int(current[carrier_id]["version"]) for carrier_id in unchanged}
        versions |= self._write(connection, actor, writes, current, afters, progress)
        stamp = now_text()
        history = [_history_row(stamp, actor, action, w.id, _before(w, current),
                                afters.get(w.id), batch, w.reverts) for w in writes]
        for start in range(0, len(history), _BATCH):
            connection.execute(sa.insert(changes), history[start:start + _BATCH])
        if writes:
            connection.execute(sa.update(meta).where(meta.c.key == "data_version")
                               .values(value=meta.c.value + 1))
        counts = Counter(w.kind for w in writes)
        return Applied(versions=versions, added=counts["insert"], updated=counts["update"],
                       deleted=counts["delete"])

    def _write(self, connection: sa.Connection, actor: Actor, writes: list[Write],
               current: Mapping[str, dict[str, Any]],
               afters: Mapping[str, dict[str, str | None]],
               progress: Callable[[int, int], None] | None) -> dict[str, int]:
        """Insert, update and delete the checked rows (many per statement); the new versions."""
        stamp = {"updated_at": now_text(), "updated_by": actor.username}
        by_kind = {kind: [w for w in writes if w.kind == kind] for kind in WRITE_KINDS}
        positions = iter(range(last_position(connection) + 1, 2**62))
        rows = {
            "insert": [{**afters[w.id], "version": 1, **stamp,
                        "position": w.position if w.position is not None else next(positions)}
                       for w in by_kind["insert"]],
            "update": [{**{c: v for c, v in afters[w.id].items() if c != "id"}, "b_id": w.id,
                        "b_version": int(current[w.id]["version"]),
                        "version": int(current[w.id]["version"]) + 1, **stamp}
                       for w in by_kind["update"]],
            "delete": [{"b_id": w.id, "b_version": int(current[w.id]["version"])}
                       for w in by_kind["delete"]],
        }
        seen = (carriers.c.id == sa.bindparam("b_id"),
                carriers.c.version == sa.bindparam("b_version"))
        statements = {"insert": sa.insert(carriers), "update": sa.update(carriers).where(*seen),
                      "delete": sa.delete(carriers).where(*seen)}
        if rows["insert"]:
            _remember_positions(connection, max(row["position"] for row in rows["insert"]))
        total, done = len(writes), 0
        for kind in WRITE_KINDS:
            for start in range(0, len(rows[kind]), _BATCH):
                chunk = rows[kind][start:start + _BATCH]
                result = connection.execute(statements[kind], chunk)
                if kind != "insert" and (len(chunk) == 1 or
                                         connection.dialect.supports_sane_multi_rowcount) \
                        and result.rowcount != len(chunk):
                    raise ConflictError("store.import_stale", count=len(chunk),
                                        ids="、".join(r["b_id"] for r in chunk[:10]))
                done += len(chunk)
                if progress:
                    progress(done, total)
        return ({w.id: 1 for w in by_kind["insert"]}
                | {w.id: int(current[w.id]["version"]) + 1 for w in by_kind["update"]})

    def add_carrier(self, actor: Actor, values: Mapping[str, Any]) -> int:
        """Add a carrier; return its version (1).

        Raises
        ------
        PermissionDenied, ValidationFailed, ConflictError
            Not allowed; a value breaks a rule (or the carrier is probably one
            already stored); the id is taken.
        """
        carrier_id = clean_values(values)["id"] or ""
        with self.writing(register_changes=False) as connection:
            applied = self._apply(connection, actor, [Write("insert", carrier_id, values)],
                                  "insert", duplicates=True)
        return applied.versions[carrier_id]

    def update_carrier(self, actor: Actor, carrier_id: str, values: Mapping[str, Any],
                       expected_version: int) -> int:
        """Change a carrier read at ``expected_version``; return its version now.

        The id may not change. Raises :class:`ConflictError` when someone saved
        the carrier since it was read, so nothing is overwritten silently.
        Values that (cleaned as the store keeps them) equal the stored ones
        write nothing: no new version, no history entry.
        """
        with self.writing(register_changes=False) as connection:
            applied = self._apply(connection, actor, [Write("update", carrier_id, values,
                                                            expected_version)],
                                  "update", duplicates=True)
        return applied.versions[carrier_id]

    def delete_carrier(self, actor: Actor, carrier_id: str, expected_version: int) -> None:
        """Delete a carrier read at ``expected_version`` (its values stay in the history)."""
        with self.writing(register_changes=False) as connection:
            self._apply(connection, actor, [Write("delete", carrier_id, None, expected_version)],
                        "delete")

    def replace_boundaries(self, actor: Actor, towns: Boundaries) -> None:
        """Replace every town boundary (administrators only), recorded in the history."""
        if not actor.may_administer():
            raise PermissionDenied("store.admin_only", user=actor.username)
        frame = towns.towns
        rows = [{"name": r["name"], "name_en": _text(r.get("name_en")),
                 "pinyin": _text(r.get("pinyin")), "aliases": _text(r.get("aliases")),
                 "approximate": bool(r.get("approximate", False)), "position": i,
                 "geometry_wkb": shapely.to_wkb(r["geometry"], hex=True)}
                for i, r in enumerate(frame.to_dict("records"))]
        with self.writing() as connection:
            old = connection.execute(sa.select(schema.boundaries.c.name)).scalars().all()
            bumped = connection.execute(sa.update(meta).where(meta.c.key == "boundaries_version")
                                        .values(value=meta.c.value + 1))
            if bumped.rowcount == 0:
                connection.execute(sa.insert(meta).values(key="boundaries_version", value=1))
            connection.execute(sa.delete(schema.boundaries))
            if rows:
                connection.execute(sa.insert(schema.boundaries), rows)
            self.record(connection, actor, "boundaries", None, {"towns": list(old)},
                        {"towns": [r["name"] for r in rows], "source": towns.path})


def _is_stale(write: Write, stored: Mapping[str, Any] | None) -> bool:
    """An insert of a taken id, or a change of a carrier not at the version seen."""
    if write.kind == "insert":
        return stored is not None
    return (stored is None or write.expected_version is None
            or int(stored["version"]) != int(write.expected_version))


def _before(write: Write, current: Mapping[str, dict[str, Any]]) -> dict[str, Any] | None:
    """What the history keeps of a carrier before ``write``: its values (``None``: new).

    A deleted carrier's place in the register (``position``) is kept too, so
    a revert puts it back there.
    """
    if write.id not in current:
        return None
    before: dict[str, Any] = clean_values(current[write.id])
    if write.kind == "delete":
        before["position"] = int(current[write.id]["position"])
    return before


def _history_row(at: str, actor: Actor, action: str, carrier_id: str | None,
                 before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
                 batch: str | None, reverts: int | None) -> dict[str, Any]:
    """One ``changes`` row: who, when, what, and the values before and after as JSON."""
    return {"at": at, "who": actor.username, "action": action, "carrier_id": carrier_id,
            "before": None if before is None else json.dumps(dict(before), ensure_ascii=False),
            "after": None if after is None else json.dumps(dict(after), ensure_ascii=False),
            "batch": batch, "reverts": reverts}


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)
