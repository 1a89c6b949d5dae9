"""The coverage-gap map as a folium object: uncovered area or distance bands, sites, what-if.

Presentation only: the figures come from :mod:`geo.coverage`. Like
:mod:`render.mapview` (whose helpers it reuses), every string from the data is
escaped, overlays are shifted into the basemap's system at render time only
(GCJ-02 for Gaode) and every script and stylesheet comes from the app's own
static folder. Suggested sites and scenario carriers are drawn with their own
dashed markers so they are never taken for carriers in the register.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import mapping

from geo.coords import wgs84_to_gcj02
from geo.coverage import ALL_TYPES, DistanceSurface, band_polygons, gap_polygons
from geo.coverage.towns import CoverageTable
from geo.i18n import Lang, translate
from render.basemaps import NO_BASEMAP, TileSource
from render.map_elements import CarrierLayer, Legend, MapAssets, TownLabels, escaped
from render.mapview import (
    LABEL_PANE,
    base_map,
    carrier_rows,
    label_columns,
    shift,
    shown_towns,
)
from render.palette import (
    DISTANCE_FILLS,
    GAP_FILL,
    HALO,
    HYPOTHETICAL_COLOUR,
    INK,
    SITE_COLOUR,
    TYPE_STYLES,
)
from render.tables import display_names
from render.townshapes import town_shapes

__all__ = ["BAND_FILLS", "GAP_FILL", "band_edges", "gap_legend_html", "gap_map"]

BAND_FILLS = DISTANCE_FILLS
"""Distance bands from near (light) to far (dark); the last is "beyond" the last edge."""

_STYLE = """<style>
.gap-site, .gap-what-if { background: none; border: none; }
.gap-site span, .gap-what-if span {
  display: inline-flex; align-items: center; justify-content: center; width: 26px; height: 26px;
  border-radius: 50%; border: 3px dashed var(--cm-halo); color: var(--cm-halo);
  font: 700 13px/1 sans-serif;
  box-shadow: 0 0 0 2px rgba(0,0,0,.55);
}
.map-legend .gap-key { display: inline-flex; width: 16px; height: 16px; border-radius: 50%;
  border: 2px dashed var(--cm-halo); box-shadow: 0 0 0 1px var(--cm-ink); margin-right: 6px;
  color: var(--cm-halo);
  font-size: 9px; align-items: center; justify-content: center; vertical-align: middle; }
.map-legend { max-width: 260px; }
.town-label.gap-town { font-size: 14px; }
</style>"""


def band_edges(radius_km: float) -> list[float]:
    """Band edges that put the chosen radius in the middle: r/2, r, 2r (km)."""
    return [radius_km / 2, radius_km, radius_km * 2]


def _km(value: float) -> str:
    return f"{value:g}" if value >= 1 else f"{value:.2g}"


def _type_label(carrier_type: str, lang: Lang) -> str:
    return translate(f"type.{carrier_type}", lang)


def gap_legend_html(carrier_type: str, radius_km: float, lang: Lang, *,
                    bands_km: Sequence[float] | None = None, sites: bool = False,
                    what_if: bool = False) -> str:
    """The legend: what each fill means in km, the carriers, the hypothetical markers."""
    kind = escaped(_type_label(carrier_type, lang))
    parts = [f'<h4>{escaped(translate("gapmap.legend_area", lang, type=kind))}</h4>']
    if bands_km:
        lower = [0.0, *bands_km]
        for index, colour in enumerate(BAND_FILLS[:len(bands_km) + 1]):
            text = (translate("gapmap.band", lang, low=_km(lower[index]),
                              high=_km(bands_km[index])) if index < len(bands_km)
                    else translate("gapmap.band_beyond", lang, low=_km(lower[index])))
            parts.append(f'<div><span class="swatch" style="background:{colour}"></span>'
                         f"{escaped(text)}</div>")
    else:
        parts.append(f'<div><span class="swatch" style="background:{GAP_FILL}"></span>'
                     f'{escaped(translate("gapmap.gap", lang, radius=_km(radius_km)))}</div>')
        parts.append(f'<div><span class="swatch" style="background:{HALO}"></span>'
                     f'{escaped(translate("gapmap.covered", lang, radius=_km(radius_km)))}</div>')
    parts.append(f'<h4>{escaped(translate("legend.carriers", lang))}</h4>')
    shown = TYPE_STYLES if carrier_type == ALL_TYPES else {
        carrier_type: TYPE_STYLES[carrier_type]}
    parts.extend(
        f'<div><span class="carrier-pin small" style="background:{colour}">'
        f'<i class="fa-solid {icon}"></i></span>{escaped(_type_label(kind_code, lang))}</div>'
        for kind_code, (colour, icon) in shown.items())
    if sites:
        parts.append(f'<div><span class="gap-key" style="background:{SITE_COLOUR}">1</span>'
                     f'{escaped(translate("gapmap.site", lang))}</div>')
    if what_if:
        parts.append(f'<div><span class="gap-key" style="background:{HYPOTHETICAL_COLOUR}">'
                     f'?</span>{escaped(translate("gapmap.what_if", lang))}</div>')
    return "".join(parts)


def _shifted_points(lon: np.ndarray, lat: np.ndarray, system: str
                    ) -> tuple[np.ndarray, np.ndarray]:
    if system == "GCJ02" and len(lon):
        return wgs84_to_gcj02(lon, lat)
    return lon, lat


def _town_layer(towns: gpd.GeoDataFrame, coverage: CoverageTable | None, carrier_type: str,
                lang: Lang) -> gpd.GeoDataFrame:
    """The towns' outlines as drawn, with their tooltip texts.

    Simplified for display as on the Overview (:func:`render.townshapes.town_shapes`):
    a province's outlines as read would be tens of megabytes.
    """
    labels = display_names(towns, lang)
    figures = (coverage.for_type(carrier_type).set_index("town").reindex(towns["name"])
               if coverage is not None else None)
    share = (["—" if pd.isna(v) else f"{v * 100:.0f}%" for v in figures["covered_share"]]
             if figures is not None else ["—"] * len(towns))
    count = ([str(int(v)) for v in figures["carriers"]] if figures is not None
             else ["—"] * len(towns))
    return gpd.GeoDataFrame({
        "label": [escaped(labels[n]) for n in towns["name"]],
        "share": [escaped(v) for v in share],
        "carriers": count,
        "order": np.arange(len(towns)),
    }, geometry=town_shapes(towns).geometry.to_numpy(), crs=towns.crs)


def _polygons(frame: gpd.GeoDataFrame, system: str) -> list[dict]:
    shifted = shift(frame.geometry, system)
    return [mapping(geometry) for geometry in shifted]


def gap_map(surface: DistanceSurface, carriers: pd.DataFrame, towns: gpd.GeoDataFrame,
            carrier_type: str, radius_km: float, lang: Lang = "zh", *,
            coverage: CoverageTable | None = None, bands: bool = False,
            sites: gpd.GeoDataFrame | None = None, what_if: pd.DataFrame | None = None,
            tiles: TileSource = NO_BASEMAP, assets: MapAssets | None = None,
            boundaries=None) -> folium.Map:
    """The planner's map: where carriers of ``carrier_type`` are far away.

    Parameters
    ----------
    surface
        The distance surface to draw (with the scenario's carriers, if any).
    carriers
        Located carriers (``CheckResult.carriers`` columns) to mark; only
        those the surface counts, of the chosen type, are drawn.
    towns
        The boundaries' towns (WGS84), drawn as outlines with a tooltip.
    coverage
        The coverage table for the tooltip's share (optional).
    bands
        Distance bands (:func:`band_edges` of the radius) instead of the gap.
    sites
        Suggested sites (:func:`geo.coverage.site_points`), marked by rank.
    what_if
        Scenario carriers: ``lon``, ``lat``, ``type``, ``name`` (WGS84).
    tiles
        The chosen basemap (:class:`render.basemaps.TileSource`); overlays are
        shifted into its system.
    boundaries
        The :class:`geo.boundaries.Boundaries`, to cut the layer to the town lines.
    """
    assets = assets or MapAssets()
    system = tiles.system
    drawn_towns, _ = shown_towns(towns, system)
    west, south, east, north = drawn_towns.total_bounds
    fmap = base_map((west, south, east, north), lang, tiles=tiles, assets=assets)
    fmap.get_root().header.add_child(folium.Element(_STYLE))

    edges = band_edges(radius_km) if bands else None
    Legend(gap_legend_html(carrier_type, radius_km, lang, bands_km=edges,
                           sites=sites is not None and len(sites) > 0,
                           what_if=what_if is not None and len(what_if) > 0)).add_to(fmap)
    layer = (band_polygons(surface, carrier_type, edges, boundaries) if edges
             else gap_polygons(surface, carrier_type, radius_km, boundaries))
    fills = (list(BAND_FILLS) if edges else [GAP_FILL])
    features = [{"type": "Feature", "geometry": geometry,
                 "properties": {"fill": fills[int(band) if edges else 0]}}
                for geometry, band in zip(_polygons(layer, system), layer["band"], strict=True)]
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features}, name="coverage",
            interactive=False,
            style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "none",
                                      "weight": 0, "fillOpacity": 0.5,
                                      "className": "coverage-area"},
        ).add_to(fmap)

    town_features = _town_layer(drawn_towns, coverage, carrier_type, lang)
    folium.GeoJson(
        town_features, name="towns",
        style_function=lambda f: {"fillColor": HALO, "fillOpacity": 0.0, "color": INK,
                                  "weight": 1.5,
                                  "className": f"town-area town-{f['properties']['order']}"},
        highlight_function=lambda _: {"weight": 4},
        tooltip=folium.GeoJsonTooltip(
            fields=["label", "carriers", "share"],
            aliases=[escaped(translate(code, lang)) for code in
                     ("gaps.town", "gaps.carriers", "gaps.covered_share")], sticky=True),
    ).add_to(fmap)

    short = display_names(towns, lang, short=True)
    blank = [""] * len(towns)
    TownLabels(label_columns(drawn_towns, [escaped(short[n]) for n in towns["name"]], blank,
                             blank, blank), LABEL_PANE, extra_class="gap-town").add_to(fmap)

    present = set(surface.carriers["id"].astype(str))
    chosen = carriers[carriers["id"].astype(str).isin(present)
                      & ~carriers.get("hypothetical", pd.Series(False, index=carriers.index))
                      .fillna(False).astype(bool)]
    if carrier_type != ALL_TYPES:
        chosen = chosen[chosen["type"] == carrier_type]
    rows = carrier_rows(chosen, towns["name"].tolist(), lang, system)
    CarrierLayer(rows, town_features["label"].tolist(), lang, assets,
                 cluster=len(rows["lat"]) > 500).add_to(fmap)

    if sites is not None and len(sites):
        lon, lat = _shifted_points(sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy(),
                                   system)
        for rank, x, y, town, km2 in zip(sites["rank"], lon, lat, sites["town"],
                                         sites["new_covered_km2"], strict=True):
            folium.Circle([y, x], radius=radius_km * 1000, color=SITE_COLOUR, weight=2,
                          dash_array="6 6", fill=False, interactive=False).add_to(fmap)
            tip = escaped(translate("gapmap.site_tip", lang, rank=int(rank), town=town,
                                    km2=f"{km2:.1f}"))
            folium.Marker([y, x], tooltip=tip, icon=folium.DivIcon(
                html=f'<span style="background:{SITE_COLOUR}">{int(rank)}</span>',
                class_name="gap-site", icon_size=(32, 32), icon_anchor=(16, 16)),
            ).add_to(fmap)

    if what_if is not None and len(what_if):
        lon, lat = _shifted_points(what_if["lon"].to_numpy(dtype=float),
                                   what_if["lat"].to_numpy(dtype=float), system)
        for x, y, kind, name in zip(lon, lat, what_if["type"], what_if["name"], strict=True):
            colour, icon = TYPE_STYLES.get(kind, (HYPOTHETICAL_COLOUR, "fa-question"))
            tip = escaped(translate("gapmap.what_if_tip", lang, name=name,
                                    type=_type_label(kind, lang)
                                    if kind in TYPE_STYLES else kind))
            folium.Marker([y, x], tooltip=tip, icon=folium.DivIcon(
                html=f'<span style="background:{colour}"><i class="fa-solid {icon}"></i></span>',
                class_name="gap-what-if", icon_size=(32, 32), icon_anchor=(16, 16)),
            ).add_to(fmap)

    return fmap
