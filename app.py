"""创新载体地图 · Innovation Carrier Map — minimal dashboard page.

Shows the town check for the bundled data (the full map dashboard is built
on top of this). All figures come from ``geo``; this file only lays them out.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import CheckResult, file_digest, format_area, load_dataset, translate
from geo.settings import BUNDLED_BOUNDARIES, BUNDLED_CARRIERS, BUNDLED_TARGETS


@st.cache_data(show_spinner=False)
def _check(carriers_digest: str, boundaries_digest: str, targets_digest: str) -> CheckResult:
    """Load and check the bundled data once per content (digests are the cache key)."""
    return load_dataset().check()


def _town_table(result: CheckResult, lang: str) -> pd.DataFrame:
    towns = result.towns
    return pd.DataFrame({
        translate("report.town", lang): towns["town"],
        translate("report.target", lang): towns["target_m2"].map(lambda v: format_area(v, lang)),
        translate("report.new_area", lang): towns["new_area_m2"].map(
            lambda v: format_area(v, lang)),
        translate("report.met", lang): towns["met"].map(
            {True: translate("report.yes", lang), False: translate("report.no", lang)}),
        translate("report.shortfall", lang): towns["shortfall_m2"].map(
            lambda v: format_area(v, lang)),
    })


st.set_page_config(page_title="创新载体地图 · Innovation Carrier Map", layout="wide")
lang = st.sidebar.radio("语言 / Language", ["zh", "en"],
                        format_func=lambda code: {"zh": "中文", "en": "English"}[code])
result = _check(file_digest(BUNDLED_CARRIERS), file_digest(BUNDLED_BOUNDARIES),
                file_digest(BUNDLED_TARGETS))
st.title(translate("report.title", lang, start=result.period_start.isoformat(),
                   end=result.period_end.isoformat()))
if result.approximate_boundaries:
    st.warning(translate("note.approximate", lang))
if result.illustrative_count:
    st.info(translate("note.illustrative", lang, count=result.illustrative_count))
city = result.city
st.markdown("\n".join([
    "- " + translate("report.towns_met", lang, met=city["towns_met"], total=city["towns_total"]),
    "- " + translate("report.city_new", lang, count=city["new_carriers"],
                     goal=city["new_carriers_goal"]),
    "- " + translate("report.city_institutes", lang, count=city["research_institutes"],
                     goal=city["research_institutes_goal"]),
]))
st.dataframe(_town_table(result, lang), hide_index=True, width="stretch")
if result.problems:
    st.subheader(translate("report.problems", lang, count=len(result.problems)))
    st.dataframe(pd.DataFrame([p.as_dict(lang) for p in result.problems]), hide_index=True)
