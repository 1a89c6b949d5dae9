"""Basemaps the user may choose, and the coordinate system each one is drawn in.

``none`` draws only the boundaries and needs no network, so it is the
default. Tianditu (CGCS2000, which matches WGS84 at map scale) is offered only
when a key is configured. Gaode tiles are in GCJ-02, so overlays must be
shifted into GCJ-02 to line up with them (see :mod:`render.mapview`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

import xyzservices
import xyzservices.providers as providers

__all__ = ["BASEMAPS", "Basemap", "available_basemaps", "basemap_system", "tianditu_key",
           "tile_providers"]

Basemap = Literal["none", "osm", "tianditu", "gaode"]
BASEMAPS: tuple[Basemap, ...] = ("none", "osm", "tianditu", "gaode")
TIANDITU_ENV = "TIANDITU_TK"

_TIANDITU_URL = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
                 "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                 "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}")


def tianditu_key(secrets: Mapping[str, Any] | None = None,
                 environ: Mapping[str, str] | None = None) -> str | None:
    """The Tianditu key ``tk``, or ``None`` when none is configured.

    Looked up in secrets (``TIANDITU_TK`` or ``[tianditu] tk``), then in the
    ``TIANDITU_TK`` environment variable. Never stored in the repository.
    """
    secrets = secrets or {}
    environ = os.environ if environ is None else environ
    section = secrets.get("tianditu")
    candidates = [secrets.get(TIANDITU_ENV),
                  section.get("tk") if isinstance(section, Mapping) else None,
                  environ.get(TIANDITU_ENV)]
    return next((str(c).strip() for c in candidates if c and str(c).strip()), None)


def available_basemaps(tianditu_tk: str | None) -> tuple[Basemap, ...]:
    """The basemaps to offer: all of them, less Tianditu when there is no key."""
    return tuple(b for b in BASEMAPS if b != "tianditu" or tianditu_tk)


def basemap_system(basemap: Basemap) -> str:
    """The coordinate system the basemap's tiles are drawn in (``WGS84`` or ``GCJ02``)."""
    return "GCJ02" if basemap == "gaode" else "WGS84"


def _tianditu(layer: str, tk: str) -> xyzservices.TileProvider:
    return xyzservices.TileProvider(
        name=f"Tianditu.{layer}", url=_TIANDITU_URL, layer=layer, tk=tk, subdomains="01234567",
        max_zoom=18, attribution="© 天地图 Tianditu (tianditu.gov.cn)",
        html_attribution='&copy; <a href="https://www.tianditu.gov.cn/">天地图</a>',
    )


def tile_providers(basemap: Basemap, tianditu_tk: str | None = None,
                   ) -> list[xyzservices.TileProvider]:
    """The tile layers that make up ``basemap``, bottom first (none for ``none``).

    Raises
    ------
    ValueError
        For an unknown basemap, or Tianditu without a key.
    """
    if basemap == "none":
        return []
    if basemap == "osm":
        return [providers.OpenStreetMap.Mapnik]
    if basemap == "gaode":
        return [providers.Gaode.Normal]
    if basemap == "tianditu":
        if not tianditu_tk:
            raise ValueError(f"basemap 'tianditu' needs a key: set {TIANDITU_ENV}")
        return [_tianditu("vec", tianditu_tk), _tianditu("cva", tianditu_tk)]
    raise ValueError(f"`basemap` was {basemap!r} but is expected to be in {BASEMAPS}")
