"""Typed settings: bundled paths, defaults, and the targets/period file.

Targets and periods are data, read from a TOML file (``data/targets.toml`` by
default), so another county or another plan period needs no code change.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from geo._errors import ConfigError

__all__ = [
    "BUNDLED_BOUNDARIES",
    "BUNDLED_CARRIERS",
    "BUNDLED_TARGETS",
    "DATA_DIR",
    "DEFAULT_DB_PATH",
    "DEFAULT_NAME_FIELD",
    "DEFAULT_TIMEZONE",
    "DataPaths",
    "Targets",
    "data_paths",
    "display_timezone",
    "load_targets",
    "sqlite_url",
    "store_url",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BUNDLED_CARRIERS = DATA_DIR / "carriers.csv"
BUNDLED_BOUNDARIES = DATA_DIR / "boundaries" / "taicang_towns.geojson"
BUNDLED_TARGETS = DATA_DIR / "targets.toml"
DEFAULT_NAME_FIELD = "name"
DEFAULT_DB_PATH = DATA_DIR.parent / "var" / "carrier-map.db"
"""The SQLite file of the store unless ``CARRIER_MAP_DB_PATH`` or a database URL is set."""


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of an SQLite file (nothing is created: the store does that on open)."""
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def store_url(settings: Mapping[str, Any] | None = None) -> str:
    """The database URL from ``settings`` (secrets or environment), else the SQLite default.

    ``CARRIER_MAP_DATABASE_URL`` wins; else the SQLite file ``CARRIER_MAP_DB_PATH``,
    else :data:`DEFAULT_DB_PATH`. Only reads settings: opening the store is
    :func:`geo.store.setup.open_store`'s job (settings never import the store).
    """
    settings = settings or {}
    url = settings.get("CARRIER_MAP_DATABASE_URL")
    if url:
        return str(url)
    return sqlite_url(settings.get("CARRIER_MAP_DB_PATH") or DEFAULT_DB_PATH)


class DataPaths(NamedTuple):
    """The inputs a deployment uses: files, or the store (``store_url``) for register and towns."""

    carriers: Path
    boundaries: Path
    targets: Path
    name_field: str
    store_url: str | None = None


def data_paths(settings: Mapping[str, Any] | None = None) -> DataPaths:
    """The inputs to use: configured ones where set, else the bundled files.

    ``settings`` (environment variables or Streamlit secrets) may set
    ``CARRIER_MAP_CARRIERS``, ``CARRIER_MAP_BOUNDARIES``, ``CARRIER_MAP_TARGETS``
    and ``CARRIER_MAP_NAME_FIELD``; another county points these at its own
    files with no code change. Unless a register file is given, the register
    and the towns come from the store (``CARRIER_MAP_DATABASE_URL`` or the
    SQLite file ``CARRIER_MAP_DB_PATH``), seeded from these files once.
    """
    settings = settings or {}

    def path(key: str, default: Path) -> Path:
        value = settings.get(key)
        return Path(str(value)) if value else default

    files_only = bool(settings.get("CARRIER_MAP_CARRIERS"))
    return DataPaths(
        store_url=None if files_only else store_url(settings),
        carriers=path("CARRIER_MAP_CARRIERS", BUNDLED_CARRIERS),
        boundaries=path("CARRIER_MAP_BOUNDARIES", BUNDLED_BOUNDARIES),
        targets=path("CARRIER_MAP_TARGETS", BUNDLED_TARGETS),
        name_field=str(settings.get("CARRIER_MAP_NAME_FIELD") or DEFAULT_NAME_FIELD),
    )


DEFAULT_TIMEZONE = "Asia/Shanghai"
"""The time zone times are shown in unless ``CARRIER_MAP_TIMEZONE`` names another."""


def display_timezone(settings: Mapping[str, Any] | None = None) -> ZoneInfo:
    """The time zone the pages show times in (the store records them in UTC).

    ``settings`` (environment variables or Streamlit secrets) may set
    ``CARRIER_MAP_TIMEZONE`` to an IANA name such as ``Asia/Urumqi``; the
    default is :data:`DEFAULT_TIMEZONE`.

    Raises
    ------
    ConfigError
        When the name is not a known time zone.
    """
    name = str((settings or {}).get("CARRIER_MAP_TIMEZONE") or "").strip() or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError("config.timezone", key="CARRIER_MAP_TIMEZONE", value=name,
                          default=DEFAULT_TIMEZONE) from exc


@dataclass(frozen=True)
class Targets:
    """The plan period and the goals the check measures against."""

    period_start: dt.date = dt.date(2018, 1, 1)
    period_end: dt.date = dt.date(2020, 12, 31)
    default_target_m2: float = 10000.0
    town_target_m2: Mapping[str, float] = field(default_factory=dict)
    city_new_carriers: int = 30
    city_research_institutes: int = 10
    close_ratio: float = 0.5
    """A town below target but at least this share of it is "close" on the map."""
    duplicate_distance_m: float = 200.0
    """Two carriers of the same name this close (metres) are probably one (geo.duplicates)."""

    def target_for(self, town: str) -> float:
        """The area target of ``town`` (its override, else the default)."""
        return float(self.town_target_m2.get(town, self.default_target_m2))


def _date(value: Any, key: str, path: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError("config.invalid", path=path, reason=f"{key} = {value!r}: YYYY-MM-DD")


def _table(document: Mapping[str, Any], key: str, path: str,
           prefix: str = "") -> Mapping[str, Any]:
    """The TOML table ``key`` (empty when absent); a value that is not a table is an error."""
    value = document.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError("config.invalid", path=path,
                          reason=f"{prefix}{key} = {value!r}: [{prefix}{key}] table")
    return value


def _number(value: Any, key: str, path: str) -> float:
    if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
            or value < 0):
        raise ConfigError("config.invalid", path=path, reason=f"{key} = {value!r}: ≥ 0")
    return float(value)


def _ratio(value: Any, key: str, path: str) -> float:
    ratio = _number(value, key, path)
    if ratio > 1:
        raise ConfigError("config.invalid", path=path, reason=f"{key} = {value!r}: 0–1")
    return ratio


def load_targets(path: str | Path | None = None) -> Targets:
    """Read a targets file; ``None`` means the bundled ``data/targets.toml``.

    Raises
    ------
    ConfigError
        When the file is missing, not TOML, or a value has the wrong type.
    """
    path = Path(path) if path is not None else BUNDLED_TARGETS
    if not path.is_file():
        raise ConfigError("config.missing", path=str(path))
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("config.invalid", path=str(path), reason=str(exc)) from exc
    name = str(path)
    defaults = Targets()
    period = _table(document, "period", name)
    towns = _table(document, "towns", name)
    city = _table(document, "city", name)
    start = _date(period.get("start", defaults.period_start), "period.start", name)
    end = _date(period.get("end", defaults.period_end), "period.end", name)
    if end < start:
        raise ConfigError("config.invalid", path=name, reason="period.end < period.start")
    overrides = {str(town): _number(value, f"towns.target_m2.{town}", name)
                 for town, value in _table(towns, "target_m2", name, "towns.").items()}
    return Targets(
        period_start=start,
        period_end=end,
        default_target_m2=_number(towns.get("default_target_m2", defaults.default_target_m2),
                                  "towns.default_target_m2", name),
        town_target_m2=overrides,
        city_new_carriers=int(_number(city.get("new_carriers", defaults.city_new_carriers),
                                      "city.new_carriers", name)),
        city_research_institutes=int(_number(
            city.get("research_institutes", defaults.city_research_institutes),
            "city.research_institutes", name)),
        close_ratio=_ratio(towns.get("close_ratio", defaults.close_ratio), "towns.close_ratio",
                           name),
        duplicate_distance_m=_number(_table(document, "register", name).get(
            "duplicate_distance_m", defaults.duplicate_distance_m),
            "register.duplicate_distance_m", name),
    )
