"""数据管理 Data: keep the register — edit, import, export, and the change history.

Town officials keep their own towns' records here; what each user may do is
decided by the store, whatever this page shows.
"""

import streamlit as st

from dashboard.auth import current_actor, sign_in_form
from dashboard.data import open_configured_store
from dashboard.editing import edit_tab, export_tab, history_tab, show_results
from dashboard.importing import import_tab
from dashboard.sidebar import current
from dashboard.widgets import filter_banner
from geo import translate

context = current()
lang = context.view.lang
st.title(translate("page.data", lang))
filter_banner(context, applies=False)  # the register is never filtered
store = open_configured_store()
if store is None:
    st.info(translate("data.file_mode", lang))
    st.stop()
actor = current_actor(store)
if actor is None:
    st.info(translate("auth.needed", lang))
    sign_in_form(store, lang)
elif not actor.may_write():
    st.info(translate("data.viewer", lang))
elif not actor.may_administer():  # a town editor: say which towns
    st.caption(translate("data.editor_towns", lang, towns="、".join(sorted(actor.towns)) or "—"))

show_results()
writer = actor is not None and actor.may_write()
names = [*(("data.tab_edit", "data.tab_import") if writer else ()), "data.tab_export",
         "data.tab_history"]
tabs = dict(zip(names, st.tabs([translate(n, lang) for n in names]), strict=True))
if writer:
    with tabs["data.tab_edit"]:
        edit_tab(store, actor, lang)
    with tabs["data.tab_import"]:
        import_tab(store, actor, lang, context.data.targets.duplicate_distance_m)
with tabs["data.tab_export"]:
    export_tab(store, lang)
with tabs["data.tab_history"]:
    history_tab(store, actor, lang)
