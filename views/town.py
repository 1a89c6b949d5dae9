"""镇区达标 Town check: one town against its target, carrier by carrier.

What a town official opens (bookmarkable as ``?town=浏河镇``): the verdict,
which carriers count, why each other one does not, and the town's problems.
"""

import streamlit as st

from dashboard.sidebar import current
from dashboard.widgets import download_buttons, map_frame, table
from geo import format_area, translate
from geo.tables import carrier_table, display_names, problem_table, town_carriers, town_problems

context = current()
lang, result, boundaries = context.view.lang, context.result, context.data.boundaries
names = display_names(boundaries.towns, lang)


def _follow_choice() -> None:
    st.query_params["town"] = st.session_state["town_choice"]


asked = st.query_params.get("town")
if asked and boundaries.resolve(asked):
    st.session_state["town_choice"] = boundaries.resolve(asked)
elif asked:
    st.warning(translate("town.unknown", lang, town=asked, shown=names[boundaries.names[0]]))
town = st.selectbox(translate("town.choose", lang), boundaries.names, key="town_choice",
                    format_func=names.get, on_change=_follow_choice,
                    placeholder=translate("sidebar.choose", lang))
figures = result.towns.set_index("town").loc[town]

st.title(names[town])
st.progress(min(1.0, float(figures["progress"])), text=translate(
    "town.progress", lang, area=format_area(figures["new_area_m2"], lang),
    target=format_area(figures["target_m2"], lang), pct=f"{figures['progress'] * 100:.0f}"))
if figures["met"]:
    st.success(translate("town.met", lang), icon=":material/check_circle:")
else:
    st.error(translate("town.not_met", lang, shortfall=format_area(figures["shortfall_m2"], lang)),
             icon=":material/error:")
projected, building, planned = st.columns(3)
projected.metric(translate("town.projected", lang), format_area(figures["projected_m2"], lang),
                 border=True)
building.metric(translate("town.building", lang),
                format_area(figures["under_construction_m2"], lang), border=True)
planned.metric(translate("town.planned", lang), format_area(figures["planned_m2"], lang),
               border=True)

clicked = map_frame(context, key="town_map", height=480, focus=town)
if clicked and clicked != town:
    st.switch_page("views/town.py", query_params={"town": clicked})

carriers = town_carriers(result, town)
listing = carrier_table(carriers, names, lang)
counts = (carriers["reason"] == "counted").to_numpy()
st.subheader(translate("town.counted", lang, count=int(counts.sum())))
table(listing[counts])
st.subheader(translate("town.others", lang, count=int((~counts).sum())))
table(listing[~counts])
download_buttons(listing, f"{town}-carriers", lang, key="town_download")

problems = town_problems(result, town)
st.subheader(translate("town.problems", lang, count=len(problems)))
if problems:
    table(problem_table(problems, lang))
else:
    st.caption(translate("report.no_problems", lang))
