"""The app's colours, defined once: the pages, the presentation mode and the PDFs use these.

Chosen to stay apart for every kind of colour vision, in greyscale and on a
washed-out projector:

- **Progress bands** run light to dark on ColorBrewer's sequential *YlGnBu*
  (light = far from the target, dark = met), so the order survives as
  lightness alone; the band is also written as text on each town.
- **Carrier types** take Okabe–Ito hues outside YlGnBu (vermillion, reddish
  purple, orange, black) and keep a second cue: a distinct icon shape on the
  map and the type's first character (孵 / 研 / 众 / 产) where icons are not drawn.

ColorBrewer: Cynthia Brewer, Apache-2.0. Okabe & Ito (2008), "Color Universal
Design". ``tests/test_palette.py`` measures the differences.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["BAND_COLOURS", "BAND_TEXT_COLOURS", "INK", "MISSING_COLOUR", "TARGET_COLOUR",
           "TYPE_COLOURS", "TYPE_ICONS", "TYPE_LETTERS", "TYPE_STYLES"]

BAND_COLOURS = MappingProxyType({"met": "#225ea8", "close": "#7fcdbb", "far": "#ffffcc"})
"""Fill of a town by its band (YlGnBu: dark = met, light = far)."""
BAND_TEXT_COLOURS = MappingProxyType({"met": "#ffffff", "close": "#102027", "far": "#102027"})
"""Text drawn on a band's fill (white on the dark band, ink on the light ones)."""
MISSING_COLOUR = "#bdbdbd"
"""A town without figures (no band)."""
INK = "#102027"
"""Text and outlines."""
TARGET_COLOUR = "#d55e00"
"""The target tick and the pace line (Okabe–Ito vermillion: never a band colour)."""

TYPE_COLOURS = MappingProxyType({
    "incubator": "#d55e00",           # Okabe–Ito vermillion
    "research_institute": "#cc79a7",  # reddish purple
    "maker_space": "#e69f00",         # orange
    "industrial_base": "#000000",     # black
})
TYPE_ICONS = MappingProxyType({  # Font Awesome (vendored): a shape per type
    "incubator": "fa-seedling",
    "research_institute": "fa-flask",
    "maker_space": "fa-lightbulb",
    "industrial_base": "fa-industry",
})
TYPE_LETTERS = MappingProxyType({
    "zh": MappingProxyType({"incubator": "孵", "research_institute": "研", "maker_space": "众",
                            "industrial_base": "产"}),
    "en": MappingProxyType({"incubator": "I", "research_institute": "R", "maker_space": "M",
                            "industrial_base": "B"}),
})
"""The type's first character: the second cue where no icon is drawn (PDF maps, charts)."""
TYPE_STYLES = MappingProxyType({kind: (TYPE_COLOURS[kind], TYPE_ICONS[kind])
                                for kind in TYPE_COLOURS})
"""Colour and icon of each carrier type, as the map draws them."""
