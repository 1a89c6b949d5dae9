"""总览 Overview: the city map, the headline figures and the towns ranked.

What a leader sees in a meeting. Clicking a town opens its page.
"""

import streamlit as st

from dashboard.sidebar import current
from dashboard.widgets import headline_figures, map_frame
from geo import translate
from render.charts import town_ranking
from render.tables import display_names

context = current()
lang, result = context.view.lang, context.result
st.title(translate("app.title", lang))
st.caption(translate("app.subtitle", lang, start=result.period_start, end=result.period_end))
headline_figures(result, lang)
map_column, chart_column = st.columns([3, 2], gap="small")
with map_column:
    clicked = map_frame(context, key="overview_map", height=600)
    st.caption(translate("map.click_hint", lang))
with chart_column:
    names = display_names(context.data.boundaries.towns, lang, short=True)
    st.altair_chart(town_ranking(result, names, lang), width="stretch")
if clicked:
    st.switch_page("views/town.py", query_params={"town": clicked})
