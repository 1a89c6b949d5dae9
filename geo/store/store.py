"""The register kept in a database: read as the same frames the check uses, changed safely.

Every change goes through :class:`Store`: it validates with the same rules as
a file import (:func:`geo.register.validate_register`), checks the user's
role and towns (by where the carrier lies), refuses a stale edit (optimistic
locking on a per-row ``version``), records who changed what in ``changes``,
and bumps a data version so readers know to reload — all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

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
from geo.store.engine import describe_url, make_engines
from geo.store.postgis import enable_postgis
from geo.store.schema import CARRIER_TEXT_COLUMNS, carriers, changes, meta
from geo.values import canonical_id

__all__ = ["Store", "clean_values", "last_position", "now_text", "validate_rows"]


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


def last_position(connection: sa.Connection) -> int:
    """The highest register position so far (new rows go after it); 0 when empty."""
    return int(connection.execute(
        sa.select(sa.func.coalesce(sa.func.max(carriers.c.position), 0))).scalar_one())


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
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._writer, self._reader = make_engines(url)
        schema.upgrade(self._writer)
        self.postgis = enable_postgis(self._writer)
        self._boundaries_cache: tuple[int, Boundaries] | None = None

    @property
    def description(self) -> str:
        """The database, with any password hidden."""
        return describe_url(self.url)

    def close(self) -> None:
        """Release the connections."""
        self._writer.dispose()
        self._reader.dispose()

    # --- transactions -------------------------------------------------
    @contextmanager
    def writing(self, register_changes: bool = True) -> Iterator[sa.Connection]:
        """One write transaction; the data version moves on when it commits.

        Account changes pass ``register_changes=False``: they leave the data
        version (and so every reader's cache) alone.
        """
        with self._writer.begin() as connection:
            yield connection
            if register_changes:
                connection.execute(sa.update(meta).where(meta.c.key == "data_version")
                                   .values(value=meta.c.value + 1))

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        """One read transaction: a consistent snapshot, never half a write."""
        with self._reader.begin() as connection:
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

    def _require_town(self, actor: Actor, rows: pd.DataFrame, carrier_id: str) -> None:
        if actor.role == "admin":
            return
        for town in self.locate_rows(rows):
            if not actor.may_edit_town(town):
                raise PermissionDenied("store.not_your_town", user=actor.username,
                                       id=carrier_id, town=town or "—",
                                       towns="、".join(sorted(actor.towns)) or "—")

    def _valid(self, values: dict[str, str | None]) -> None:
        register = validate_rows(pd.DataFrame([values]))
        errors = [p for p in register.problems if p.severity == "error"]
        if errors:
            raise ValidationFailed("store.invalid", errors, id=values.get("id") or "—",
                                   count=len(errors))

    def record(self, connection: sa.Connection, actor: Actor, action: str,
               carrier_id: str | None, before: dict | None, after: dict | None,
               batch: str | None = None, reverts: int | None = None) -> None:
        """Add one entry to the change history, inside the caller's transaction."""
        connection.execute(sa.insert(changes).values(
            at=now_text(), who=actor.username, action=action, carrier_id=carrier_id,
            before=None if before is None else json.dumps(before, ensure_ascii=False),
            after=None if after is None else json.dumps(after, ensure_ascii=False),
            batch=batch, reverts=reverts))

    def _current(self, connection: sa.Connection, carrier_id: str) -> dict[str, Any] | None:
        """The stored row, locked until the transaction ends (so a stale save fails fast)."""
        row = connection.execute(sa.select(carriers).where(carriers.c.id == carrier_id)
                                 .with_for_update()).mappings().first()
        return dict(row) if row else None

    def _check_version(self, current: dict[str, Any] | None, carrier_id: str,
                       expected_version: int) -> dict[str, Any]:
        if current is None:
            raise NotFoundError("store.not_found", id=carrier_id)
        if int(current["version"]) != int(expected_version):
            raise ConflictError("store.conflict", id=carrier_id,
                                who=current["updated_by"] or "—", at=current["updated_at"] or "—")
        return current

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

    def add_carrier(self, actor: Actor, values: Mapping[str, Any]) -> int:
        """Add a carrier; return its version (1).

        Raises
        ------
        PermissionDenied, ValidationFailed, ConflictError
            Not allowed; a value breaks a rule (or the carrier is probably one
            already stored); the id is taken.
        """
        self._require_writer(actor)
        clean = clean_values(values)
        self._valid(clean)
        self._require_town(actor, pd.DataFrame([clean]), clean["id"])
        with self.writing() as connection:
            if self._current(connection, clean["id"]) is not None:
                raise ConflictError("store.id_taken", id=clean["id"])
            self._refuse_probable_duplicate(clean, None)
            position = last_position(connection)
            connection.execute(sa.insert(carriers).values(
                **clean, position=position + 1, version=1, updated_at=now_text(),
                updated_by=actor.username))
            self.record(connection, actor, "insert", clean["id"], None, clean)
        return 1

    def update_carrier(self, actor: Actor, carrier_id: str, values: Mapping[str, Any],
                       expected_version: int) -> int:
        """Change a carrier read at ``expected_version``; return the new version.

        The id may not change. Raises :class:`ConflictError` when someone saved
        the carrier since it was read, so nothing is overwritten silently. The
        version is checked first, so a stale save is refused before any work.
        """
        self._require_writer(actor)
        clean = clean_values({**values, "id": carrier_id})
        with self.writing() as connection:
            current = self._check_version(self._current(connection, carrier_id), carrier_id,
                                          expected_version)
            self._valid(clean)
            before = clean_values(current)
            if any(before[c] != clean[c] for c in ("name", "town", "lon", "lat", "crs")):
                self._refuse_probable_duplicate(clean, carrier_id)
            self._require_town(actor, pd.DataFrame([before, clean]), carrier_id)
            result = connection.execute(
                sa.update(carriers).where(carriers.c.id == carrier_id,
                                          carriers.c.version == expected_version)
                .values(**clean, version=expected_version + 1, updated_at=now_text(),
                        updated_by=actor.username))
            if result.rowcount != 1:
                raise ConflictError("store.conflict", id=carrier_id, who="—", at="—")
            self.record(connection, actor, "update", carrier_id, before, clean)
        return expected_version + 1

    def delete_carrier(self, actor: Actor, carrier_id: str, expected_version: int) -> None:
        """Delete a carrier read at ``expected_version`` (its values stay in the history)."""
        self._require_writer(actor)
        with self.writing() as connection:
            current = self._check_version(self._current(connection, carrier_id), carrier_id,
                                          expected_version)
            before = clean_values(current)
            self._require_town(actor, pd.DataFrame([before]), carrier_id)
            result = connection.execute(sa.delete(carriers).where(
                carriers.c.id == carrier_id, carriers.c.version == expected_version))
            if result.rowcount != 1:
                raise ConflictError("store.conflict", id=carrier_id, who="—", at="—")
            self.record(connection, actor, "delete", carrier_id, before, None)

    def replace_boundaries(self, actor: Actor, towns: Boundaries) -> None:
        """Replace every town boundary (administrators only), recorded in the history."""
        if actor.role != "admin":
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


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)
