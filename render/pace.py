"""The pace charts: cumulative progress against the straight line to the target (Altair).

They draw :func:`geo.progress.pace` as it is: every value in a chart's data is
a value of :class:`geo.progress.Pace` (``towns`` or ``city``), with labels
added for the reader; nothing here computes a figure. Vega ships inside
Streamlit, so the charts need no network; the specifications also serve the
presentation mode.

- The counted line is solid up to the as-of date and dashed and faded after
  it (the part the register already holds but that had not happened yet).
- The pace line is drawn in :data:`render.palette.TARGET_COLOUR`.
- A town behind pace says so in words (title, dropdown, subtitle), not only
  in colour.
- Fonts are at least 14 px, for a projector.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from geo.i18n import Lang, translate
from geo.progress import CITY_MEASURES, Pace
from render.palette import BAND_COLOURS, INK, TARGET_COLOUR

__all__ = ["LABEL_PX", "city_measure_chart", "city_pace_chart", "pace_chart", "town_status"]

LABEL_PX = 15
"""Axis labels and legends; titles are larger."""
_TITLE_PX = 20
_LINE_COLOUR = BAND_COLOURS["met"]
_DATE_FORMAT = {"zh": "%Y年%m月", "en": "%b %Y"}


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


def _as_of_rule(pace: Pace, lang: Lang) -> alt.Chart:
    """A thin vertical line at the as-of date, labelled on the side with more room."""
    frame = pd.DataFrame({"date": [pace.as_of.isoformat()],
                          "label": [translate("asof.label", lang, date=pace.as_of.isoformat())]})
    base = alt.Chart(frame)
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


def pace_chart(pace: Pace, names: dict[str, str], lang: Lang,
               town: str | None = None) -> alt.LayerChart:
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
    base = alt.Chart(frame)
    layers = _lines(base, "cumulative_area_m2", "pace_line_m2", lang,
                    translate("pace.area_axis", lang), ",.0f")
    chart = alt.layer(*layers, _as_of_rule(pace, lang))
    if town is None:
        labels = frame.drop_duplicates("town")["label"].tolist()
        behind = [label for t, label in zip(frame.drop_duplicates("town")["town"], labels,
                                            strict=True) if t in pace.behind]
        choice = alt.param(name="town_choice", value=(behind or labels)[0],
                           bind=alt.binding_select(options=labels,
                                                   name=translate("pace.choose_town", lang)))
        chart = alt.layer(*(layer.transform_filter(alt.datum.label == choice)
                            for layer in layers), _as_of_rule(pace, lang)).add_params(choice)
    return chart.properties(
        title=alt.TitleParams(title, subtitle=subtitle, fontSize=_TITLE_PX,
                              subtitleFontSize=LABEL_PX, anchor="start", color=INK,
                              subtitleColor=INK),
        height=360, width="container",
    ).configure_view(strokeWidth=0)


def city_measure_chart(pace: Pace, measure: str, lang: Lang) -> alt.LayerChart:
    """One city measure (``"new_carriers"`` or ``"research_institutes"``) against its goal.

    The lines are ``pace.city`` as it is. Research institutes count
    cumulatively (those opened before the period too), so their counted line
    starts at its value on the period start, labelled there ("期初 2"), not at
    0; the pace line is the domain's, from 0 to the goal.
    """
    frame = pace.city[pace.city["measure"] == measure].copy()
    frame["date"] = frame["period_end"].dt.strftime("%Y-%m-%d")
    frame = frame.drop(columns="period_end")
    summary = pace.city_summary.set_index("measure").loc[measure]
    label = translate(f"pace.{measure}", lang)
    base = alt.Chart(frame)
    layers = _lines(base, "cumulative", "pace_line", lang, translate("pace.count_axis", lang),
                    "d")
    start_value = int(frame["cumulative"].iloc[0]) if len(frame) else 0
    if start_value:
        start = frame.iloc[[0]].assign(
            text=translate("pace.start_value", lang, count=start_value))
        layers.append(alt.Chart(start).mark_text(
            align="left", baseline="bottom", dx=-4, dy=-14, fontSize=LABEL_PX, color=INK,
            fontWeight="bold").encode(x="date:T", y="cumulative:Q", text="text:N"))
    status = _status(bool(summary["behind"]), lang)
    return alt.layer(*layers, _as_of_rule(pace, lang)).properties(
        title=alt.TitleParams(f"{label} · {status}",
                              subtitle=translate("pace.goal", lang, goal=int(summary["goal"])),
                              fontSize=LABEL_PX + 3, subtitleFontSize=LABEL_PX,
                              anchor="start", color=INK, subtitleColor=INK),
        width="container", height=300)


def city_pace_chart(pace: Pace, lang: Lang, width: int = 360) -> alt.HConcatChart:
    """The city's new carriers and research institutes against their goals, side by side.

    :func:`city_measure_chart` of each of :data:`geo.progress.CITY_MEASURES`,
    ``width`` pixels each (a page that lays them out in columns may draw
    :func:`city_measure_chart` itself, each filling its column).
    """
    panels = [city_measure_chart(pace, measure, lang).properties(width=width)
              for measure in CITY_MEASURES]
    return alt.hconcat(*panels, spacing=36).properties(
        title=alt.TitleParams(translate("pace.city_title", lang), fontSize=_TITLE_PX,
                              anchor="start", color=INK),
    ).configure_view(strokeWidth=0).resolve_scale(color="shared")
