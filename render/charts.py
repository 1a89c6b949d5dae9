"""Charts of the check, as Altair specifications (rendered by the page, offline).

Vega and Vega-Lite ship inside Streamlit, so these charts need no network.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from geo.check import CheckResult
from geo.i18n import Lang, translate
from render.palette import BAND_COLOURS, INK, TARGET_COLOUR

__all__ = ["town_ranking"]


def town_ranking(result: CheckResult, names: dict[str, str], lang: Lang) -> alt.LayerChart:
    """Towns ranked by new area: bars coloured by progress, a vermillion tick at each target."""
    pct = round(result.close_ratio * 100)
    towns = result.towns
    frame = pd.DataFrame({
        "town": towns["town"].map(names),
        "new_area": towns["new_area_m2"],
        "target": towns["target_m2"],
        "band": towns["band"].map(lambda b: translate(f"band.{b}", lang, pct=pct)),
    })
    bands = [translate(f"band.{b}", lang, pct=pct) for b in BAND_COLOURS]
    order = frame.sort_values("new_area", ascending=False)["town"].tolist()
    area_title = translate("col.new_area", lang)
    y = alt.Y("town:N", sort=order, title=None, axis=alt.Axis(labelFontSize=15, labelLimit=260))
    # An outline keeps the light "far" bar visible on a white page and a washed-out projector.
    bars = alt.Chart(frame).mark_bar(stroke=INK, strokeWidth=0.75).encode(
        x=alt.X("new_area:Q", title=area_title, axis=alt.Axis(labelFontSize=13, format=",.0f")),
        y=y,
        color=alt.Color("band:N", title=None,
                        legend=alt.Legend(orient="bottom", direction="vertical", labelFontSize=13,
                                          symbolSize=220, symbolStrokeWidth=0.5),
                        scale=alt.Scale(domain=bands, range=list(BAND_COLOURS.values()))),
        tooltip=[alt.Tooltip("town:N", title=translate("col.town", lang)),
                 alt.Tooltip("new_area:Q", title=area_title, format=",.0f"),
                 alt.Tooltip("target:Q", title=translate("col.target", lang), format=",.0f")],
    )
    ticks = alt.Chart(frame).mark_tick(color=TARGET_COLOUR, thickness=3, size=26).encode(
        x="target:Q", y=y)
    return alt.layer(bars, ticks).properties(
        title=alt.TitleParams(translate("chart.title", lang), fontSize=16),
        height=alt.Step(34))
