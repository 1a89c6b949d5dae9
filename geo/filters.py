"""A planner's view of the data: which carrier types and statuses, which period.

Filtering happens before the check, so every figure (town totals, city
targets, the map) is the rule applied to the chosen carriers and period.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pandas as pd

from geo._errors import ConfigError
from geo.i18n import Lang, translate
from geo.register import Register
from geo.schema import CARRIER_TYPES, STATUSES
from geo.settings import Targets

__all__ = ["Filters", "apply_filters", "filtered_targets", "narrowed"]


@dataclass(frozen=True)
class Filters:
    """Chosen carrier types and statuses (``None`` = all) and an optional period.

    Frozen and hashable, so it can key a cache.
    """

    types: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    def __post_init__(self) -> None:
        for name, chosen, allowed in (("types", self.types, CARRIER_TYPES),
                                      ("statuses", self.statuses, STATUSES)):
            unknown = sorted(set(chosen or ()) - set(allowed))
            if unknown:
                raise ConfigError("config.invalid", path="filters",
                                  reason=f"{name} = {unknown}: {', '.join(allowed)}")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ConfigError("config.invalid", path="filters",
                              reason="period_end < period_start")


def apply_filters(register: Register, targets: Targets,
                  filters: Filters) -> tuple[Register, Targets]:
    """The register restricted to the chosen types and statuses, and the chosen period.

    Rows whose type or status could not be read stay in, so their data
    problems are still reported. Neither input is changed.
    """
    carriers = register.carriers
    keep = pd.Series(True, index=carriers.index)
    if filters.types is not None:
        keep &= carriers["type"].isin(filters.types) | carriers["type"].isna()
    if filters.statuses is not None:
        keep &= carriers["status"].isin(filters.statuses) | carriers["status"].isna()
    filtered = dataclasses.replace(register, carriers=carriers.loc[keep].copy())
    return filtered, filtered_targets(targets, filters)


def filtered_targets(targets: Targets, filters: Filters) -> Targets:
    """``targets`` with the chosen period (the period a filtered check reports).

    Raises
    ------
    ConfigError
        When the chosen period ends before it starts.
    """
    period = {key: value for key, value in (("period_start", filters.period_start),
                                            ("period_end", filters.period_end)) if value}
    narrowed = dataclasses.replace(targets, **period)
    if narrowed.period_end < narrowed.period_start:
        raise ConfigError("config.invalid", path="filters", reason="period_end < period_start")
    return narrowed


def _chosen_words(chosen: frozenset[str], codes: tuple[str, ...], prefix: str,
                  lang: Lang) -> str:
    words = [translate(f"{prefix}.{code}", lang) for code in codes if code in chosen]
    if not words:
        return translate("filters.none", lang)
    return translate("filters.only", lang, words=("、" if lang == "zh" else ", ").join(words))


def narrowed(filters: Filters, targets: Targets, lang: Lang) -> list[str]:
    """One line in words for each filter narrower than "everything"; empty when none is.

    What a filtered screen, download or printed page must say so that it is
    never taken for the official figures: the carrier types and statuses
    when not all are chosen, and the period when it differs from the plan
    period of ``targets`` (the dataset's, not the filtered one).

    Parameters
    ----------
    filters
        The session's choices.
    targets
        The dataset's targets, whose period is the plan period.
    lang
        The language of the lines.
    """
    lines = []
    if filters.types is not None and set(filters.types) != set(CARRIER_TYPES):
        lines.append(translate("filters.types", lang, chosen=_chosen_words(
            filters.types, CARRIER_TYPES, "type", lang)))
    if filters.statuses is not None and set(filters.statuses) != set(STATUSES):
        lines.append(translate("filters.statuses", lang, chosen=_chosen_words(
            filters.statuses, STATUSES, "status", lang)))
    start = filters.period_start or targets.period_start
    end = filters.period_end or targets.period_end
    if (start, end) != (targets.period_start, targets.period_end):
        lines.append(translate("filters.period", lang, start=start.isoformat(),
                               end=end.isoformat(), plan_start=targets.period_start.isoformat(),
                               plan_end=targets.period_end.isoformat()))
    return lines
