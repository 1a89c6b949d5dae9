"""Checks of the planner's parameters: each bad value is one localised message.

A radius, a resolution, a number of sites, a carrier type or a town that
cannot be used raises :class:`CoverageError` (a ``ValueError`` from the
catalogue), so the CLI and the page show the same words and never a traceback.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from geo._errors import LocalisedError
from geo.i18n import Lang, translate
from geo.schema import CARRIER_TYPES

__all__ = ["ALL_TYPES", "COVERAGE_TYPES", "MAX_K", "MAX_RADIUS_KM", "MAX_RESOLUTION_M",
           "MIN_RESOLUTION_M", "CoverageError", "check_k", "check_radius_km",
           "check_resolution_m", "check_town", "check_type"]

ALL_TYPES = "all"
"""The pseudo-type "any carrier type together"."""
COVERAGE_TYPES: tuple[str, ...] = (*CARRIER_TYPES, ALL_TYPES)
MAX_RADIUS_KM = 100.0
MIN_RESOLUTION_M = 10.0
MAX_RESOLUTION_M = 10_000.0
MAX_K = 10


class CoverageError(LocalisedError):
    """A coverage parameter or scenario input that cannot be used at all.

    ``problems`` holds the row problems behind it, when there are any (a
    scenario's rows), so a page can list each with its row and value.
    """

    def __init__(self, code: str, problems: Sequence[Any] = (), **params: Any) -> None:
        self.problems = list(problems)
        super().__init__(code, **params)

    def message(self, lang: Lang = "zh") -> str:
        """The message in ``lang``; the first row problem, if any, in the same language."""
        if self.problems:
            return translate(self.code, lang, **{**self.params,
                                                 "first": self.problems[0].message(lang)})
        return super().message(lang)


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def check_radius_km(radius_km: object) -> float:
    """The radius in km when it is a number in (0, 100]; else :class:`CoverageError`."""
    number = _number(radius_km)
    if number is None or not 0 < number <= MAX_RADIUS_KM:
        raise CoverageError("coverage.radius_invalid", value=radius_km, max=f"{MAX_RADIUS_KM:g}")
    return number


def check_resolution_m(resolution_m: object) -> float:
    """The cell size in metres when it lies in [10, 10 000]; else :class:`CoverageError`."""
    number = _number(resolution_m)
    if number is None or not MIN_RESOLUTION_M <= number <= MAX_RESOLUTION_M:
        raise CoverageError("coverage.resolution_invalid", value=resolution_m,
                            min=f"{MIN_RESOLUTION_M:g}", max=f"{MAX_RESOLUTION_M:,.0f}")
    return number


def check_k(k: object) -> int:
    """The number of sites when it is a whole number 1–10; else :class:`CoverageError`."""
    number = _number(k)
    if number is None or number != int(number) or not 1 <= number <= MAX_K:
        raise CoverageError("coverage.k_invalid", value=k, max=MAX_K)
    return int(number)


def check_type(carrier_type: object) -> str:
    """A carrier type of the schema, or ``"all"``; else :class:`CoverageError`."""
    if carrier_type not in COVERAGE_TYPES:
        raise CoverageError("coverage.type_unknown", value=carrier_type,
                            allowed=", ".join(COVERAGE_TYPES))
    return str(carrier_type)


def check_town(town: object, names: Sequence[str]) -> str:
    """A town of the boundaries; else :class:`CoverageError` naming the towns."""
    if town not in names:
        raise CoverageError("coverage.town_unknown", value=town, towns="、".join(names))
    return str(town)
