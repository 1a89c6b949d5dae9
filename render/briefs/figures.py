"""The drawings of a brief (matplotlib, no display, no pyplot): maps and charts as SVG.

Each function takes the domain's results and returns an SVG document; text is
drawn as outlines in the brief's CJK font, so the PDF engine needs no font for
it. Colours and the second cues (the band as text, the type's letter) come from
:mod:`render.palette` only. Nothing here decides a figure: bands, pace lines and
areas are the domain's (:mod:`geo.check`, :mod:`geo.progress`).

Only the object-oriented API is used (``Figure``, never ``pyplot``): no global
state, no window, safe in a server that draws for several sessions at once.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.dates import DateFormatter, MonthLocator, YearLocator
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import Bbox

from geo.check import CheckResult
from geo.i18n import Lang, format_progress, translate
from geo.progress import Pace
from render.palette import (
    BAND_COLOURS,
    BAND_TEXT_COLOURS,
    INK,
    MISSING_COLOUR,
    TARGET_COLOUR,
    TYPE_COLOURS,
    TYPE_LETTERS,
)

__all__ = ["city_map", "pace_chart", "ranking_chart", "town_map"]

_MM = 1 / 25.4
_NEIGHBOUR = "#eeeeee"
_COUNTED_LINE = BAND_COLOURS["met"]
_LATER = "#9e9e9e"


def _font(family: str, size: float, weight: str = "normal") -> FontProperties:
    return FontProperties(family=[family, "DejaVu Sans"], size=size, weight=weight)


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None}, bbox_inches="tight",
                   pad_inches=0.02)
    return out.getvalue()


def _path(geometry: shapely.Geometry) -> MplPath:
    """A (multi)polygon as one matplotlib path, holes included."""
    vertices, codes = [], []
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.asarray(ring.coords)[:, :2]
            vertices.append(coords)
            codes.append([MplPath.MOVETO] + [MplPath.LINETO] * (len(coords) - 2)
                         + [MplPath.CLOSEPOLY])
    if not vertices:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _geographic(ax, bounds: tuple[float, float, float, float], pad: float = 0.04) -> None:
    """Frame ``bounds`` (lon/lat) with true proportions at their latitude, no axes."""
    minx, miny, maxx, maxy = bounds
    dx, dy = max(maxx - minx, 1e-3), max(maxy - miny, 1e-3)
    ax.set_xlim(minx - dx * pad, maxx + dx * pad)
    ax.set_ylim(miny - dy * pad, maxy + dy * pad)
    ax.set_aspect(1 / max(math.cos(math.radians((miny + maxy) / 2)), 0.1))
    ax.set_axis_off()


def _band_label(band: str, result: CheckResult, lang: Lang) -> str:
    return translate(f"band.{band}", lang, pct=round(result.close_ratio * 100))


def _band_legend(ax, result: CheckResult, lang: Lang, family: str, **where) -> None:
    handles = [Patch(facecolor=BAND_COLOURS[b], edgecolor=INK, linewidth=0.5,
                     label=_band_label(b, result, lang)) for b in BAND_COLOURS]
    ax.legend(handles=handles, prop=_font(family, 6.5), frameon=False, **where)


def city_map(result: CheckResult, towns: gpd.GeoDataFrame, names: Mapping[str, str],
             lang: Lang, family: str) -> str:
    """Every town filled by its band, with its name and its band written on it."""
    figure = Figure(figsize=(100 * _MM, 100 * _MM))
    ax = figure.add_axes((0, 0, 1, 1))
    bands = dict(zip(result.towns["town"], result.towns["band"], strict=True))
    patches, colours = [], []
    for name, geometry in zip(towns["name"], towns.geometry, strict=True):
        patches.append(PathPatch(_path(geometry)))
        colours.append(BAND_COLOURS.get(bands.get(name), MISSING_COLOUR))
    ax.add_collection(PatchCollection(patches, facecolors=colours, edgecolors=INK,
                                      linewidths=0.6))
    _geographic(ax, tuple(towns.total_bounds))
    labels = []
    for name, geometry in zip(towns["name"], towns.geometry, strict=True):
        point = geometry.representative_point()
        band = bands.get(name)
        ink = BAND_TEXT_COLOURS.get(band, INK)
        halo = [patheffects.withStroke(linewidth=2.2,
                                       foreground=BAND_COLOURS.get(band, MISSING_COLOUR))]
        size = 7 if lang == "zh" else 6.5
        label = ax.text(point.x, point.y, names.get(name, name), ha="center", va="bottom",
                        color=ink, fontproperties=_font(family, size, "bold"), path_effects=halo)
        parts = [label]
        if band:
            parts.append(ax.text(point.x, point.y, _band_label(band, result, lang),
                                 ha="center", va="top", color=ink, path_effects=halo,
                                 fontproperties=_font(family, size - 1)))
        labels.append(parts)
    _separate(figure, ax, labels)
    _band_legend(ax, result, lang, family, loc="lower left")
    return _svg(figure)


def _separate(figure: Figure, ax, labels: list[list], rounds: int = 40) -> None:
    """Move overlapping town labels apart vertically (each label: its name and band texts)."""
    renderer = FigureCanvasAgg(figure).get_renderer()
    to_data = ax.transData.inverted()

    def box(parts: list):
        extents = [part.get_window_extent(renderer) for part in parts]
        return Bbox.union(extents).expanded(1.04, 1.08)

    def shift(parts: list, pixels: float) -> None:
        for part in parts:
            x, y = part.get_position()
            sx, sy = ax.transData.transform((x, y))
            part.set_position(tuple(to_data.transform((sx, sy + pixels))))

    for _ in range(rounds):
        moved = False
        boxes = [box(parts) for parts in labels]
        for i in range(len(labels)):
            for j in range(i + 1, len(labels)):
                a, b = boxes[i], boxes[j]
                if not a.overlaps(b):
                    continue
                overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
                upper, lower = (i, j) if a.y0 + a.y1 >= b.y0 + b.y1 else (j, i)
                shift(labels[upper], overlap / 2 + 1)
                shift(labels[lower], -(overlap / 2 + 1))
                boxes[upper], boxes[lower] = box(labels[upper]), box(labels[lower])
                moved = True
        if not moved:
            return


def town_map(result: CheckResult, towns: gpd.GeoDataFrame, town: str,
             carriers: pd.DataFrame, names: Mapping[str, str], lang: Lang,
             family: str) -> str:
    """The town in its band's colour among its neighbours, with its carriers.

    ``carriers`` are :func:`render.tables.town_carriers`' rows; those that
    count are drawn solid, the others hollow (a cue that survives greyscale).
    Each marker carries the type's colour and its letter
    (:data:`render.palette.TYPE_LETTERS`).
    """
    band = result.towns.set_index("town")["band"].get(town)
    focus = towns.loc[towns["name"] == town].geometry
    others = towns.loc[towns["name"] != town]
    bounds = list(focus.total_bounds) if len(focus) else list(towns.total_bounds)
    placed = carriers[carriers["has_point"].astype(bool) & carriers["lon"].notna()
                      & carriers["lat"].notna()]
    if len(placed):
        bounds = [min(bounds[0], placed["lon"].min()), min(bounds[1], placed["lat"].min()),
                  max(bounds[2], placed["lon"].max()), max(bounds[3], placed["lat"].max())]
    stretch = 1 / max(math.cos(math.radians((bounds[1] + bounds[3]) / 2)), 0.1)
    ratio = (bounds[3] - bounds[1]) * stretch / max(bounds[2] - bounds[0], 1e-3)
    width = 88 * _MM
    figure = Figure(figsize=(width, width * min(max(ratio, 0.5), 0.8) + 14 * _MM))
    ax = figure.add_axes((0, 14 / (figure.get_figheight() / _MM), 1,
                          1 - 14 / (figure.get_figheight() / _MM)))
    ax.add_collection(PatchCollection([PathPatch(_path(g)) for g in others.geometry],
                                      facecolors=_NEIGHBOUR, edgecolors="#9e9e9e",
                                      linewidths=0.5))
    ax.add_collection(PatchCollection([PathPatch(_path(g)) for g in focus],
                                      facecolors=BAND_COLOURS.get(band, MISSING_COLOUR),
                                      edgecolors=INK, linewidths=1.2, alpha=0.85))
    _geographic(ax, tuple(bounds), pad=0.08)
    xmin, xmax = ax.get_xlim()
    ymin, ymax = ax.get_ylim()
    for name, geometry in zip(others["name"], others.geometry, strict=True):
        point = geometry.representative_point()
        if xmin < point.x < xmax and ymin < point.y < ymax:
            ax.text(point.x, point.y, names.get(name, name), ha="center", va="center",
                    color="#616161", fontproperties=_font(family, 6.5))
    letters = TYPE_LETTERS[lang]
    for row in placed.itertuples():
        colour = TYPE_COLOURS.get(row.type, MISSING_COLOUR)
        counts = row.section == "counted"
        ax.scatter([row.lon], [row.lat], s=95, zorder=3,
                   facecolors=colour if counts else "white",
                   edgecolors="white" if counts else colour, linewidths=0.8 if counts else 1.5)
        ax.text(row.lon, row.lat, letters.get(row.type, "?"), ha="center", va="center",
                color="white" if counts else colour, zorder=4,
                fontproperties=_font(family, 6, "bold"))
    handles = [Line2D([], [], marker="o", linestyle="", markersize=6, color=TYPE_COLOURS[kind],
                      label=f"{letters[kind]}  {translate(f'type.{kind}', lang)}")
               for kind in TYPE_COLOURS]
    handles.append(Line2D([], [], marker="o", linestyle="", markersize=6, markerfacecolor="white",
                          markeredgecolor=INK, markeredgewidth=1.2,
                          label=translate("brief.hollow", lang)))
    figure.legend(handles=handles, prop=_font(family, 6), frameon=False, loc="lower center",
                  ncol=3, columnspacing=1.0, handletextpad=0.3)
    return _svg(figure)


def _thousands(value: float, _position: object = None) -> str:
    return f"{value:,.0f}"


def ranking_chart(result: CheckResult, names: Mapping[str, str], lang: Lang,
                  family: str) -> str:
    """Towns ranked by new area: bars in the band colours, a tick at each target.

    The order and the marks are those of :func:`render.charts.town_ranking` on
    the Overview page; each bar also carries its area as text.
    """
    towns = result.towns.sort_values("new_area_m2", ascending=False, kind="stable")
    figure = Figure(figsize=(80 * _MM, (22 + 7.5 * len(towns)) * _MM))
    ax = figure.add_subplot()
    y = np.arange(len(towns))
    ax.barh(y, towns["new_area_m2"], color=[BAND_COLOURS[b] for b in towns["band"]],
            edgecolor=INK, linewidth=0.5, height=0.7)
    for position, target in zip(y, towns["target_m2"], strict=True):
        ax.plot([target, target], [position - 0.45, position + 0.45], color=TARGET_COLOUR,
                linewidth=2.2, solid_capstyle="butt")
    top = float(max(towns["new_area_m2"].max(), towns["target_m2"].max(), 1.0))
    for position, row in zip(y, towns.to_dict("records"), strict=True):
        ax.text(max(row["new_area_m2"], row["target_m2"]) + top * 0.03, position,
                format_progress(row, lang).area, va="center", color=INK,
                fontproperties=_font(family, 6))
    ax.set_xlim(0, top * 1.35)
    ax.set_yticks(y, [names.get(t, t) for t in towns["town"]])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.tick_params(labelsize=6.5, labelfontfamily=family)
    ax.set_xlabel(translate("col.new_area", lang), fontproperties=_font(family, 6.5))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles = [Patch(facecolor=BAND_COLOURS[b], edgecolor=INK, linewidth=0.5,
                     label=_band_label(b, result, lang)) for b in BAND_COLOURS]
    handles.append(Line2D([], [], color=TARGET_COLOUR, linewidth=2.2,
                          label=translate("brief.target_tick", lang)))
    ax.legend(handles=handles, prop=_font(family, 6), frameon=False, loc="upper center",
              bbox_to_anchor=(0.45, -0.16 - 0.9 / max(len(towns), 1)), ncol=2)
    return _svg(figure)


def pace_chart(pace: Pace, town: str, lang: Lang, family: str) -> str:
    """One town's counted area over the period against the straight pace line.

    The line after the as-of date (what the register already holds, not yet
    reached on that date) is drawn dotted and grey.
    """
    rows = pace.towns[pace.towns["town"] == town]
    figure = Figure(figsize=(85 * _MM, 58 * _MM))
    ax = figure.add_subplot()
    dates = pd.to_datetime(rows["period_end"]).to_numpy()
    counted = rows["cumulative_area_m2"].to_numpy()
    later = rows["after_as_of"].to_numpy(dtype=bool)
    reached = ~later
    ax.plot([dates[0], dates[-1]], [rows["pace_line_m2"].iloc[0], rows["pace_line_m2"].iloc[-1]],
            color=TARGET_COLOUR, linewidth=1.4, linestyle="--",
            label=translate("pace.line", lang))
    ax.step(dates[reached], counted[reached], where="post", color=_COUNTED_LINE, linewidth=1.8,
            label=translate("pace.cumulative", lang))
    ax.set_ylim(bottom=0, top=max(float(counted.max()), float(rows["target_m2"].max()), 1.0)
                * 1.15)
    if later.any():
        last = int(np.flatnonzero(reached)[-1]) if reached.any() else 0
        ax.step(dates[last:], counted[last:], where="post", color=_LATER, linewidth=1.2,
                linestyle=":", label=translate("brief.registered_later", lang))
        ax.axvline(np.datetime64(pace.as_of), color=INK, linewidth=0.6, linestyle="--")
        ax.text(np.datetime64(pace.as_of), ax.get_ylim()[1],
                " " + translate("asof.label", lang, date=pace.as_of.isoformat()),
                rotation=90, ha="left", va="top", color=INK,
                fontproperties=_font(family, 6))
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.xaxis.set_major_locator(YearLocator())
    ax.xaxis.set_major_formatter(DateFormatter("%Y"))
    ax.xaxis.set_minor_locator(MonthLocator(bymonth=(4, 7, 10)))
    ax.tick_params(labelsize=6.5, labelfontfamily=family)
    ax.set_ylabel(translate("col.area", lang), fontproperties=_font(family, 6.5))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(prop=_font(family, 6), frameon=False, loc="upper left")
    return _svg(figure)
