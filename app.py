"""创新载体地图 · Innovation Carrier Map — the Streamlit entry point.

Draws what every page shares (language, filters, basemap, data notes), checks
the data for those choices (cached), then runs the chosen page from
``views/``. A link with ``?town=…`` opens that town's page. A link with
``?present=1`` opens the presentation mode (:mod:`dashboard.present`) instead:
no sidebar, no chrome, ``views/present.py`` in place of the page the address names.
"""

from __future__ import annotations

import streamlit as st

from dashboard import present
from dashboard.auth import current_actor, keep_signed_in, sign_in_form, sign_in_status
from dashboard.auth import settings as auth_settings
from dashboard.data import (
    configured_paths,
    dataset,
    open_account_store,
    open_configured_store,
)
from dashboard.markdown import plain
from dashboard.sidebar import Context, language, remember, render_notes, render_sidebar
from geo import ConfigError, InputFileError, translate
from geo.store.access import StoreError

presenting = present.requested()
st.set_page_config(page_title="创新载体地图 · Innovation Carrier Map", page_icon="🗺️",
                   layout="wide", initial_sidebar_state="collapsed" if presenting else "auto")
if not presenting:
    st.html("<style>[data-testid='stMainBlockContainer'] {padding-top: 4.5rem;}</style>")
lang = present.session_language() if presenting else language()
# The page files live in views/, not pages/: Streamlit 1.67 treats a pages/ folder beside
# the entry script as its old multipage layout and answers a fresh visit to a bookmarked
# page (/town?town=…) with "Page not found" before this navigation is set up.
pages = {
    "overview": st.Page("views/overview.py", title=translate("page.overview", lang),
                        icon=":material/map:", url_path="overview", default=True),
    "town": st.Page("views/town.py", title=translate("page.town", lang),
                    icon=":material/location_city:", url_path="town"),
    "city": st.Page("views/city.py", title=translate("page.city", lang),
                    icon=":material/flag:", url_path="city"),
    "data": st.Page("views/data.py", title=translate("page.data", lang),
                    icon=":material/edit_note:", url_path="data"),
    "gaps": st.Page("views/gaps.py", title=translate("page.gaps", lang),
                    icon=":material/travel_explore:", url_path="gaps"),
}
if presenting:
    # The same addresses, each running the presentation page: leaving the mode shows the
    # page the address names, and ``town`` is the step, not a link to the town's page.
    page = st.navigation([st.Page("views/present.py", title=p.title, url_path=name,
                                  default=name == "overview") for name, p in pages.items()],
                         position="hidden")
else:
    page = st.navigation(list(pages.values()), position="top")
# Forward /?town=… only on a fresh visit (a bookmark): st.switch_page puts a town's query
# string on the overview's address first, so the Back button from a town page lands on
# /?town=…, which must show the overview, not forward again.
fresh_visit = not st.session_state.get("_visited")
st.session_state["_visited"] = True
if (not presenting and fresh_visit and page.url_path == pages["overview"].url_path
        and st.query_params.get("town")):
    st.switch_page(pages["town"], query_params=st.query_params.to_dict())

paths = configured_paths()
try:
    # Accounts live in the store, also when the register is read from files: signing in,
    # and CARRIER_MAP_LOGIN_TO_VIEW, hold the same in both modes.
    if open_configured_store() is not None or auth_settings().login_to_view:
        accounts = open_account_store()
        actor = current_actor(accounts)
        keep_signed_in()
        if actor is None and auth_settings().login_to_view:
            st.info(translate("auth.needed", lang))
            sign_in_form(accounts, lang, key="sign_in_to_view")
            st.stop()
        if not presenting:
            sign_in_status(accounts, actor, lang)
    data = dataset(paths)
    if presenting:
        view = present.session_view(lang)
        shown = present.mode_as_of(data, view.filters, lang)
        if shown.problem:
            st.warning(plain(shown.problem), icon=":material/event_busy:")
        context = Context(view=view, data=data, as_of=shown.date)
    else:
        view = render_sidebar(data, lang)
        context = Context(view=view, data=data)
except (InputFileError, ConfigError, StoreError) as error:
    # A file that cannot be used, or a database that cannot be opened (read-only, full,
    # damaged, newer than the program, unreachable): one message, never a traceback.
    st.error(f"**{translate('app.load_failed', lang)}**\n\n{plain(error.message(lang))}")
    st.stop()
if not presenting:
    render_notes(data, lang)
    present.switch(lang)
remember(context)
page.run()
