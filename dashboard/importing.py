"""The data page's import tab: upload a register, preview every row, commit or cancel.

The store (:mod:`geo.store.imports`) decides what each row would do and
checks the user's rights again when the import is committed; this module
only shows the preview and passes the user's choices on.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from dashboard.editing import RESULT_KEY
from dashboard.widgets import table
from geo import InputFileError, load_boundaries, translate
from geo.i18n import Lang
from geo.store import Actor, Store, StoreError
from geo.store.imports import commit_import, preview_import_file
from geo.tables import problem_table

__all__ = ["import_tab"]


def _saved_upload(upload) -> Path:
    """The uploaded file in a private temporary folder, with its own name (for messages)."""
    folder = Path(tempfile.mkdtemp(prefix="carrier-upload-"))
    path = folder / Path(upload.name).name
    path.write_bytes(upload.getvalue())
    return path


def import_tab(store: Store, actor: Actor, lang: Lang) -> None:
    """Upload a register (preview, then commit or cancel); administrators also boundaries."""
    upload = st.file_uploader(translate("data.upload", lang), type=["csv", "xlsx", "txt"],
                              key=f"register_upload_{st.session_state.get('_uploads', 0)}")
    if upload is not None and st.session_state.get("_preview_of") != upload.file_id:
        try:
            st.session_state["_preview"] = preview_import_file(store, _saved_upload(upload), actor)
        except (InputFileError, StoreError) as error:
            st.session_state.pop("_preview", None)
            st.error(error.message(lang))
        st.session_state["_preview_of"] = upload.file_id
    preview = st.session_state.get("_preview") if upload is not None else None
    if preview is not None:
        st.info(translate("data.preview", lang, new=len(preview.new), changed=len(preview.changed),
                          same=preview.unchanged, refused=len(preview.refused),
                          bad=len(preview.skipped_rows)))
        if preview.problems:
            table(problem_table(preview.problems, lang))
        if len(preview.refused):
            st.warning(translate("data.refused", lang))
            st.dataframe(preview.refused.rename(columns={
                "row": translate("col.row", lang), "id": translate("col.id", lang),
                "name": translate("col.name", lang),
                "town_located": translate("col.town", lang)}), hide_index=True)
        commit, cancel = st.columns(2)
        if commit.button(translate("data.commit", lang, count=preview.writable), type="primary",
                         disabled=not preview.writable):
            try:
                written = commit_import(store, preview, actor)
                st.session_state[RESULT_KEY] = [("success", translate(
                    "data.committed", lang, count=written))]
            except StoreError as error:
                st.session_state[RESULT_KEY] = [("error", error.message(lang))]
            _forget_preview()
        if cancel.button(translate("data.cancel", lang)):
            st.session_state[RESULT_KEY] = [("info", translate("data.cancelled", lang))]
            _forget_preview()
    if actor.role == "admin":
        _boundaries_import(store, actor, lang)


def _forget_preview() -> None:
    """Drop the preview and give the uploader a new key, which empties it."""
    st.session_state.pop("_preview", None)
    st.session_state["_uploads"] = st.session_state.get("_uploads", 0) + 1
    st.rerun()


def _boundaries_import(store: Store, actor: Actor, lang: Lang) -> None:
    st.divider()
    upload = st.file_uploader(translate("data.upload_boundaries", lang),
                              type=["geojson", "json", "zip", "gpkg"], key="boundary_upload")
    name_field = st.text_input(translate("data.name_field", lang), value="name")
    if upload is None:
        return
    try:
        towns = load_boundaries(_saved_upload(upload), name_field=name_field)
    except InputFileError as error:
        st.error(error.message(lang))
        return
    st.info(translate("data.boundaries_preview", lang, count=len(towns.names),
                      names="、".join(towns.names[:30])))
    if towns.problems:
        table(problem_table(towns.problems, lang))
    if st.button(translate("data.boundaries_commit", lang), type="primary"):
        try:
            store.replace_boundaries(actor, towns)
            st.session_state[RESULT_KEY] = [("success", translate("data.boundaries_done", lang))]
        except StoreError as error:
            st.session_state[RESULT_KEY] = [("error", error.message(lang))]
        st.rerun()
