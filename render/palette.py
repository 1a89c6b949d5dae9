"""The app's colours, defined once: the pages, the presentation mode and the PDFs use these.

Chosen to stay apart for every kind of colour vision, in greyscale and on a
washed-out projector:

- **Progress bands** run light to dark on ColorBrewer's sequential *YlGnBu*
  (light = far from the target, dark = met), so the order survives as
  lightness alone; the band is also written as text on each town.
- **Carrier types** take hues outside YlGnBu (Okabe–Ito vermillion, orange and
  black, and a darker purple than Okabe–Ito's) and keep a second cue: a distinct icon shape on the
  map and the type's first character (孵 / 研 / 众 / 产) where icons are not drawn.

ColorBrewer: Cynthia Brewer, Apache-2.0. Okabe & Ito (2008), "Color Universal
Design". ``tests/test_palette.py`` measures the differences.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["BAND_COLOURS", "BAND_TEXT_COLOURS", "DISTANCE_FILLS", "GAP_FILL", "HALO",
           "HYPOTHETICAL_COLOUR", "INK", "MISSING_COLOUR", "MUTED_INK", "SITE_COLOUR",
           "TARGET_COLOUR", "TYPE_COLOURS", "TYPE_ICONS", "TYPE_LETTERS", "TYPE_STYLES"]

BAND_COLOURS = MappingProxyType({"met": "#253494", "close": "#66c4bf", "far": "#ffffcc"})
"""Fill of a town by its band (YlGnBu: dark = met, light = far).

"close" sits between YlGnBu's #7fcdbb and #41b6c4: lighter, it falls within 20 ΔE
of "far" for protanomalous viewers; darker, it nears the research institutes' purple
for deuteranomalous ones (``tests/test_palette.py``)."""
BAND_TEXT_COLOURS = MappingProxyType({"met": "#ffffff", "close": "#102027", "far": "#102027"})
"""Text drawn on a band's fill (white on the dark band, ink on the light ones)."""
MISSING_COLOUR = "#bdbdbd"
"""A town without figures (no band)."""
INK = "#102027"
"""Text and outlines."""
MUTED_INK = "#455a64"
"""Secondary text: table headings in popups, notes under the legend."""
HALO = "#ffffff"
"""The halo around map labels, so they read on any fill."""
TARGET_COLOUR = "#d55e00"
"""The target tick and the pace line (Okabe–Ito vermillion: never a band colour)."""

TYPE_COLOURS = MappingProxyType({
    "incubator": "#d55e00",           # Okabe–Ito vermillion
    "research_institute": "#994f88",  # purple (Paul Tol); Okabe–Ito's #cc79a7 nears
                                      # the "close" band for deuteranomalous viewers
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

# --- the coverage-gap map -------------------------------------------------------------
GAP_FILL = "#525252"
"""The area beyond the radius: a grey shade, so the carriers' colours stay their own."""
DISTANCE_FILLS = ("#f7f7f7", "#cccccc", "#969696", "#636363", "#252525")
"""Distance bands from near (light) to far (dark), ColorBrewer *Greys*: the order reads
as lightness alone and no band takes a carrier type's or a progress band's hue."""
SITE_COLOUR = "#0072b2"
"""A suggested site (Okabe–Ito blue, drawn dashed: never a carrier in the register)."""
HYPOTHETICAL_COLOUR = "#37474f"
"""A what-if carrier whose type has no colour of its own."""
