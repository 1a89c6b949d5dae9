"""Charts of the check, as Vega-Lite specifications (rendered by the page, offline).

Vega and Vega-Lite ship inside Streamlit, so these charts need no network.
Written as plain ``dict`` specs with the data as a named DataFrame (sent as
Arrow), like :mod:`render.pace`: Altair took about 0.2 s to build this chart
on every rerun. The tests check it against the Vega-Lite schema.
"""

from __future__ import annotations

import pandas as pd

from geo.check import CheckResult, ranking
from geo.i18n import Lang, format_area, format_progress, translate
from render.pace import Spec
from render.palette import BAND_COLOURS, INK, TARGET_COLOUR

__all__ = ["RANKING_LIMIT", "town_ranking"]

_RANKING = "ranking"
"""The name of the ranking's dataset."""
RANKING_LIMIT = 30
"""Above this many towns the chart shows only the ones furthest from target (a bar is
34 px: 1,250 towns made a chart 42,000 px tall that took the browser two seconds)."""


def town_ranking(result: CheckResult, names: dict[str, str], lang: Lang) -> Spec:
    """Towns ranked by new area: bars coloured by progress, a vermillion tick at each target.

    Over :data:`RANKING_LIMIT` towns, the :data:`RANKING_LIMIT` furthest from
    target (:func:`geo.check.ranking`, the order every list of towns uses),
    worst first, and the title says how many there are in all.
    """
    pct = round(result.close_ratio * 100)
    towns = result.towns
    title = translate("chart.title", lang)
    if len(towns) > RANKING_LIMIT:
        shortlist = ranking(result)[:RANKING_LIMIT]
        towns = towns.set_index("town").loc[shortlist].reset_index()
        title = translate("chart.title_shortlist", lang, count=RANKING_LIMIT,
                          total=len(result.towns))
    frame = pd.DataFrame({
        "town": towns["town"].map(names),
        "new_area": towns["new_area_m2"],
        "new_area_text": [format_progress(row, lang).area for row in towns.to_dict("records")],
        "target": towns["target_m2"],
        "target_text": towns["target_m2"].map(lambda v: format_area(v, lang)),
        "band": towns["band"].map(lambda b: translate(f"band.{b}", lang, pct=pct)),
    })
    bands = [translate(f"band.{b}", lang, pct=pct) for b in BAND_COLOURS]
    order = (frame["town"].tolist() if len(result.towns) > RANKING_LIMIT
             else frame.sort_values("new_area", ascending=False)["town"].tolist())
    area_title = translate("col.new_area", lang)
    y = {"field": "town", "type": "nominal", "sort": order, "title": None,
         "axis": {"labelFontSize": 15, "labelLimit": 260}}
    # An outline keeps the light "far" bar visible on a white page and a washed-out projector.
    bars = {"mark": {"type": "bar", "stroke": INK, "strokeWidth": 0.75}, "encoding": {
        "x": {"field": "new_area", "type": "quantitative", "title": area_title,
              "axis": {"labelFontSize": 13, "format": ",.0f"}},
        "y": y,
        "color": {"field": "band", "type": "nominal", "title": None,
                  "legend": {"orient": "bottom", "direction": "vertical", "labelFontSize": 13,
                             "symbolSize": 220, "symbolStrokeWidth": 0.5},
                  "scale": {"domain": bands, "range": list(BAND_COLOURS.values())}},
        "tooltip": [
            {"field": "town", "type": "nominal", "title": translate("col.town", lang)},
            {"field": "new_area_text", "type": "nominal", "title": area_title},
            {"field": "target_text", "type": "nominal", "title": translate("col.target", lang)}]}}
    ticks = {"mark": {"type": "tick", "color": TARGET_COLOUR, "thickness": 3, "size": 26},
             "encoding": {"x": {"field": "target", "type": "quantitative"}, "y": y}}
    return {"title": {"text": title, "fontSize": 16},
            "height": {"step": 34}, "data": {"name": _RANKING}, "layer": [bars, ticks],
            "datasets": {_RANKING: frame.reset_index(drop=True)}}
