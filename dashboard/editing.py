"""The data page's four parts: edit in a table, import with preview, export, history.

Every change is made by the store (:mod:`geo.store`), which validates it,
checks the user's role and towns, and refuses stale saves; these functions
show the outcome, row by row, in the user's language.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from geo import translate
from geo.export import register_export, to_csv_bytes, to_geojson_bytes, to_xlsx_bytes
from geo.i18n import Lang
from geo.schema import COLUMNS
from geo.store import Actor, Store, StoreError, ValidationFailed
from geo.store.history import history, revert

__all__ = ["RESULT_KEY", "edit_tab", "export_tab", "history_tab", "show_results"]

RESULT_KEY = "_data_result"


def show_results() -> None:
    """The outcome of the last save, import or revert (shown once, above the tabs)."""
    for kind, text in st.session_state.pop(RESULT_KEY, []):
        getattr(st, kind)(text)


def _editable_rows(store: Store, actor: Actor) -> pd.DataFrame:
    rows = store.carrier_rows()
    if actor.role != "admin":
        towns = store.locate_rows(rows[list(COLUMNS)])
        rows = rows[towns.isin(actor.towns).to_numpy()]
    return rows.set_index("id")


def _failure(error: StoreError, carrier_id: str, lang: Lang) -> str:
    reason = error.message(lang)
    if isinstance(error, ValidationFailed):
        reason += " " + "；".join(p.message(lang) for p in error.problems)
    return translate("data.row_failed", lang, id=carrier_id, reason=reason)


def edit_tab(store: Store, actor: Actor, lang: Lang) -> None:
    """The register (the user's towns only, for a town editor) as an editable table."""
    original = _editable_rows(store, actor)
    original.index.name = translate("col.id", lang)
    labels = {c: translate(f"field.{c}", lang) for c in COLUMNS if c != "id"}
    st.caption(translate("data.edit_help", lang))
    edited = st.data_editor(
        original[[c for c in COLUMNS if c != "id"]], num_rows="dynamic", width="stretch",
        key=f"editor_{store.data_version()}",
        column_config={c: st.column_config.TextColumn(label) for c, label in labels.items()})
    deleted = [i for i in original.index if i not in edited.index]
    confirmed = True
    if deleted:
        confirmed = st.checkbox(translate("data.confirm_delete", lang, count=len(deleted),
                                          ids="、".join(map(str, deleted[:20]))))
    if not st.button(translate("data.save", lang), type="primary"):
        return
    if deleted and not confirmed:
        st.warning(translate("data.delete_unconfirmed", lang, count=len(deleted)))
        return
    results, counts = [], {"added": 0, "changed": 0, "deleted": 0}
    for carrier_id in edited.index:
        values = {**edited.loc[carrier_id].to_dict(), "id": carrier_id}
        try:
            if carrier_id not in original.index:
                store.add_carrier(actor, values)
                counts["added"] += 1
            elif _differs(original.loc[carrier_id], edited.loc[carrier_id]):
                store.update_carrier(actor, carrier_id, values,
                                     int(original.loc[carrier_id, "version"]))
                counts["changed"] += 1
        except StoreError as error:
            results.append(("error", _failure(error, str(carrier_id), lang)))
    for carrier_id in deleted:
        try:
            store.delete_carrier(actor, carrier_id, int(original.loc[carrier_id, "version"]))
            counts["deleted"] += 1
        except StoreError as error:
            results.append(("error", _failure(error, str(carrier_id), lang)))
    summary = translate("data.saved", lang, **counts) if any(counts.values()) else translate(
        "data.nothing", lang)
    st.session_state[RESULT_KEY] = [("success", summary), *results]
    st.rerun()


def _differs(before: pd.Series, after: pd.Series) -> bool:
    def text(value) -> str:
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return any(text(before.get(c)) != text(after.get(c)) for c in COLUMNS if c != "id")


@st.cache_data(show_spinner=False, max_entries=8)
def _export_files(url: str, version: int, lang: Lang, _store: Store) -> dict[str, bytes]:
    """The export files, made once per state of the data (not on every rerun)."""
    frame = register_export(_store.carrier_rows(), lang)
    return {"csv": to_csv_bytes(frame), "xlsx": to_xlsx_bytes(frame, "carriers"),
            "geojson": to_geojson_bytes(_store.register())}


def export_tab(store: Store, lang: Lang) -> None:
    """The whole register as CSV (UTF-8 with BOM), Excel and GeoJSON."""
    files = _export_files(store.url, store.data_version(), lang, store)
    for kind, label, mime in (
            ("csv", "download.csv", "text/csv"),
            ("xlsx", "download.xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("geojson", "data.export_geojson", "application/geo+json")):
        st.download_button(translate(label, lang), files[kind], file_name=f"carriers.{kind}",
                           mime=mime, icon=":material/download:", key=f"export_{kind}")


def history_tab(store: Store, actor: Actor | None, lang: Lang) -> None:
    """Every change, newest first; administrators may revert one."""
    changes = history(store)

    def as_text(value) -> str:
        return "" if value is None else json.dumps(value, ensure_ascii=False)

    st.dataframe(pd.DataFrame({
        translate("col.change", lang): changes["id"],
        translate("col.at", lang): changes["at"],
        translate("col.who", lang): changes["who"],
        translate("col.action", lang): changes["action"].map(
            lambda a: translate(f"action.{a}", lang)),
        translate("col.id", lang): changes["carrier_id"],
        translate("col.before", lang): changes["before"].map(as_text),
        translate("col.after", lang): changes["after"].map(as_text),
    }), hide_index=True, width="stretch")
    if actor is None or actor.role != "admin" or changes.empty:
        return
    number = st.number_input(translate("data.revert", lang), min_value=1, step=1,
                             value=int(changes["id"].iloc[0]))
    if st.button(translate("data.revert_button", lang)):
        try:
            revert(store, actor, int(number))
            st.session_state[RESULT_KEY] = [("success", translate("data.reverted", lang,
                                                                    change=int(number)))]
        except StoreError as error:
            st.session_state[RESULT_KEY] = [("error", error.message(lang))]
        st.rerun()
