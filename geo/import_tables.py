"""The import preview as people read it: one line per row of their file, in their language.

Presentation side of :mod:`geo.store.imports`: the page shows these frames;
the decisions (what each row would do) are made there, not here.
"""

from __future__ import annotations

import pandas as pd

from geo.i18n import Lang, translate
from geo.store.imports import ROW_STATUSES, ImportPreview

__all__ = ["CHOICES", "choice_table", "import_summary", "import_table"]

CHOICES = ("update", "new", "skip")
"""What a user may do with a row that is probably a stored carrier (the first is the default)."""


def _match(record: dict, lang: Lang) -> str:
    if not record.get("match_id"):
        return ""
    town = record.get("match_town")
    suffix = f"（{town}）" if lang == "zh" and isinstance(town, str) else (
        f" ({town})" if isinstance(town, str) else "")
    return f"{record['match_id']} {record['match_name']}{suffix}"


def _changes(changes: list, lang: Lang) -> str:
    return "；".join(translate("import.change", lang, field=field, old=old or "—", new=new or "—")
                    for field, old, new in changes or [])


def _why(record: dict, lang: Lang) -> str:
    why = record.get("match_why")
    if not isinstance(why, str):
        return ""
    return translate(f"import.why_{why}", lang)


def import_table(preview: ImportPreview, lang: Lang) -> pd.DataFrame:
    """Every row of the file: what committing does with it, the stored carrier it matches, why."""
    records = preview.rows.to_dict("records")
    return pd.DataFrame({
        translate("col.row", lang): [r["row"] for r in records],
        translate("import.col_status", lang): [translate(f"import.status_{r['status']}", lang)
                                               for r in records],
        translate("col.id", lang): [r["id"] or "" for r in records],
        translate("col.name", lang): [r["name"] or "" for r in records],
        translate("col.town", lang): [r["town"] if isinstance(r["town"], str) else ""
                                      for r in records],
        translate("import.col_match", lang): [_match(r, lang) for r in records],
        translate("import.col_why", lang): [_why(r, lang) for r in records],
        translate("import.col_changes", lang): [_changes(r["changes"], lang) for r in records],
        translate("import.col_message", lang): [r["message"].message(lang) if r["message"]
                                                else "" for r in records],
    }, dtype=object).astype({translate("col.row", lang): "Int64"})


def choice_table(preview: ImportPreview, lang: Lang) -> pd.DataFrame:
    """The rows that are probably stored carriers, side by side, with the default choice."""
    rows = preview.of("duplicate").to_dict("records")
    return pd.DataFrame({  # the choice first, so it is in view on a laptop
        "row": [r["row"] for r in rows],
        translate("import.col_choice", lang): [translate("import.choice_update", lang)] * len(
            rows),
        translate("import.col_file", lang): [r["name"] for r in rows],
        translate("import.col_match", lang): [_match(r, lang) for r in rows],
        translate("import.col_changes", lang): [_changes(r["changes"], lang) or translate(
            "import.no_change", lang) for r in rows],
        translate("import.col_why", lang): [_why(r, lang) for r in rows],
    })


def import_summary(preview: ImportPreview, lang: Lang) -> str:
    """One line on top: how many rows of each kind, the unit read, nothing written yet."""
    counts = preview.counts()
    parts = [translate(f"import.count_{status}", lang, count=counts[status])
             for status in ROW_STATUSES if counts[status]]
    unit = translate("import.unit", lang, unit=translate(
        f"import.unit_{preview.area_unit}" if preview.area_unit else "import.unit_assumed", lang))
    sheet = translate("import.sheet", lang, sheet=preview.sheet) if preview.sheet else ""
    return translate("import.summary", lang, total=len(preview.rows), parts="，".join(parts)
                     if lang == "zh" else ", ".join(parts), unit=unit, sheet=sheet)
