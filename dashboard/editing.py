"""The data page's four parts: edit in a table, import with preview, export, history.

Every change is made by the store (:mod:`geo.store`), which validates it,
checks the user's role and towns, and refuses stale saves; these functions
show the outcome, row by row, in the user's language.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from dashboard.data import secrets
from dashboard.markdown import plain
from dashboard.widgets import file_download
from geo import ConfigError, Problem, translate
from geo.i18n import CATALOGUE, Lang
from geo.schema import COLUMNS, CRS_ALIASES, STATUS_ALIASES, TYPE_ALIASES, normalise_token
from geo.settings import DEFAULT_TIMEZONE, display_timezone
from geo.store import Actor, Store, StoreError, ValidationFailed
from geo.store.history import (
    BATCH_ACTIONS,
    action_label,
    filter_changes,
    fold_batches,
    history,
    readable,
    revert,
    seed_batch,
)
from geo.store.store import clean_values
from render.export import register_export, to_csv_bytes, to_geojson_bytes, to_xlsx_bytes

__all__ = ["RESULT_KEY", "edit_tab", "export_tab", "history_tab", "show_results"]

RESULT_KEY = "_data_result"


def show_results() -> None:
    """The outcome of the last save, import or revert (shown once, above the tabs).

    Drawn in a container that is there on every run, messages or not, so the
    tabs below keep their place (and the tab the user is on) when a message goes.
    """
    with st.container():
        for kind, text in st.session_state.pop(RESULT_KEY, []):
            getattr(st, kind)(plain(text))


def _editable_rows(store: Store, actor: Actor) -> pd.DataFrame:
    """The stored rows ``actor`` may edit: the store places them, the account decides."""
    rows = store.carrier_rows()
    if not actor.may_administer():  # an administrator edits every row, placed or not
        towns = store.locate_rows(rows[list(COLUMNS)])
        rows = rows.loc[towns.map(actor.may_edit_town).astype(bool)]
    return rows.set_index("id")


_FIRST_COLUMNS: tuple[str, ...] = ("name", "type", "status", "floor_area_m2", "opened", "town",
                                   "lon", "lat", "crs")
_GRID_COLUMNS: tuple[str, ...] = (*_FIRST_COLUMNS,
                                  *(c for c in COLUMNS if c != "id" and c not in _FIRST_COLUMNS))
"""The grid's columns after the pinned id: what an official checks first comes first."""

_WIDTHS: dict[str, int] = {"name": 200, "type": 100, "status": 75, "floor_area_m2": 130,
                           "opened": 95, "town": 85, "lon": 95, "lat": 90, "crs": 80,
                           "level": 70, "operator": 200, "industry": 130, "source": 260}

_WORDS: dict[str, tuple[Mapping[str, str], dict[str, str]]] = {
    "type": (TYPE_ALIASES, {"incubator": "孵化器", "research_institute": "研究院",
                            "maker_space": "众创空间", "industrial_base": "产业化基地"}),
    "status": (STATUS_ALIASES, {"planned": "规划", "under_construction": "在建",
                                "in_use": "已投用"}),
    "crs": (CRS_ALIASES, {"WGS84": "WGS84", "GCJ02": "GCJ02", "BD09": "BD09"}),
}
"""Per drop-down column: the accepted spellings, and the canonical word stored for each code.

The words are register text (the store keeps what was typed and validates it
with the same aliases), so they are Chinese whatever the page's language.
"""

_ROW = "\ue000"  # stands in for the row number when a problem is worded for the grid


def _cell(value: Any) -> str:
    """A cell as text, ``""`` for blank (``None``, NaN, spaces)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _word(column: str, value: Any) -> str | None:
    """A stored value as the drop-down shows it: its canonical word, else the text itself."""
    text = _cell(value)
    if not text:
        return None
    aliases, words = _WORDS[column]
    code = aliases.get(normalise_token(text))
    return words[code] if code in words else text


def _shown(original: pd.DataFrame) -> pd.DataFrame:
    """The stored rows as the grid shows them: text (``None`` for blank), canonical words."""
    shown = pd.DataFrame({c: [_cell(v) or None for v in original[c]] for c in _GRID_COLUMNS},
                         index=original.index, dtype=object)
    for column in _WORDS:
        shown[column] = [_word(column, v) for v in original[column]]
    return shown


def _options(column: str, shown: pd.Series) -> list[str]:
    """The canonical words, then any stored value that is none of them (so it is not lost)."""
    words = list(_WORDS[column][1].values())
    return [*words, *dict.fromkeys(v for v in shown.dropna() if v not in words)]


def _grid_config(shown: pd.DataFrame, lang: Lang) -> dict[str, Any]:
    config: dict[str, Any] = {"_index": st.column_config.TextColumn(
        translate("field.id", lang), pinned=True, width=85)}
    for column in _GRID_COLUMNS:
        label, width = translate(f"field.{column}", lang), _WIDTHS.get(column, 120)
        if column in _WORDS:
            config[column] = st.column_config.SelectboxColumn(
                label, width=width, options=_options(column, shown[column]),
                format_func=_word_label(column, lang))
        else:
            config[column] = st.column_config.TextColumn(label, width=width,
                                                          pinned=column == "name")
    return config


def _word_label(column: str, lang: Lang) -> Callable[[str], str]:
    """How a drop-down word reads: itself in Chinese, ``孵化器 · Incubator`` in English."""
    aliases, words = _WORDS[column]
    if lang == "zh" or column == "crs":
        return str

    def label(word: str) -> str:
        code = aliases.get(normalise_token(str(word)))
        key = f"{column}.{code}"
        return f"{word} · {translate(key, lang)}" if code in words and key in CATALOGUE else word
    return label


def _carrier_label(carrier_id: Any, name: Any, lang: Lang) -> str:
    """``TC031 浏河镇科技孵化器``: how a message names a carrier (never by grid row)."""
    return " ".join(t for t in (_cell(carrier_id) or translate("data.unnamed", lang),
                                _cell(name)) if t)


def _to_store(original: pd.Series | None, shown: pd.Series | None, edited: pd.Series,
              carrier_id: Any) -> dict[str, Any]:
    """The values to save: a cell the user left as shown keeps its stored text."""
    values: dict[str, Any] = {"id": None if not _cell(carrier_id) else carrier_id}
    for column in _GRID_COLUMNS:
        new = edited.get(column)
        untouched = shown is not None and _cell(new) == _cell(shown.get(column))
        values[column] = original.get(column) if untouched else new
    return values


def _problem_text(problem: Problem, lang: Lang) -> str:
    """A rule the values broke, naming the carrier instead of a row number."""
    text = replace(problem, row=_ROW).message(lang)
    subject = translate("data.this_carrier", lang)
    return (text.replace(f"第 {_ROW} 行", subject).replace(f"Row {_ROW}", subject)
            .replace(_ROW, subject))


def _failure(error: StoreError, carrier: str, lang: Lang) -> str:
    """Why one carrier was not saved: ``TC031 浏河镇科技孵化器 未保存：…``."""
    if isinstance(error, ValidationFailed) and error.problems:
        reason = translate("history.separator", lang).join(
            _problem_text(p, lang) for p in error.problems)
    else:
        reason = error.message(lang)
    return translate("data.row_failed", lang, carrier=carrier, reason=reason)


def _rows_without_id(key: str, lang: Lang) -> list[str]:
    """Rows added without an id: Streamlit leaves them out of the table, so say so."""
    added = (st.session_state.get(key) or {}).get("added_rows") or []
    return [translate("data.row_failed", lang, carrier=_carrier_label(None, row.get("name"), lang),
                      reason=translate("data.id_missing", lang))
            for row in added if not _cell(row.get("_index"))]


def _outcome(counts: dict[str, int], failures: list[str], lang: Lang) -> list[tuple[str, str]]:
    """What to show after a save: the summary only if something was saved, then each failure.

    "No changes" is said only when nothing was tried and nothing failed.
    """
    errors = [("error", text) for text in failures]
    if any(counts.values()):
        return [("success", translate("data.saved", lang, **counts)), *errors]
    return errors or [("info", translate("data.nothing", lang))]


def edit_tab(store: Store, actor: Actor, lang: Lang) -> None:
    """The register (the user's towns only, for a town editor) as an editable table."""
    original = _editable_rows(store, actor)
    shown = _shown(original)
    shown.index.name = translate("field.id", lang)
    st.caption(translate("data.edit_help", lang))
    key = f"editor_{store.data_version()}"
    edited = st.data_editor(
        shown, num_rows="dynamic", width="stretch", placeholder="", hide_index=False,
        key=key, column_config=_grid_config(shown, lang))
    deleted = [i for i in original.index if i not in set(edited.index)]
    confirmed = True
    if deleted:
        confirmed = st.checkbox(translate("data.confirm_delete", lang, count=len(deleted),
                                          ids="、".join(map(str, deleted[:20]))))
    if not st.button(translate("data.save", lang), type="primary"):
        return
    if deleted and not confirmed:
        st.warning(translate("data.delete_unconfirmed", lang, count=len(deleted)))
        return
    failures = _rows_without_id(key, lang)
    counts = {"added": 0, "changed": 0, "deleted": 0}
    seen: set[Any] = set()
    for carrier_id, row in edited.iterrows():
        existing = carrier_id in original.index and carrier_id not in seen
        seen.add(carrier_id)
        label = _carrier_label(carrier_id, row.get("name"), lang)
        try:
            if not existing:
                store.add_carrier(actor, _to_store(None, None, row, carrier_id))
                counts["added"] += 1
            else:
                stored = original.loc[carrier_id]
                values = _to_store(stored, shown.loc[carrier_id], row, carrier_id)
                if _changes(stored, values):
                    store.update_carrier(actor, carrier_id, values, int(stored["version"]))
                    counts["changed"] += 1
        except StoreError as error:
            failures.append(_failure(error, label, lang))
    for carrier_id in deleted:
        try:
            store.delete_carrier(actor, carrier_id, int(original.loc[carrier_id, "version"]))
            counts["deleted"] += 1
        except StoreError as error:
            failures.append(_failure(error, _carrier_label(
                carrier_id, original.loc[carrier_id, "name"], lang), lang))
    st.session_state[RESULT_KEY] = _outcome(counts, failures, lang)
    st.rerun()


def _changes(stored: pd.Series, values: dict[str, Any]) -> bool:
    """Whether saving ``values`` would change the stored row, both cleaned as the store does.

    The store's own cleaning (:func:`geo.store.store.clean_values`) decides, so
    a row the user touched but left as it was is not sent as a change (no new
    version, no line in the history).
    """
    return clean_values(values) != clean_values({**stored.to_dict(), "id": values["id"]})


@st.cache_data(show_spinner=False, max_entries=24)
def _export_file(url: str, version: int, kind: str, lang: Lang, _store: Store) -> bytes:
    """One export file, made once per state of the data (not on every rerun)."""
    if kind == "geojson":
        return to_geojson_bytes(_store.register())
    frame = register_export(_store.carrier_rows(), lang)
    return to_csv_bytes(frame) if kind == "csv" else to_xlsx_bytes(frame, "carriers")


def export_tab(store: Store, lang: Lang) -> None:
    """The whole register as CSV (UTF-8 with BOM), Excel and GeoJSON, each made on its own.

    A file that cannot be made is said in its button's place; the others and
    the history still show.
    """
    version = store.data_version()
    for kind, label, mime in (
            ("csv", "download.csv", "text/csv"),
            ("xlsx", "download.xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("geojson", "data.export_geojson", "application/geo+json")):
        file_download(st.container(), translate(label, lang),
                      lambda kind=kind: _export_file(store.url, version, kind, lang, store),
                      file_name=f"carriers.{kind}", mime=mime, key=f"export_{kind}", lang=lang)


_LINE_HEIGHT = 70
"""History rows are this tall (pixels) so that a long change wraps over three lines."""

_HISTORY_LIMIT = 2000
"""How many of the latest changes the history tab reads (an import counts whole)."""


def _timezone(lang: Lang) -> ZoneInfo:
    """The deployment's time zone; a wrong setting is said and the default used."""
    try:
        return display_timezone({**os.environ, **secrets()})
    except ConfigError as error:
        st.warning(error.message(lang))
        return ZoneInfo(DEFAULT_TIMEZONE)


def _lines_table(lines: pd.DataFrame, lang: Lang) -> None:
    """History lines (:func:`geo.store.history.readable`) as a table in the user's words."""
    labels = {"numbers": "col.change", "at": "col.at", "who": "col.who",
              "action": "col.action", "carrier": "col.carrier", "details": "col.details"}
    table = lines[list(labels)].assign(action=lines["action"].map(
        lambda a: action_label(a, lang)))
    table.columns = [translate(labels[c], lang) for c in labels]
    widths = {"numbers": 60, "at": 125, "who": 80, "action": 75, "carrier": 190, "details": 360}
    # Rows taller than 4rem let Streamlit wrap text within a column's set width (clicking a
    # cell shows all of it).
    st.dataframe(table, hide_index=True, width="stretch", row_height=_LINE_HEIGHT, column_config={
        translate(labels[c], lang): st.column_config.TextColumn(width=w)
        for c, w in widths.items()})


def _history_filters(changes: pd.DataFrame, lang: Lang) -> tuple[str | None, str, str | None]:
    """The user, carrier text and action to filter by (``None``/``""``: all)."""
    everyone = translate("history.all", lang)
    users = sorted({str(u) for u in changes["who"].dropna()})
    actions = sorted({str(a) for a in changes["action"].dropna()},
                     key=lambda a: action_label(a, lang))
    by_user, by_carrier, by_action = st.columns([1, 2, 1])
    who = by_user.selectbox(translate("history.filter_user", lang), [None, *users],
                            format_func=lambda u: everyone if u is None else u,
                            key="history_who")
    carrier = by_carrier.text_input(translate("history.filter_carrier", lang),
                                    key="history_carrier")
    action = by_action.selectbox(translate("history.filter_action", lang), [None, *actions],
                                 format_func=lambda a: everyone if a is None else
                                 action_label(a, lang), key="history_action")
    return who, carrier.strip(), action


def _batch_details(store: Store, lines: pd.DataFrame, lang: Lang, zone: ZoneInfo) -> None:
    """Pick one folded import to see it carrier by carrier."""
    folded = lines[lines["batch"].notna() & lines["action"].isin(BATCH_ACTIONS)]
    if folded.empty:
        return
    described = {row["batch"]: f"{row['numbers']} · {row['at']} · {row['who']} · "
                               f"{row['details']}" for row in folded.to_dict("records")}
    chosen = st.selectbox(translate("history.batch_pick", lang), [None, *described],
                          format_func=lambda b: translate("history.batch_none", lang)
                          if b is None else described[b], key="history_batch")
    if chosen is not None:
        _lines_table(readable(history(store, limit=None, batch=chosen), lang, zone), lang)


def history_tab(store: Store, actor: Actor | None, lang: Lang) -> None:
    """Every change in words, newest first, each import as one line; administrators may revert."""
    zone = _timezone(lang)
    changes = history(store, limit=_HISTORY_LIMIT, complete_batches=True)
    who, carrier, action = _history_filters(changes, lang)
    chosen = filter_changes(changes, who, carrier, [action] if action else None)
    # A carrier's own story is shown change by change; otherwise each import is one line.
    lines = (readable(chosen, lang, zone) if carrier
             else fold_batches(chosen, lang, zone, seed_batch(store)))
    notes = [translate("history.zone", lang, zone=zone.key)]
    if len(changes) >= _HISTORY_LIMIT:
        notes.append(translate("history.truncated", lang, count=_HISTORY_LIMIT))
    st.caption(" ".join(notes))
    if lines.empty:
        st.info(translate("history.none_match", lang))
    else:
        _lines_table(lines, lang)
        _batch_details(store, lines, lang, zone)
    if actor is None or not actor.may_administer() or changes.empty:
        return
    number = st.number_input(translate("data.revert", lang), min_value=1, step=1,
                             value=int(changes["id"].max()))
    if st.button(translate("data.revert_button", lang)):
        try:
            revert(store, actor, int(number))
            st.session_state[RESULT_KEY] = [("success", translate("data.reverted", lang,
                                                                    change=int(number)))]
        except StoreError as error:
            st.session_state[RESULT_KEY] = [("error", error.message(lang))]
        st.rerun()
