"""The pace charts: cumulative progress against the straight line to the target (Vega-Lite).

They draw :func:`geo.progress.pace` as it is: every value in a chart's data is
a value of :class:`geo.progress.Pace` (``towns`` or ``city``), with labels
added for the reader; nothing here computes a figure. Vega ships inside
Streamlit, so the charts need no network; the specifications also serve the
presentation mode.

Each chart is a Vega-Lite specification written as a ``dict`` (for
``st.vega_lite_chart``) whose data are named ``datasets`` held as DataFrames,
which Streamlit sends as Arrow. Not Altair: building these charts with it
took about 0.6 s a rerun (it validates every part as it is made), and its
default data step refuses more than 5,000 rows (the town chart of a province
of 1,250 towns has over 16,000). The tests check every spec against the
Vega-Lite schema.

- The counted line is solid up to the as-of date and dashed and faded after
  it (the part the register already holds but that had not happened yet).
- The pace line is drawn in :data:`render.palette.TARGET_COLOUR`.
- A town behind pace says so in words (title, dropdown, subtitle), not only
  in colour.
- Fonts are at least 14 px, for a projector.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from geo.i18n import Lang, translate
from geo.progress import Pace
from render.palette import BAND_COLOURS, INK, TARGET_COLOUR

__all__ = ["BEHIND_NAMED", "LABEL_PX", "Spec", "behind_sentence", "city_measure_spec",
           "first_choice", "pace_spec", "town_choices", "town_status"]

LABEL_PX = 15
"""Axis labels and legends; titles are larger."""
_TITLE_PX = 20
_LINE_COLOUR = BAND_COLOURS["met"]
_DATE_FORMAT = {"zh": "%Y年%m月", "en": "%b %Y"}
_TOWNS, _CITY, _AS_OF, _START = "pace_towns", "pace_city", "pace_as_of", "pace_start"
"""The names of the datasets a specification carries."""

Spec = dict[str, Any]
"""A Vega-Lite specification whose ``datasets`` are DataFrames."""


def _status(behind: bool, lang: Lang) -> str:
    return translate("pace.behind" if behind else "pace.on_pace", lang)


def town_status(pace: Pace, town: str, lang: Lang) -> str:
    """"Behind pace" or "On pace" for ``town`` on the pace's as-of date (the domain's verdict)."""
    row = pace.summary.set_index("town").loc[town]
    return _status(bool(row["behind"]), lang)


def _axis(**options: Any) -> dict[str, Any]:
    return {"labelFontSize": LABEL_PX, "titleFontSize": LABEL_PX, "labelColor": INK,
            "titleColor": INK, **options}


def _x(lang: Lang) -> dict[str, Any]:
    return {"field": "date", "type": "temporal", "title": None,
            "axis": _axis(format=_DATE_FORMAT.get(lang, "%Y-%m"), labelAngle=0,
                          tickCount={"interval": "month", "step": 6}, labelOverlap=True)}


def _lines(data: str, y: str, pace_y: str, lang: Lang, y_title: str,
           y_format: str) -> list[dict[str, Any]]:
    """The layers every pace chart shares: the pace line, the counted line (solid, then dashed)."""
    cumulative, line = translate("pace.cumulative", lang), translate("pace.line", lang)
    colour = {"field": "series", "type": "nominal", "title": None,
              "scale": {"domain": [cumulative, line], "range": [_LINE_COLOUR, TARGET_COLOUR]},
              "legend": {"orient": "top", "labelFontSize": LABEL_PX, "symbolType": "stroke",
                         "symbolStrokeWidth": 5, "symbolSize": 400, "symbolOpacity": 1,
                         "labelLimit": 400, "labelColor": INK}}

    def layer(series: str, y_field: str, mark: dict[str, Any],
              filters: list[dict[str, str]]) -> dict[str, Any]:
        return {"data": {"name": data}, "mark": {"type": "line", **mark},
                "transform": [{"calculate": json.dumps(series), "as": "series"}, *filters],
                "encoding": {"x": _x(lang), "color": colour,
                             "y": {"field": y_field, "type": "quantitative", "title": y_title,
                                   "axis": _axis(format=y_format)}}}

    return [
        layer(line, pace_y, {"strokeWidth": 3}, []),
        layer(cumulative, y, {"strokeWidth": 3, "strokeDash": [8, 6], "opacity": 0.55}, []),
        layer(cumulative, y, {"strokeWidth": 5, "point": {"size": 70, "filled": True,
                                                          "color": _LINE_COLOUR}},
              [{"filter": "!datum.after_as_of"}]),
    ]


def _as_of_frame(pace: Pace, lang: Lang) -> pd.DataFrame:
    return pd.DataFrame({"date": [pace.as_of.isoformat()],
                         "label": [translate("asof.label", lang, date=pace.as_of.isoformat())]})


def _as_of_rule(pace: Pace) -> dict[str, Any]:
    """A thin vertical line at the as-of date, labelled on the side with more room."""
    late = (pace.as_of - pace.period_start) > (pace.period_end - pace.as_of)
    x = {"field": "date", "type": "temporal"}
    return {"data": {"name": _AS_OF}, "layer": [
        {"mark": {"type": "rule", "color": INK, "strokeWidth": 1.5, "strokeDash": [2, 3]},
         "encoding": {"x": x}},
        {"mark": {"type": "text", "align": "right" if late else "left", "baseline": "top",
                  "dx": -6 if late else 6, "dy": 4, "fontSize": LABEL_PX, "color": INK},
         "encoding": {"x": x, "y": {"value": 0}, "text": {"field": "label", "type": "nominal"}}},
    ]}


def _title(text: str, subtitle: list[str] | str, size: int) -> dict[str, Any]:
    return {"text": text, "subtitle": subtitle, "fontSize": size, "subtitleFontSize": LABEL_PX,
            "anchor": "start", "color": INK, "subtitleColor": INK}


def _iso_dates(dates: pd.Series) -> pd.Series:
    """``YYYY-MM-DD`` text of each date (JSON has no date type), without a Python loop."""
    return pd.Series(dates.to_numpy().astype("datetime64[D]").astype(str), index=dates.index)


def _town_frame(pace: Pace, town: str, label: str) -> pd.DataFrame:
    """``pace.towns`` of one town with the reader's label; dates as ISO text (JSON)."""
    frame = pace.towns[pace.towns["town"] == town].reset_index(drop=True)
    frame["date"] = _iso_dates(frame.pop("period_end"))
    frame["label"] = label
    return frame


BEHIND_NAMED = 12
"""At most this many towns behind pace are named in a sentence; the rest are counted."""


def behind_sentence(behind: list[str], date: str, lang: Lang) -> str:
    """The towns behind pace (display names, in the order given) as one sentence.

    Over :data:`BEHIND_NAMED` towns the first are named and the rest counted:
    a province has hundreds behind, which no title or slide can list.
    """
    if not behind:
        return translate("pace.none_behind", lang, date=date)
    joined = ("、" if lang == "zh" else ", ").join(behind[:BEHIND_NAMED])
    if len(behind) <= BEHIND_NAMED:
        return translate("pace.behind_list", lang, date=date, towns=joined)
    return translate("pace.behind_list_more", lang, date=date, towns=joined,
                     more=len(behind) - BEHIND_NAMED, count=len(behind))


def _subtitle(pace: Pace, names: dict[str, str], lang: Lang) -> list[str]:
    date = pace.as_of.isoformat()
    lines = [behind_sentence([names.get(t, t) for t in pace.behind], date, lang)]
    if pace.towns["after_as_of"].any():
        lines.append(translate("pace.after_as_of", lang, date=date))
    return lines


def town_choices(pace: Pace, names: dict[str, str], lang: Lang) -> dict[str, str]:
    """Each town (boundary order) with the label a chooser shows: its name and its verdict."""
    return {town: _choice(names.get(town, town), bool(behind), lang)
            for town, behind in zip(pace.summary["town"], pace.summary["behind"], strict=True)}


def _choice(name: str, behind: bool, lang: Lang) -> str:
    return f"{name} · {_status(behind, lang)}"


def _town_label(pace: Pace, town: str, names: dict[str, str], lang: Lang) -> str:
    """The town's entry of :func:`town_choices`, without labelling every other town."""
    behind = pace.summary.loc[pace.summary["town"] == town, "behind"]
    name = names.get(town, town)
    return _choice(name, bool(behind.iloc[0]), lang) if len(behind) else name


def first_choice(pace: Pace) -> str | None:
    """The town a chooser starts on: the first behind pace, else the first town."""
    return next(iter(pace.behind), None) or next(iter(pace.summary["town"]), None)


def pace_spec(pace: Pace, names: dict[str, str], lang: Lang, town: str,
              overview: bool = False) -> Spec:
    """A town's cumulative counted area against the straight pace line to its target.

    Parameters
    ----------
    pace
        :func:`geo.progress.pace` of the check shown.
    names
        Display name of each town (``render.tables.display_names``).
    lang
        ``"zh"`` or ``"en"``.
    town
        The town drawn.
    overview
        ``True``: the Overview's chart, titled for the whole pace, whose
        subtitle names the towns behind pace (the town is chosen beside it,
        :func:`town_choices`); ``False``: titled with the town and its verdict.
    """
    label = _town_label(pace, town, names, lang)
    frame = _town_frame(pace, town, label)
    subtitle = _subtitle(pace, names, lang)
    if overview:
        title = translate("pace.title", lang)
    else:
        title = label
        subtitle = subtitle[1:]
    layers = _lines(_TOWNS, "cumulative_area_m2", "pace_line_m2", lang,
                    translate("pace.area_axis", lang), ",.0f")
    return {"title": _title(title, subtitle, _TITLE_PX), "width": "container",
            "height": 360, "layer": [*layers, _as_of_rule(pace)],
            "config": {"view": {"strokeWidth": 0}},
            "datasets": {_TOWNS: frame, _AS_OF: _as_of_frame(pace, lang)}}


def city_measure_spec(pace: Pace, measure: str, lang: Lang) -> Spec:
    """One city measure (``"new_carriers"`` or ``"research_institutes"``) against its goal.

    The lines are ``pace.city`` as it is. Research institutes count
    cumulatively (those opened before the period too), so their counted line
    starts at its value on the period start, labelled there ("期初 2"), not at
    0; the pace line is the domain's, from 0 to the goal.
    """
    frame = pace.city[pace.city["measure"] == measure].copy()
    frame["date"] = _iso_dates(frame.pop("period_end"))
    frame = frame.reset_index(drop=True)
    summary = pace.city_summary.set_index("measure").loc[measure]
    layers = _lines(_CITY, "cumulative", "pace_line", lang, translate("pace.count_axis", lang),
                    "d")
    datasets = {_CITY: frame, _AS_OF: _as_of_frame(pace, lang)}
    start_value = int(frame["cumulative"].iloc[0]) if len(frame) else 0
    if start_value:
        datasets[_START] = frame.iloc[[0]].assign(
            text=translate("pace.start_value", lang, count=start_value))
        layers.append({"data": {"name": _START},
                       "mark": {"type": "text", "align": "left", "baseline": "bottom", "dx": -4,
                                "dy": -14, "fontSize": LABEL_PX, "color": INK,
                                "fontWeight": "bold"},
                       "encoding": {"x": {"field": "date", "type": "temporal"},
                                    "y": {"field": "cumulative", "type": "quantitative"},
                                    "text": {"field": "text", "type": "nominal"}}})
    title = f"{translate(f'pace.{measure}', lang)} · {_status(bool(summary['behind']), lang)}"
    return {"title": _title(title, translate("pace.goal", lang, goal=int(summary["goal"])),
                            LABEL_PX + 3),
            "width": "container", "height": 300, "layer": [*layers, _as_of_rule(pace)],
            "config": {"view": {"strokeWidth": 0}}, "datasets": datasets}
