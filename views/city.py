"""全市目标 City targets: every town's status, the city-wide goals, the data quality.

What a planner or the science bureau reviews and downloads.
"""

import pandas as pd
import streamlit as st

from dashboard.sidebar import current
from dashboard.widgets import download_buttons, filter_banner, headline_figures, table
from geo import translate
from geo.check import goal_met
from geo.cover import city_cover, problems_cover
from render.tables import display_names, problem_table, town_bands, town_table

context = current()
lang, result = context.view.lang, context.result
city = result.city
st.title(translate("page.city", lang))
st.caption(translate("app.subtitle", lang, start=result.period_start, end=result.period_end))
filter_banner(context)
headline_figures(result, lang)

st.subheader(translate("city.towns", lang))
towns = town_table(result, display_names(context.data.boundaries.towns, lang), lang,
                   ranked=True)  # worst first
progress = translate("col.progress", lang)
table(towns.assign(**{progress: towns[progress] * 100}), progress_column=progress,
      band_column=translate("col.band", lang), bands=town_bands(result, ranked=True))
download_buttons(towns, "towns", lang, key="towns_download",
                 cover=city_cover(result, lang, context.data.sources))

st.subheader(translate("city.targets", lang))
goals = [("kpi.towns_met", city.towns_met, city.towns_total),
         ("kpi.new_carriers", city.new_carriers, city.new_carriers_goal),
         ("kpi.institutes", city.research_institutes, city.research_institutes_goal)]
st.dataframe(pd.DataFrame({
    translate("col.item", lang): [translate(code, lang, goal=goal) for code, _, goal in goals],
    translate("col.actual", lang): [actual for _, actual, _ in goals],
    translate("col.goal", lang): [goal for _, _, goal in goals],
    translate("col.band", lang): [translate("city.goal_met" if goal_met(actual, goal)
                                            else "city.goal_not_met", lang)
                                  for _, actual, goal in goals],
}), hide_index=True)

st.subheader(translate("city.quality", lang, count=len(result.problems)))
if result.notes:
    with st.expander(translate("report.notes", lang, count=len(result.notes))):
        table(problem_table(result.notes, lang))
if result.problems:
    problems = problem_table(result.problems, lang)
    table(problems)
    download_buttons(problems, "data-problems", lang, key="problems_download",
                     cover=problems_cover(result, lang, context.data.sources))
else:
    st.success(translate("report.no_problems", lang))
