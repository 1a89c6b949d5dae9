"""The pace charts: cumulative progress against the straight line to the target (Vega-Lite).

They draw :func:`geo.progress.pace` as it is: every value in a chart's data is
a value of :class:`geo.progress.Pace` (``towns`` or ``city``), with labels
added for the reader; nothing here computes a figure. Vega ships inside
Streamlit, so the charts need no network; the specifications also serve the
presentation mode.

Each chart is a Vega-Lite specification (a ``dict`` for ``st.vega_lite_chart``)
whose data are named ``datasets`` held as DataFrames, which Streamlit sends
as Arrow. The layout is written with Altair but without data, so building it
does not grow with the towns; turning a DataFrame into JSON through Altair
took most of a rerun, and Altair's default refuses more than 5,000 rows (the
town chart of a province of 1,250 towns has over 16,000).

- The counted line is solid up to the as-of date and dashed and faded after
  it (the part the register already holds but that had not happened yet).
- The pace line is drawn in :data:`render.palette.TARGET_COLOUR`.
- A town behind pace says so in words (title, dropdown, subtitle), not only
  in colour.
- Fonts are at least 14 px, for a projector.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from geo.i18n import Lang, translate
from geo.progress import Pace
from render.palette import BAND_COLOURS, INK, TARGET_COLOUR

__all__ = ["LABEL_PX", "city_measure_spec", "pace_spec", "town_status"]

LABEL_PX = 15
"""Axis labels and legends; titles are larger."""
_TITLE_PX = 20
_LINE_COLOUR = BAND_COLOURS["met"]
_DATE_FORMAT = {"zh": "%Y年%m月", "en": "%b %Y"}
_TOWNS, _CITY, _AS_OF, _START = "pace_towns", "pace_city", "pace_as_of", "pace_start"
"""The names of the datasets a specification carries."""

Spec = dict[str, Any]
"""A Vega-Lite specification whose ``datasets`` are DataFrames."""


def _spec(chart: alt.TopLevelMixin, datasets: dict[str, pd.DataFrame]) -> Spec:
    """``chart`` (named data only) as a Vega-Lite dict carrying ``datasets``.

    The chart holds no data, so ``to_dict`` neither converts nor limits rows;
    the schema check is left to the tests (it took as long as the rest).
    """
    spec = chart.to_dict(validate=False)
    spec["datasets"] = datasets
    return spec


def _status(behind: bool, lang: Lang) -> str:
    return translate("pace.behind" if behind else "pace.on_pace", lang)


def town_status(pace: Pace, town: str, lang: Lang) -> str:
    """"Behind pace" or "On pace" for ``town`` on the pace's as-of date (the domain's verdict)."""
    row = pace.summary.set_index("town").loc[town]
    return _status(bool(row["behind"]), lang)


def _axis(**options) -> alt.Axis:
    return alt.Axis(labelFontSize=LABEL_PX, titleFontSize=LABEL_PX, labelColor=INK,
                    titleColor=INK, **options)


def _x(lang: Lang) -> alt.X:
    return alt.X("date:T", title=None,
                 axis=_axis(format=_DATE_FORMAT.get(lang, "%Y-%m"), labelAngle=0,
                            tickCount={"interval": "month", "step": 6}, labelOverlap=True))


def _lines(base: alt.Chart, y: str, pace_y: str, lang: Lang, y_title: str,
           y_format: str) -> list[alt.Chart]:
    """The layers every pace chart shares: pace line, counted line (solid, then dashed), rule."""
    legend_domain = [translate("pace.cumulative", lang), translate("pace.line", lang)]
    colour = alt.Color("series:N", title=None,
                       scale=alt.Scale(domain=legend_domain,
                                       range=[_LINE_COLOUR, TARGET_COLOUR]),
                       legend=alt.Legend(orient="top", labelFontSize=LABEL_PX,
                                         symbolType="stroke", symbolStrokeWidth=5,
                                         symbolSize=400, symbolOpacity=1, labelLimit=400,
                                         labelColor=INK))
    y_encoding = alt.Y(f"{y}:Q", title=y_title, axis=_axis(format=y_format))
    pace_line = base.transform_calculate(series=f"'{translate('pace.line', lang)}'").mark_line(
        strokeWidth=3).encode(x=_x(lang), y=alt.Y(f"{pace_y}:Q", title=y_title,
                                                  axis=_axis(format=y_format)), color=colour)
    counted = base.transform_calculate(
        series=f"'{translate('pace.cumulative', lang)}'").encode(
        x=_x(lang), y=y_encoding, color=colour)
    later = counted.mark_line(strokeWidth=3, strokeDash=[8, 6], opacity=0.55)
    until = counted.transform_filter("!datum.after_as_of").mark_line(
        strokeWidth=5, point=alt.OverlayMarkDef(size=70, filled=True, color=_LINE_COLOUR))
    return [pace_line, later, until]


def _as_of_frame(pace: Pace, lang: Lang) -> pd.DataFrame:
    return pd.DataFrame({"date": [pace.as_of.isoformat()],
                         "label": [translate("asof.label", lang, date=pace.as_of.isoformat())]})


def _as_of_rule(pace: Pace) -> alt.LayerChart:
    """A thin vertical line at the as-of date, labelled on the side with more room."""
    base = alt.Chart(alt.NamedData(name=_AS_OF))
    rule = base.mark_rule(color=INK, strokeWidth=1.5, strokeDash=[2, 3]).encode(x="date:T")
    late = (pace.as_of - pace.period_start) > (pace.period_end - pace.as_of)
    text = base.mark_text(align="right" if late else "left", baseline="top",
                          dx=-6 if late else 6, dy=4, fontSize=LABEL_PX, color=INK).encode(
        x="date:T", y=alt.value(0), text="label:N")
    return alt.layer(rule, text)


def _town_frame(pace: Pace, names: dict[str, str], lang: Lang) -> pd.DataFrame:
    """``pace.towns`` with the reader's labels; dates as ISO text (JSON)."""
    frame = pace.towns.copy()
    frame["date"] = frame["period_end"].dt.strftime("%Y-%m-%d")
    frame = frame.drop(columns="period_end")
    frame["name"] = frame["town"].map(lambda t: names.get(t, t))
    status = pace.summary.set_index("town")["behind"].map(lambda b: _status(bool(b), lang))
    frame["label"] = frame["name"] + " · " + frame["town"].map(status)
    return frame


def _subtitle(pace: Pace, names: dict[str, str], lang: Lang) -> list[str]:
    date = pace.as_of.isoformat()
    behind = [names.get(t, t) for t in pace.behind]
    first = (translate("pace.behind_list", lang, date=date, towns="、".join(behind)
                       if lang == "zh" else ", ".join(behind)) if behind
             else translate("pace.none_behind", lang, date=date))
    lines = [first]
    if pace.towns["after_as_of"].any():
        lines.append(translate("pace.after_as_of", lang, date=date))
    return lines


def pace_spec(pace: Pace, names: dict[str, str], lang: Lang, town: str | None = None) -> Spec:
    """Each town's cumulative counted area against the straight pace line to its target.

    Parameters
    ----------
    pace
        :func:`geo.progress.pace` of the check shown.
    names
        Display name of each town (``render.tables.display_names``).
    lang
        ``"zh"`` or ``"en"``.
    town
        One town: its line alone, titled with its verdict. ``None``: every
        town, one at a time, chosen in a dropdown below the chart that lists
        every town with its verdict (the first town behind pace is shown
        first), and the towns behind pace named in the subtitle.
    """
    frame = _town_frame(pace, names, lang)
    subtitle = _subtitle(pace, names, lang)
    if town is not None:
        frame = frame[frame["town"] == town]
        title = frame["label"].iloc[0] if len(frame) else names.get(town, town)
        subtitle = subtitle[1:]
    else:
        title = translate("pace.title", lang)
    base = alt.Chart(alt.NamedData(name=_TOWNS))
    layers = _lines(base, "cumulative_area_m2", "pace_line_m2", lang,
                    translate("pace.area_axis", lang), ",.0f")
    chart = alt.layer(*layers, _as_of_rule(pace))
    if town is None:
        first = frame.drop_duplicates("town")
        labels = first["label"].tolist()
        behind = first.loc[first["town"].isin(pace.behind), "label"].tolist()
        choice = alt.param(name="town_choice", value=(behind or labels)[0],
                           bind=alt.binding_select(options=labels,
                                                   name=translate("pace.choose_town", lang)))
        chart = alt.layer(*(layer.transform_filter(alt.datum.label == choice)
                            for layer in layers), _as_of_rule(pace)).add_params(choice)
    chart = chart.properties(
        title=alt.TitleParams(title, subtitle=subtitle, fontSize=_TITLE_PX,
                              subtitleFontSize=LABEL_PX, anchor="start", color=INK,
                              subtitleColor=INK),
        height=360, width="container",
    ).configure_view(strokeWidth=0)
    return _spec(chart, {_TOWNS: frame.reset_index(drop=True),
                         _AS_OF: _as_of_frame(pace, lang)})


def city_measure_spec(pace: Pace, measure: str, lang: Lang) -> Spec:
    """One city measure (``"new_carriers"`` or ``"research_institutes"``) against its goal.

    The lines are ``pace.city`` as it is. Research institutes count
    cumulatively (those opened before the period too), so their counted line
    starts at its value on the period start, labelled there ("期初 2"), not at
    0; the pace line is the domain's, from 0 to the goal.
    """
    frame = pace.city[pace.city["measure"] == measure].copy()
    frame["date"] = frame["period_end"].dt.strftime("%Y-%m-%d")
    frame = frame.drop(columns="period_end").reset_index(drop=True)
    summary = pace.city_summary.set_index("measure").loc[measure]
    label = translate(f"pace.{measure}", lang)
    base = alt.Chart(alt.NamedData(name=_CITY))
    layers = _lines(base, "cumulative", "pace_line", lang, translate("pace.count_axis", lang),
                    "d")
    datasets = {_CITY: frame, _AS_OF: _as_of_frame(pace, lang)}
    start_value = int(frame["cumulative"].iloc[0]) if len(frame) else 0
    if start_value:
        datasets[_START] = frame.iloc[[0]].assign(
            text=translate("pace.start_value", lang, count=start_value))
        layers.append(alt.Chart(alt.NamedData(name=_START)).mark_text(
            align="left", baseline="bottom", dx=-4, dy=-14, fontSize=LABEL_PX, color=INK,
            fontWeight="bold").encode(x="date:T", y="cumulative:Q", text="text:N"))
    status = _status(bool(summary["behind"]), lang)
    chart = alt.layer(*layers, _as_of_rule(pace)).properties(
        title=alt.TitleParams(f"{label} · {status}",
                              subtitle=translate("pace.goal", lang, goal=int(summary["goal"])),
                              fontSize=LABEL_PX + 3, subtitleFontSize=LABEL_PX,
                              anchor="start", color=INK, subtitleColor=INK),
        width="container", height=300).configure_view(strokeWidth=0)
    return _spec(chart, datasets)
