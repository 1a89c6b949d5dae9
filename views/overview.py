"""总览 Overview: the city map, the headline figures, the towns ranked and their pace.

What a leader sees in a meeting, as of a date (default today, at most the
period end; ``?as_of=`` bookmarks another). Clicking a town opens its page.
"""

import streamlit as st

from dashboard.asof import (
    as_of_choice,
    as_of_context,
    as_of_notes,
    kept_params,
    pace_frequency,
    pace_section,
)
from dashboard.briefs import brief_section
from dashboard.sidebar import current
from dashboard.widgets import filter_banner, filter_lines, headline_figures, map_frame
from geo import translate
from render.charts import RANKING_LIMIT, town_ranking
from render.tables import display_names

context = current()
lang = context.view.lang
if "town" in st.query_params:  # reached by the Back button from a town: the overview's own link
    del st.query_params["town"]
st.title(translate("app.title", lang))
start, end = context.period
st.caption(translate("app.subtitle", lang, start=start, end=end))
filter_banner(context)
date_column, frequency_column, _ = st.columns([1, 1, 3], vertical_alignment="bottom")
with date_column:
    date = as_of_choice(context, lang)
with frequency_column:
    frequency = pace_frequency(context, lang)
context = as_of_context(context, date)
result = context.result
as_of_notes(context, lang)
headline_figures(result, lang)
map_column, chart_column = st.columns([3, 2], gap="small")
with map_column:
    clicked = map_frame(context, key="overview_map", height=600)
    st.caption(translate("map.click_hint", lang))
with chart_column:
    names = display_names(context.data.boundaries.towns, lang, short=True)
    st.vega_lite_chart(town_ranking(result, names, lang), width="stretch")
    if len(result.towns) > RANKING_LIMIT:
        st.caption(translate("chart.shortlist_note", lang, count=RANKING_LIMIT,
                             total=len(result.towns)))
st.subheader(translate("pace.heading", lang))
pace_section(context, names, lang, frequency)
st.subheader(translate("brief.heading", lang))
brief_section(context, filter_lines=filter_lines(context))
if clicked:
    st.switch_page("views/town.py", query_params={"town": clicked, **kept_params()})
