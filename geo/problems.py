"""Row-level problems: collected while reading and checking, reported together."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, Literal

from geo.i18n import Lang, translate

__all__ = ["Problem", "Severity", "SourceFile"]

Severity = Literal["error", "warning", "info"]
SourceFile = Literal["carriers", "boundaries", "targets"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one row (or feature) of an input file.

    ``severity == "error"`` means the row is left out of every figure;
    ``"warning"`` means it is still used (for example counted by location
    although its declared town differs); ``"info"`` is a note that needs no
    fix (a 合计 row set aside, the area unit read from the header).
    """

    file: SourceFile
    code: str
    row: int | None = None
    id: str | None = None
    field: str | None = None
    value: str | None = None
    severity: Severity = "error"
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    def message(self, lang: Lang = "zh") -> str:
        """The problem in words, naming row, column, value and the fix."""
        return translate(self.code, lang, row=self.row, id=self.id, field=self.field,
                         value=self.value, **self.params)

    def as_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        """A JSON-ready record (the shape the CLI prints)."""
        return {
            "file": self.file,
            "row": self.row,
            "id": self.id,
            "field": self.field,
            "value": self.value,
            "severity": self.severity,
            "code": self.code,
            "message": self.message(lang),
        }
