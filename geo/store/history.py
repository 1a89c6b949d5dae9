"""The change history: who changed what and when, in words, and reverting a change.

Every write records the values before and after. An administrator may
revert one change; the revert is itself a recorded change, and it is refused
when the carrier was changed again since (it never overwrites later work).

The history is read as a frame (:func:`history`) and turned into lines a
person reads by pure functions: times in the deployment's time zone
(:func:`local_times`), each change field by field (:func:`describe`,
:func:`readable`), filtered (:func:`filter_changes`), and every import
folded into one line (:func:`fold_batches`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any

import pandas as pd
import sqlalchemy as sa

from geo.i18n import CATALOGUE, Lang, translate
from geo.schema import COLUMNS
from geo.store.access import Actor, ConflictError, NotFoundError, PermissionDenied, StoreError
from geo.store.schema import changes
from geo.store.setup import SYSTEM
from geo.store.store import Store, Write, clean_values

__all__ = ["BATCH_ACTIONS", "LINE_COLUMNS", "action_label", "describe", "filter_changes",
           "fold_batches", "history", "local_times", "readable", "revert", "seed_batch"]

BATCH_ACTIONS: tuple[str, ...] = ("import", "undo")
"""Actions written many rows at a time under one ``batch`` id; each batch is one line."""

LINE_COLUMNS: tuple[str, ...] = ("change", "numbers", "at", "who", "action", "carrier",
                                 "details", "batch", "count")
"""The columns of :func:`readable` and :func:`fold_batches` (one line each)."""

_MAIN_FIELDS: tuple[str, ...] = ("type", "town", "floor_area_m2", "status", "opened")
"""What an added or deleted carrier is described by (its id and name are shown beside)."""


def history(store: Store, carrier_id: str | None = None, limit: int | None = 500, *,
            batch: str | None = None, complete_batches: bool = False) -> pd.DataFrame:
    """The latest changes, newest first: id, at, who, action, carrier_id, before, after, ….

    Parameters
    ----------
    store
        The register database.
    carrier_id
        Only the changes of this carrier.
    limit
        At most this many changes (``None``: all).
    batch
        Only the changes of this import (or undo) batch.
    complete_batches
        Also read the older changes of a batch that ``limit`` cut in two, so
        that a batch is counted whole (:func:`fold_batches`).
    """
    query = sa.select(changes).order_by(changes.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    if carrier_id is not None:
        query = query.where(changes.c.carrier_id == carrier_id)
    if batch is not None:
        query = query.where(changes.c.batch == batch)
    with store.reading() as connection:
        rows = [dict(r) for r in connection.execute(query).mappings()]
        if complete_batches and limit is not None and len(rows) == limit:
            cut = {r["batch"] for r in rows if r["batch"] is not None}
            if cut:
                oldest = min(r["id"] for r in rows)
                rest = query.limit(None).where(changes.c.id < oldest,
                                               changes.c.batch.in_(sorted(cut)))
                rows += [dict(r) for r in connection.execute(rest).mappings()]
    frame = pd.DataFrame(rows, columns=[c.name for c in changes.columns])
    for column in ("before", "after"):
        frame[column] = frame[column].map(lambda v: json.loads(v) if isinstance(v, str) else None)
    return frame


def seed_batch(store: Store) -> str | None:
    """The batch of the store's first contents: the system user's first import, if any."""
    query = (sa.select(changes.c.batch)
             .where(changes.c.who == SYSTEM.username, changes.c.action == "import",
                    changes.c.batch.is_not(None))
             .order_by(changes.c.id).limit(1))
    with store.reading() as connection:
        return connection.execute(query).scalar_one_or_none()


def local_times(at: pd.Series, timezone: dt.tzinfo) -> pd.Series:
    """Recorded times (ISO text, UTC) as ``2026-11-25 21:13`` in ``timezone``; ``""`` if unknown.

    A time recorded without an offset is taken as UTC (how the store records).
    """
    times = pd.to_datetime(pd.Series(at, dtype=object), utc=True, errors="coerce",
                           format="ISO8601")
    shown = times.dt.tz_convert(timezone).dt.strftime("%Y-%m-%d %H:%M")
    return shown.astype(object).where(times.notna(), "")


def action_label(action: str, lang: Lang) -> str:
    """An action (``insert``, ``import``, ``undo`` …) in words; an unknown one as it is."""
    return translate(f"action.{action}", lang) if f"action.{action}" in CATALOGUE else action


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _label(field: str, lang: Lang) -> str:
    return translate(f"field.{field}", lang) if f"field.{field}" in CATALOGUE else field


def _shown(value: Any, lang: Lang) -> str:
    return _text(value) or translate("history.empty_value", lang)


def _fields(values: Mapping[str, Any], lang: Lang) -> str:
    """The main fields that have a value, ``类型：孵化器；面积（平方米）：6500``."""
    parts = [translate("history.field_value", lang, field=_label(f, lang), value=_text(values[f]))
             for f in _MAIN_FIELDS if _text(values.get(f))]
    return translate("history.separator", lang).join(parts)


def _differences(before: Mapping[str, Any], after: Mapping[str, Any], lang: Lang) -> str:
    """Each field whose text changed, ``面积（平方米）：8000 → 9000``, in register order."""
    fields = [*COLUMNS, *sorted((set(before) | set(after)) - set(COLUMNS))]
    parts = [translate("history.field_change", lang, field=_label(f, lang),
                       before=_shown(before.get(f), lang), after=_shown(after.get(f), lang))
             for f in fields if _text(before.get(f)) != _text(after.get(f))]
    return translate("history.separator", lang).join(parts) or translate("history.unchanged",
                                                                         lang)


def _towns(values: Mapping[str, Any] | None) -> int:
    return len((values or {}).get("towns") or [])


def describe(action: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
             lang: Lang = "zh", reverts: int | None = None) -> str:
    """One change in words: what was added, deleted, or which fields changed from what to what.

    Examples: ``面积（平方米）：8000 → 9000；状态：在建 → 已投用`` for a change;
    ``新增载体（类型：孵化器；…）`` for a carrier added (by hand or by an import);
    ``删除载体（类型：孵化器；…）`` for one deleted.
    """
    if action == "boundaries":
        source = _text((after or {}).get("source"))
        details = translate("history.boundaries", lang, before=_towns(before),
                            after=_towns(after), source=PurePath(source).name if source else "—")
    elif before is None and after is None:
        details = translate("history.unchanged", lang)
    elif before is None:
        details = translate("history.added", lang, fields=_fields(after, lang) or "—")
    elif after is None:
        details = translate("history.deleted", lang, fields=_fields(before, lang) or "—")
    else:
        details = _differences(before, after, lang)
    if action == "revert" and reverts is not None and not pd.isna(reverts):
        details = translate("history.reverts", lang, change=int(reverts), details=details)
    return details


def _carrier(carrier_id: Any, before: Mapping | None, after: Mapping | None) -> str:
    """``TC031 浏河镇科技孵化器``: the carrier's id and its latest name."""
    name = _text((after or {}).get("name")) or _text((before or {}).get("name"))
    return " ".join(t for t in (_text(carrier_id), name) if t)


def _none_if_missing(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def readable(changes: pd.DataFrame, lang: Lang, timezone: dt.tzinfo) -> pd.DataFrame:
    """One line per change (newest first), in words: see :data:`LINE_COLUMNS`.

    ``at`` is local time text, ``carrier`` the id and name, ``details`` what
    changed (:func:`describe`); ``action`` stays a code (:func:`action_label`).
    """
    ordered = changes.sort_values("id", ascending=False)
    records = ordered.to_dict("records")
    return pd.DataFrame({
        "change": ordered["id"].astype("int64").to_numpy(),
        "numbers": [str(int(r["id"])) for r in records],
        "at": local_times(ordered["at"], timezone).to_numpy(),
        "who": ordered["who"].to_numpy(),
        "action": ordered["action"].to_numpy(),
        "carrier": [_carrier(r["carrier_id"], r["before"], r["after"]) for r in records],
        "details": [describe(r["action"], r["before"], r["after"], lang,
                             _none_if_missing(r.get("reverts"))) for r in records],
        "batch": [_none_if_missing(r.get("batch")) for r in records],
        "count": [1] * len(records),
    }, columns=list(LINE_COLUMNS))


def filter_changes(changes: pd.DataFrame, who: str | None = None, carrier: str | None = None,
                   actions: Iterable[str] | None = None) -> pd.DataFrame:
    """The changes made by ``who``, to a carrier matching ``carrier``, of one of ``actions``.

    ``carrier`` matches part of the id or of the name (before or after the
    change), ignoring case and surrounding spaces. ``None``, ``""`` or an
    empty ``actions`` leave that filter off. The input is not changed.
    """
    keep = pd.Series(True, index=changes.index)
    if who:
        keep &= changes["who"] == who
    wanted = set(actions or ())
    if wanted:
        keep &= changes["action"].isin(wanted)
    needle = (carrier or "").strip().casefold()
    if needle:
        def matches(row: Mapping[str, Any]) -> bool:
            names = [_text((row[side] or {}).get(key)) for side in ("before", "after")
                     for key in ("id", "name")]
            return any(needle in t.casefold() for t in (_text(row["carrier_id"]), *names))
        keep &= pd.Series([matches(r) for r in changes.to_dict("records")],
                          index=changes.index, dtype=bool)
    return changes[keep].copy()


def _numbers(ids: Iterable[int]) -> str:
    """Change numbers as a range, ``6–8`` (or ``6``); ``—`` for none."""
    ids = sorted(int(i) for i in ids)
    if not ids:
        return "—"
    return str(ids[0]) if ids[0] == ids[-1] else f"{ids[0]}–{ids[-1]}"


def _batch_line(rows: pd.DataFrame, lang: Lang, timezone: dt.tzinfo, seed: bool,
                undone_in: str | None = None) -> dict:
    """One line for the changes of one batch (an import, or the undoing of one)."""
    action = str(rows["action"].iloc[0])
    count = len(rows)
    if action == "undo":
        removed = int(rows["after"].isna().sum())
        details = translate("history.undo_batch", lang, count=count, removed=removed,
                            restored=count - removed,
                            of=_numbers(rows["reverts"].dropna()) if "reverts" in rows else "—")
    elif seed:
        details = translate("history.seed", lang, count=count)
    else:
        added = int(rows["before"].isna().sum())
        details = translate("history.import_batch", lang, count=count, added=added,
                            changed=count - added)
    if undone_in is not None:
        details += translate("history.undone", lang, numbers=undone_in)
    newest = rows.loc[rows["id"].idxmax()]
    return {"change": int(rows["id"].max()), "numbers": _numbers(rows["id"]),
            "at": local_times(pd.Series([newest["at"]]), timezone).iloc[0],
            "who": newest["who"], "action": action, "carrier": "", "details": details,
            "batch": newest["batch"], "count": count}


def _undone(groups: dict[Any, pd.DataFrame]) -> dict[Any, str]:
    """For each import batch that was undone, the numbers of the undoing changes."""
    reverted: dict[int, str] = {}
    for rows in groups.values():
        if rows["action"].iloc[0] == "undo" and "reverts" in rows:
            reverted |= dict.fromkeys(rows["reverts"].dropna().astype(int), _numbers(rows["id"]))
    return {batch: reverted[int(i)] for batch, rows in groups.items()
            if rows["action"].iloc[0] == "import"
            for i in rows["id"] if int(i) in reverted}


def fold_batches(changes: pd.DataFrame, lang: Lang, timezone: dt.tzinfo,
                 seed: str | None = None) -> pd.DataFrame:
    """Like :func:`readable`, but every import (or undo) batch is one line, newest first.

    A batch line says ``导入 N 个载体（新增 a，修改 b）``, and when it was undone,
    by which changes; the batch ``seed`` (:func:`seed_batch`, the store's first
    contents) says ``初始数据：导入 N 个载体``; an undo says which import it took
    back. ``numbers`` is the range of change numbers, ``count`` how many changes.
    """
    batched = changes["batch"].notna() & changes["action"].isin(BATCH_ACTIONS)
    lines = [readable(changes[~batched], lang, timezone)]
    groups = dict(tuple(changes[batched].groupby("batch", sort=False)))
    undone = _undone(groups)
    folded = [_batch_line(rows, lang, timezone, seed is not None and batch == seed,
                          undone.get(batch)) for batch, rows in groups.items()]
    if folded:
        lines.append(pd.DataFrame(folded, columns=list(LINE_COLUMNS)))
    lines = [frame for frame in lines if not frame.empty]
    if not lines:
        return readable(changes.iloc[0:0], lang, timezone)
    return (pd.concat(lines, ignore_index=True).sort_values("change", ascending=False)
            .reset_index(drop=True))


def _same(stored: dict | None, expected: dict | None) -> bool:
    return (stored is None) == (expected is None) and (
        stored is None or clean_values(stored) == clean_values(expected))


def revert(store: Store, actor: Actor, change_id: int) -> None:
    """Undo change ``change_id`` (administrators only), as a new recorded change.

    The carrier is locked and must still be as the change left it; the
    write goes through :meth:`Store._apply` (version checked again), so a
    revert racing a save never overwrites it: one of the two is refused.

    Raises
    ------
    PermissionDenied, NotFoundError, ConflictError
        Not an administrator; no such change; the carrier changed again since.
    """
    if not actor.may_administer():
        raise PermissionDenied("store.admin_only", user=actor.username)
    with store.writing(register_changes=False) as connection:
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
        current = store._lock(connection, [carrier_id]).get(carrier_id)
        if not _same(current, after):
            raise ConflictError("store.revert_conflict", change=change_id, id=carrier_id)
        if before is None:
            write = Write("delete", carrier_id, None, int(current["version"]), reverts=change_id)
        elif current is None:  # a delete taken back: the carrier returns to its place
            write = Write("insert", carrier_id, before, reverts=change_id,
                          position=before.get("position"))
        else:
            write = Write("update", carrier_id, before, int(current["version"]),
                          reverts=change_id)
        store._apply(connection, actor, [write], "revert")
