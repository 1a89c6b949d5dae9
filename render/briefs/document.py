"""Typeset a brief with Typst: one fixed template, the content passed in as data.

The template below is the only Typst markup. Every text of the brief — town
and carrier names, messages, figures — reaches it as JSON through
``sys.inputs`` and is placed as a string value, which Typst sets as plain
text and never reads as markup: a name such as ``#set page(..)`` or
``*[x]*`` prints as written. The drawings arrive the same way, as SVG.

Typst (PyPI ``typst``, Apache-2.0, the compiler is inside the wheel) embeds
the CJK font given by :func:`render.briefs.fonts.cjk_font` (subset, with a
ToUnicode map, so the PDF's text can be searched and copied).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from render.briefs.fonts import CjkFont

__all__ = ["TEMPLATE", "typeset"]

TEMPLATE = r"""
#let data = json(bytes(sys.inputs.data))
#let lines(items) = items.map(l => [#l]).join(linebreak())
#let notice(items) = if items.len() > 0 {
  block(width: 100%, fill: rgb("#fff4e5"), stroke: 0.8pt + rgb("#d55e00"), inset: 4pt,
        radius: 2pt, text(size: 8pt, weight: "bold", lines(items)))
}
#set document(title: data.title)
#set text(font: (data.font,), size: 8.5pt, lang: data.lang, region: data.region)
#set par(leading: 0.6em, spacing: 0.8em)
#show heading: set text(size: 10.5pt)
#show heading: set block(above: 1.1em, below: 0.6em)
#set page(
  paper: "a4",
  margin: (top: data.margin_top * 1mm, bottom: 24mm, x: 14mm),
  header: notice(data.filter_lines),
  footer: context {
    set text(size: 6.5pt, fill: luma(30%))
    line(length: 100%, stroke: 0.4pt + luma(60%))
    v(-3pt)
    grid(columns: (1fr, auto), column-gutter: 8pt,
      lines(data.footer_lines),
      data.page_label
        .replace("{page}", str(here().page()))
        .replace("{total}", str(counter(page).final().first())))
  },
)
#let picture(key, caption) = {
  if caption != none { text(size: 8pt, weight: "bold", caption) }
  image(bytes(sys.inputs.at(key)), width: 100%)
}
#let datatable(t) = {
  let aligns = t.align.map(a => if a == "right" { right } else { left })
  set text(size: 7pt)
  set par(leading: 0.45em)
  table(
    columns: t.widths.map(w => if w == 0 { auto } else { w * 1fr }),
    align: (x, y) => aligns.at(x) + horizon,
    stroke: 0.4pt + luma(70%),
    inset: (x: 3pt, y: 2.2pt),
    fill: (x, y) => if y == 0 { luma(92%) },
    table.header(..t.columns.map(c => text(weight: "bold", c))),
    ..t.rows.flatten().map(c => [#c]),
  )
}
#let kpis(items) = grid(
  columns: (1fr,) * items.len(), column-gutter: 4pt,
  ..items.map(k => block(width: 100%, height: 19mm, stroke: 0.6pt + luma(60%), inset: 5pt,
                         radius: 2pt, {
    text(size: 7.5pt, fill: luma(25%), k.label)
    linebreak()
    text(size: 15pt, weight: "bold", k.value)
    linebreak()
    text(size: 7pt, k.note)
  })))
#let section(s) = {
  block(below: 0.7em, {
    text(size: 16pt, weight: "bold", s.title)
    if s.badge != none {
      h(8pt)
      box(fill: rgb(s.badge.fill), stroke: 0.5pt + rgb("#102027"), inset: (x: 5pt, y: 3pt),
          radius: 2pt, baseline: 20%,
          text(size: 9pt, weight: "bold", fill: rgb(s.badge.ink), s.badge.text))
    }
  })
  for l in s.lines { par(l) }
  if s.messages.len() > 0 { text(size: 7pt, fill: luma(30%), lines(s.messages)) }
  if s.kpis.len() > 0 { v(2pt); kpis(s.kpis) }
  if s.figures.len() > 0 {
    v(4pt)
    grid(columns: s.figures.map(f => f.width * 1fr), column-gutter: 5mm,
         ..s.figures.map(f => picture(f.key, f.caption)))
  }
  for b in s.blocks {
    if b.heading != none { heading(level: 2, b.heading) }
    for p in b.paragraphs { par(p) }
    if b.table != none { datatable(b.table) }
    if b.more != none { text(size: 7pt, style: "italic", b.more) }
  }
}
#for (i, s) in data.sections.enumerate() {
  if i > 0 { pagebreak() }
  section(s)
}
"""


def typeset(document: Mapping[str, Any], images: Mapping[str, str], font: CjkFont) -> bytes:
    """The PDF of ``document`` (the template's data) with ``images`` (SVG by key).

    Only ``font``'s folder is searched for fonts (plus Typst's own), so the
    output does not depend on what else a machine has installed.
    """
    import typst

    inputs = {"data": json.dumps({**document, "font": font.family}, ensure_ascii=False)}
    inputs.update(images)
    return typst.compile(TEMPLATE.encode("utf-8"), font_paths=[str(font.folder)],
                         ignore_system_fonts=True, sys_inputs=inputs, format="pdf")
