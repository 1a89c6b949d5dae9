"""The data page's import tab: upload a ledger, see what happens to every row, commit, undo.

The store (:mod:`geo.store.imports`) decides what each row would do and
checks values and rights again when the import is committed; this module
shows the preview (:mod:`geo.import_tables`), passes the user's choices on,
and offers to undo an import. Uploads are read from memory: nothing is
written to the server's disk, and messages name the file as uploaded.
"""

from __future__ import annotations

import io

import streamlit as st

from dashboard.editing import RESULT_KEY
from dashboard.markdown import plain
from dashboard.widgets import file_download, table
from geo import InputFileError, load_boundaries, translate
from geo.i18n import Lang
from geo.import_tables import CHOICES, choice_table, import_summary, import_table
from geo.readers import default_sheet, list_sheets
from geo.store import Actor, Store, StoreError
from geo.store.imports import (
    ImportPreview,
    commit_import,
    import_batches,
    preview_import_file,
    undo_import,
)
from geo.template import template_xlsx
from render.tables import problem_table

__all__ = ["import_tab"]

_PREVIEW = "_preview"
_PREVIEW_OF = "_preview_of"
_XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(upload, lang: Lang) -> str | None:
    """The worksheet to read: a chooser when a workbook has several (default: the likely one)."""
    if not upload.name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        return None
    key = f"_sheets_{upload.file_id}"
    if key not in st.session_state:  # the workbook is read once per upload, not every rerun
        st.session_state[key] = list_sheets(upload.getvalue(), name=upload.name)
    sheets = st.session_state[key]
    if len(sheets) < 2:
        return None
    default = default_sheet(sheets)
    names = [s.name for s in sheets]

    def label(name: str) -> str:
        info = sheets[names.index(name)]
        if not info.has_header:
            return translate("import.sheet_no_header", lang, sheet=name)
        return translate("import.sheet_hidden", lang, sheet=name) if not info.visible else name

    return st.selectbox(translate("import.sheet_choice", lang), names,
                        index=names.index(default.name), format_func=label,
                        key=f"sheet_{upload.file_id}")


def _preview(store: Store, actor: Actor, upload, sheet: str | None,
             distance_m: float, lang: Lang) -> ImportPreview | None:
    """The preview of this upload and sheet, made once (not on every rerun)."""
    key = (upload.file_id, sheet)
    if st.session_state.get(_PREVIEW_OF) != key:
        st.session_state[_PREVIEW_OF] = key
        try:
            st.session_state[_PREVIEW] = preview_import_file(
                store, upload.getvalue(), actor, name=upload.name, sheet=sheet,
                distance_m=distance_m)
        except (InputFileError, StoreError) as error:
            st.session_state[_PREVIEW] = error
    found = st.session_state.get(_PREVIEW)
    if isinstance(found, (InputFileError, StoreError)):
        st.error(plain(found.message(lang)))
        return None
    return found


def _choices(preview: ImportPreview, lang: Lang) -> dict[int, str]:
    """Per-row choices for rows that match stored carriers (update / new / skip)."""
    frame = choice_table(preview, lang)
    if frame.empty:
        return {}
    st.caption(translate("import.choices_help", lang))
    labels = {translate(f"import.choice_{c}", lang): c for c in CHOICES}
    column = translate("import.col_choice", lang)
    edited = st.data_editor(
        frame.set_index("row").rename_axis(translate("col.row", lang)),
        key=f"choices_{st.session_state.get(_PREVIEW_OF)}",
        disabled=[c for c in frame.columns if c not in ("row", column)], width="stretch",
        column_config={column: st.column_config.SelectboxColumn(
            options=list(labels), required=True, width="medium")})
    return {int(row): labels[value] for row, value in edited[column].items()}


def import_tab(store: Store, actor: Actor, lang: Lang, distance_m: float) -> None:
    """Upload a ledger, preview every row, commit or cancel; undo an import; the template."""
    file_download(st.container(), translate("import.template", lang), lambda: _template(lang),
                  file_name=translate("template.file_name", lang), mime=_XLSX_MIME,
                  key="template_download", lang=lang)
    upload = st.file_uploader(translate("data.upload", lang), type=["csv", "txt", "xlsx", "xls"],
                              key=f"register_upload_{st.session_state.get('_uploads', 0)}")
    if upload is not None:
        try:
            sheet = _sheet(upload, lang)
        except InputFileError as error:
            st.error(plain(error.message(lang)))
            sheet, upload = None, None
    preview = _preview(store, actor, upload, sheet, distance_m, lang) if upload else None
    if preview is not None:
        _show_preview(store, actor, preview, lang)
    _recent_imports(store, actor, lang)
    if actor.may_administer():
        _boundaries_import(store, actor, lang)


@st.cache_data(show_spinner=False)
def _template(lang: Lang) -> bytes:
    return template_xlsx(lang)


def _show_preview(store: Store, actor: Actor, preview: ImportPreview, lang: Lang) -> None:
    st.info(plain(import_summary(preview, lang)))
    refused = [r.message.message(lang) for r in preview.refused.itertuples() if r.message]
    if refused:
        st.warning("\n".join(f"- {plain(text)}" for text in refused))
    choices = _choices(preview, lang)
    st.markdown(f"**{translate('import.all_rows', lang)}**")
    table(import_table(preview, lang))
    if preview.problems:
        table(problem_table(preview.problems, lang))
    if preview.notes:
        with st.expander(translate("import.notes", lang)):
            table(problem_table(preview.notes, lang))
    count = preview.writable(choices)
    if not count:  # e.g. the same ledger uploaded again: say why the button is off
        st.info(translate("import.nothing_to_write", lang))
    commit, cancel = st.columns(2)
    if commit.button(translate("data.commit", lang, count=count), type="primary",
                     disabled=not count, key="import_commit"):
        try:
            result = commit_import(store, preview, actor, choices)
            st.session_state[RESULT_KEY] = [("success", translate(
                "import.done", lang, added=result.added, updated=result.updated))]
        except StoreError as error:
            st.session_state[RESULT_KEY] = [("error", error.message(lang))]
        _forget_preview()
    if cancel.button(translate("data.cancel", lang), key="import_cancel"):
        st.session_state[RESULT_KEY] = [("info", translate("data.cancelled", lang))]
        _forget_preview()


def _recent_imports(store: Store, actor: Actor, lang: Lang) -> None:
    """The user's own imports (an administrator: everyone's), each with an undo button."""
    batches = import_batches(store, who=None if actor.may_administer() else actor.username,
                             limit=10)
    if batches.empty:
        return
    st.divider()
    heading = "import.recent_all" if actor.may_administer() else "import.recent"
    st.markdown(f"**{translate(heading, lang)}**")
    for record in batches.to_dict("records"):
        line, button = st.columns([4, 1], vertical_alignment="center")
        text = translate("import.batch_line", lang, at=record["at"][:16].replace("T", " "),
                         who=record["who"], added=int(record["added"]),
                         updated=int(record["updated"]))
        if record["undone"]:
            line.caption(f"~~{text}~~ · {translate('import.undone_label', lang)}")
            continue
        line.write(text)
        if button.button(translate("import.undo", lang), key=f"undo_{record['batch']}"):
            try:
                restored = undo_import(store, actor, record["batch"])
                st.session_state[RESULT_KEY] = [("success", translate(
                    "import.undo_done", lang, count=restored))]
            except StoreError as error:
                st.session_state[RESULT_KEY] = [("error", error.message(lang))]
            st.rerun()


def _forget_preview() -> None:
    """Drop the preview and give the uploader a new key, which empties it."""
    st.session_state.pop(_PREVIEW, None)
    st.session_state.pop(_PREVIEW_OF, None)
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
        towns = load_boundaries(io.BytesIO(upload.getvalue()), name_field=name_field,
                                name=upload.name)
    except InputFileError as error:
        st.error(plain(error.message(lang)))
        return
    st.info(plain(translate("data.boundaries_preview", lang, count=len(towns.names),
                            names="、".join(towns.names[:30]))))
    if towns.problems:
        table(problem_table(towns.problems, lang))
    if st.button(translate("data.boundaries_commit", lang), type="primary"):
        try:
            store.replace_boundaries(actor, towns)
            st.session_state[RESULT_KEY] = [("success", translate("data.boundaries_done", lang))]
        except StoreError as error:
            st.session_state[RESULT_KEY] = [("error", error.message(lang))]
        st.rerun()
