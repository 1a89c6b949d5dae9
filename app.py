"""创新载体地图 · Innovation Carrier Map — minimal dashboard page.

Shows the town check for the bundled data (the full map dashboard is built
on top of this). All figures come from ``geo``; this file only lays them out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from geo import CheckResult, format_area, load_dataset, translate
from geo.i18n import LANGS
from geo.settings import BUNDLED_BOUNDARIES, BUNDLED_CARRIERS, BUNDLED_TARGETS


def _file_version(path: Path) -> tuple[str, int, int]:
    """Path, modification time and size: changes whenever the file is replaced or edited."""
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@st.cache_data(show_spinner=False)
def _check(*file_versions: tuple[str, int, int]) -> CheckResult:
    """Load and check the bundled data once per version of its files.

    The key is cheap to compute (a ``stat`` per file), so a rerun caused by a
    widget neither reads nor hashes any file.
    """
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
lang = st.sidebar.radio("语言 / Language", LANGS,
                        format_func=lambda code: {"zh": "中文", "en": "English"}[code])
result = _check(*(_file_version(p) for p in (BUNDLED_CARRIERS, BUNDLED_BOUNDARIES,
                                               BUNDLED_TARGETS)))
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
