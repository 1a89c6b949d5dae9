"""The carrier register's columns and vocabularies, with every accepted alias.

Headers and values are matched after :func:`normalise_token` (Unicode NFKC,
lower case, no white space), so ``面积（平方米）`` and ``面积(平方米)``, ``ＩＤ``
and ``id`` are the same name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "AREA_UNITS",
    "CARRIER_TYPES",
    "COLUMNS",
    "CRS_ALIASES",
    "HEADER_ALIASES",
    "REQUIRED_COLUMNS",
    "STATUSES",
    "STATUS_ALIASES",
    "TYPE_ALIASES",
    "HeaderCell",
    "crs_in_text",
    "normalise_token",
    "read_header_cell",
    "unit_in_text",
]

COLUMNS: tuple[str, ...] = (
    "id", "name", "type", "town", "lon", "lat", "crs", "floor_area_m2",
    "opened", "status", "level", "operator", "industry", "source",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("name", "type", "floor_area_m2", "status")
"""Columns a register must have. ``id`` is optional: a ledger without one is matched by name."""

ROW_COUNTER = "row_counter"
"""A 序号 / No. column: it numbers the rows of one sheet and never identifies a carrier."""

CARRIER_TYPES: tuple[str, ...] = (
    "incubator", "research_institute", "maker_space", "industrial_base",
)
STATUSES: tuple[str, ...] = ("planned", "under_construction", "in_use")

_WHITESPACE = re.compile(r"\s+")


def normalise_token(text: str) -> str:
    """Fold a header or vocabulary value to its comparable form."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


def _fold(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise_token(alias): canonical
            for canonical, names in aliases.items() for alias in (canonical, *names)}


HEADER_ALIASES: dict[str, str] = _fold({
    ROW_COUNTER: ("序号", "行号", "序", "no", "no.", "nr", "#", "序列号"),
    "id": ("编号", "载体编号", "code", "carrier_id"),
    "name": ("名称", "载体名称", "carrier", "carrier_name"),
    "type": ("类型", "载体类型", "类别", "carrier_type", "kind"),
    "town": ("镇区", "所在镇区", "镇(区)", "镇、区(街道)", "镇区(街道)", "所属镇区", "区镇",
             "district"),
    "lon": ("经度", "longitude", "lng", "long", "x"),
    "lat": ("纬度", "latitude", "y"),
    "crs": ("坐标系", "坐标系统", "coordinate_system", "srs"),
    "floor_area_m2": ("面积", "建筑面积", "载体面积", "载体建筑面积", "总建筑面积", "floor_area",
                      "area", "area_m2"),
    "opened": ("投用时间", "投入使用时间", "启用时间", "开放时间", "opened_on", "opening_date",
               "date_opened"),
    "status": ("状态", "建设状态", "建设进度"),
    "level": ("级别", "等级", "认定级别"),
    "operator": ("运营单位", "运营主体", "运营机构"),
    "industry": ("产业方向", "产业领域", "主导产业"),
    "source": ("来源", "数据来源", "资料来源"),
})

TYPE_ALIASES: dict[str, str] = _fold({
    "incubator": ("孵化器", "科技企业孵化器", "孵化基地", "加速器", "孵化"),
    "research_institute": ("研究院", "新型研发机构", "大院大所", "研究所", "研发机构",
                           "产业技术研究院", "institute", "research institute", "research"),
    "maker_space": ("众创空间", "makerspace", "maker space", "maker"),
    "industrial_base": ("产业化基地", "产业基地", "科技成果转化及产业化基地", "成果转化基地",
                        "industrial base", "industrialisation_base", "industrialization_base"),
})

STATUS_ALIASES: dict[str, str] = _fold({
    "planned": ("规划", "规划中", "拟建", "计划", "planning"),
    "under_construction": ("在建", "建设中", "施工中", "under construction", "construction",
                           "building"),
    "in_use": ("已投用", "投入使用", "已投入使用", "投用", "运营", "运营中", "已运营",
               "in use", "open", "opened", "operating"),
})

CRS_ALIASES: dict[str, str] = _fold({
    "WGS84": ("wgs-84", "wgs 84", "epsg:4326", "4326", "gps", "cgcs2000", "epsg:4490", "4490",
              "天地图", "国家2000", "2000"),
    "GCJ02": ("gcj-02", "gcj 02", "gcj", "高德", "gaode", "amap", "腾讯", "tencent", "火星坐标",
              "国测局"),
    "BD09": ("bd-09", "bd 09", "bd09ll", "baidu", "百度"),
})
CRS_ALIASES.update({f"{alias}{suffix}": crs for alias, crs in list(CRS_ALIASES.items())
                    for suffix in ("坐标", "坐标系")})  # 百度坐标, 高德坐标系


AREA_UNITS: dict[str, float] = {"万平方米": 10000.0, "平方米": 1.0}
"""The area units a header or a title line may name, by their Chinese name, as m² each."""

_UNIT_WORDS = re.compile(
    r"(?P<prefix>[万千百十])?\s*(?:平方米|平米|㎡|m2|m²|m\^2|sqm)"
    r"|(?P<wan>万)\s*(?:平方(?![米公千])|平(?![方米])|方(?![式案面向]))"
    r"|(?P<other>平方公里|平方千米|公顷|亩|km2|km²|hectares?)", re.IGNORECASE)
_BRACKETED = re.compile(r"[(\[（【]([^()\[\]（）【】]*)[)\]）】]")


def unit_in_text(text: str) -> str | None:
    """The area unit a text names, or ``None`` when it names none.

    ``建筑面积（万平方米）``, ``面积(万㎡)``, ``面积（万方）`` and ``面积单位：万平方米``
    name 万平方米; ``面积（平方米）``, ``㎡`` and ``m²`` name 平方米. Any other
    unit (``千平方米``, ``亩``, ``公顷``) comes back as written, for the caller
    to refuse: it is not in :data:`AREA_UNITS`, and an area read in the wrong
    unit is a wrong figure.
    """
    match = _UNIT_WORDS.search(unicodedata.normalize("NFKC", text))
    if match is None:
        return None
    if match.group("wan") or match.group("prefix") == "万":
        return "万平方米"
    if match.group("prefix") or match.group("other"):
        return match.group(0).strip()
    return "平方米"


@dataclass(frozen=True)
class HeaderCell:
    """What one header cell names: a register column, an area unit, a coordinate system.

    Each may be ``None``; only 面积 has a unit and only 经度 / 纬度 a system.
    """

    column: str | None
    unit: str | None
    crs: str | None = None


_CRS_WORDS = re.compile(r"(坐标系|坐标|系统|系)$")


def crs_in_text(text: str) -> str | None:
    """The coordinate system named in brackets in a header (``经度（百度坐标）`` → ``BD09``)."""
    for part in _BRACKETED.findall(unicodedata.normalize("NFKC", text)):
        token = normalise_token(part)
        crs = CRS_ALIASES.get(token) or CRS_ALIASES.get(_CRS_WORDS.sub("", token))
        if crs:
            return crs
    return None


def read_header_cell(text: str | None) -> HeaderCell:
    """The register column a header cell names, and any unit in brackets after the name.

    ``建筑面积（万平方米）`` is ``floor_area_m2`` in 万平方米; ``经度`` is ``lon``;
    an unknown name is ``HeaderCell(None, None)``.
    """
    if not text or not text.strip():
        return HeaderCell(None, None)
    folded = normalise_token(text)
    column = HEADER_ALIASES.get(folded)
    unit = None
    if column is None:
        units = [unit_in_text(part) for part in _BRACKETED.findall(unicodedata.normalize(
            "NFKC", text))]
        unit = next((u for u in units if u), None) or unit_in_text(text)
        column = HEADER_ALIASES.get(normalise_token(_BRACKETED.sub("", text)))
        if column is None and unit is not None:  # 面积万平方米, 面积/万㎡
            column = HEADER_ALIASES.get(normalise_token(_UNIT_WORDS.sub(
                "", unicodedata.normalize("NFKC", text))).strip("/:：(（"))
    return HeaderCell(column, unit if column == "floor_area_m2" else None,
                      crs_in_text(text) if column in ("lon", "lat") else None)
