"""覆盖缺口 Coverage gaps: where each kind of carrier is far away, what a new one changes.

For the planner: the uncovered area for a type and radius, the towns that
lack the type, suggested sites, and a what-if scenario (session only).
"""

import streamlit as st

from dashboard import gaps
from dashboard.sidebar import current
from dashboard.widgets import filter_banner
from geo import translate

context = current()
lang = context.view.lang
st.title(translate("page.gaps", lang))
st.caption(translate("gapspage.intro", lang))
filter_banner(context)
chosen = gaps.choices(context)
if chosen is None:
    st.stop()
analysis = gaps.analyse(context, chosen)
sites = gaps.suggestions(context, chosen, analysis)
st.subheader(translate("gapspage.summary", lang))
with st.container():  # a fixed place for the summary, so the map below keeps its own
    gaps.city_summary(context, chosen, analysis)
gaps.map_section(context, chosen, analysis, sites)
gaps.town_section(context, chosen, analysis, sites)
gaps.sites_section(context, chosen, analysis, sites)
gaps.scenario_section(context, chosen, analysis)
