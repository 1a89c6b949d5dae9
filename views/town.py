"""镇区达标 Town check: one town against its target, carrier by carrier.

What a town official opens (bookmarkable as ``?town=浏河镇``, ``&as_of=2019-06-30``
for the figures on a date): the verdict, its pace, which carriers count, why each
other one does not, and the town's problems.
"""

import streamlit as st

from dashboard.asof import (
    as_of_choice,
    as_of_context,
    as_of_notes,
    kept_params,
    pace_frequency,
    town_pace,
)
from dashboard.auth import current_actor
from dashboard.briefs import brief_section
from dashboard.data import open_configured_store
from dashboard.markdown import plain
from dashboard.sidebar import current
from dashboard.widgets import download_buttons, filter_banner, filter_lines, map_frame, table
from geo import format_area, format_progress, translate
from geo.cover import town_cover
from geo.store.users import home_town
from render.tables import (
    carrier_file_table,
    carrier_table,
    display_names,
    drop_blank,
    problem_table,
    town_carriers,
    town_problems,
)

context = current()
lang, boundaries = context.view.lang, context.data.boundaries
names = display_names(boundaries.towns, lang)


def _follow_choice() -> None:
    st.query_params["town"] = st.session_state["town_choice"]


asked = st.query_params.get("town")
if asked and boundaries.resolve(asked):
    st.session_state["town_choice"] = boundaries.resolve(asked)
elif asked:
    st.warning(plain(translate("town.unknown", lang, town=asked,
                               shown=names[boundaries.names[0]])))
elif "town_choice" not in st.session_state:  # no link to a town: a town editor's own town
    store = open_configured_store()
    own = home_town(current_actor(store), boundaries.names) if store is not None else None
    if own is not None:
        st.session_state["town_choice"] = own
town = st.selectbox(translate("town.choose", lang), boundaries.names, key="town_choice",
                    format_func=names.get, on_change=_follow_choice,
                    placeholder=translate("sidebar.choose", lang))
date_column, frequency_column, _ = st.columns([1, 1, 3], vertical_alignment="bottom")
with date_column:
    date = as_of_choice(context, lang)
with frequency_column:
    frequency = pace_frequency(context, lang)
context = as_of_context(context, date)
result = context.result
figures = result.towns.set_index("town").loc[town]

st.title(plain(names[town]))
filter_banner(context)
as_of_notes(context, lang)
shown = format_progress(figures, lang)
st.progress(min(1.0, float(figures["progress"])), text=translate(
    "town.progress", lang, area=shown.area, target=shown.target, pct=shown.pct))
if figures["met"]:
    st.success(translate("town.met", lang), icon=":material/check_circle:")
else:
    st.error(translate("town.not_met", lang, shortfall=shown.shortfall),
             icon=":material/error:")
projected, building, planned = st.columns(3)
projected.metric(translate("town.projected", lang), format_area(figures["projected_m2"], lang),
                 help=translate("town.projected_help", lang), border=True)
building.metric(translate("town.building_in_period", lang),
                format_area(figures["under_construction_in_period_m2"], lang), border=True)
planned.metric(translate("town.planned_in_period", lang),
               format_area(figures["planned_in_period_m2"], lang), border=True)
later, undated, pipeline = st.columns(3)
later.metric(translate("town.after_period", lang),
             format_area(figures["pipeline_after_period_m2"], lang), border=True)
undated.metric(translate("town.no_date", lang), format_area(figures["pipeline_no_date_m2"], lang),
               border=True)
pipeline.metric(translate("town.pipeline_all", lang), format_area(
    figures["under_construction_m2"] + figures["planned_m2"], lang), border=True,
    help=translate("town.pipeline_totals", lang,
                   building=format_area(figures["under_construction_m2"], lang),
                   planned=format_area(figures["planned_m2"], lang)))
st.caption(translate("town.pipeline_help", lang))
if figures["pipeline_before_period_m2"]:
    st.warning(translate("town.before_period", lang,
                         area=format_area(figures["pipeline_before_period_m2"], lang)))

town_pace(context, town, names, lang, frequency)

clicked = map_frame(context, key="town_map", height=480, focus=town)
if clicked and clicked != town:
    st.switch_page("views/town.py", query_params={"town": clicked, **kept_params()})

carriers = town_carriers(result, town)
listing = carrier_table(carriers, names, lang)
optional = [translate("col.location_check", lang), translate("col.expected", lang)]
for section, heading in (("counted", "town.counted"), ("other", "town.others"),
                         ("elsewhere", "town.elsewhere")):
    rows = (carriers["section"] == section).to_numpy()
    if section == "elsewhere" and not rows.any():
        continue
    st.subheader(translate(heading, lang, count=int(rows.sum())))
    if section == "elsewhere":
        st.caption(translate("town.elsewhere_help", lang))
    table(drop_blank(listing[rows], optional))
download_buttons(carrier_file_table(carriers, names, lang), f"{town}-carriers", lang,
                 key="town_download", cover=town_cover(result, town, names, lang,
                                                       context.data.sources))
brief_section(context, town, filter_lines=filter_lines(context), key="town_brief")

problems = town_problems(result, town)
st.subheader(translate("town.problems", lang, count=len(problems)))
if problems:
    table(problem_table(problems, lang))
else:
    st.caption(translate("report.no_problems", lang))
