"""The one catalogue of user-facing text, Chinese first, and number formatting.

Every message, label and note that a person reads comes from :data:`CATALOGUE`
so the CLI, the pages and the tests can never word the same thing two ways.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, Literal, NamedTuple

from geo.ui_text import UI_TEXT

__all__ = ["CATALOGUE", "LANGS", "Lang", "ProgressText", "format_area", "format_progress",
           "translate"]

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

_MESSAGES: dict[str, dict[Lang, str]] = {
    # --- column labels -------------------------------------------------
    "field.id": {"zh": "编号", "en": "id"},
    "field.name": {"zh": "名称", "en": "name"},
    "field.type": {"zh": "类型", "en": "type"},
    "field.town": {"zh": "镇区", "en": "town"},
    "field.lon": {"zh": "经度", "en": "lon"},
    "field.lat": {"zh": "纬度", "en": "lat"},
    "field.crs": {"zh": "坐标系", "en": "crs"},
    "field.floor_area_m2": {"zh": "面积（平方米）", "en": "floor area (m²)"},
    "field.opened": {"zh": "投用时间", "en": "opened"},
    "field.status": {"zh": "状态", "en": "status"},
    "field.level": {"zh": "级别", "en": "level"},
    "field.operator": {"zh": "运营单位", "en": "operator"},
    "field.industry": {"zh": "产业方向", "en": "industry"},
    "field.source": {"zh": "来源", "en": "source"},
    "field.geometry": {"zh": "几何图形", "en": "geometry"},
    "field.target": {"zh": "目标", "en": "target"},
    # --- vocabularies --------------------------------------------------
    "type.incubator": {"zh": "孵化器", "en": "Incubator"},
    "type.research_institute": {"zh": "研究院/新型研发机构", "en": "Research institute"},
    "type.maker_space": {"zh": "众创空间", "en": "Maker space"},
    "type.industrial_base": {"zh": "产业化基地", "en": "Industrial base"},
    "status.planned": {"zh": "规划", "en": "Planned"},
    "status.under_construction": {"zh": "在建", "en": "Under construction"},
    "status.in_use": {"zh": "已投用", "en": "In use"},
    # --- whole-file errors (exit 2) -----------------------------------
    "file.missing": {
        "zh": "找不到文件“{path}”。请检查路径是否正确。",
        "en": 'File "{path}" not found. Check the path.',
    },
    "file.empty": {
        "zh": "文件“{path}”是空的，没有任何数据。请选择填写了表头和数据的文件。",
        "en": 'File "{path}" is empty. Choose a file with a header row and data.',
    },
    "file.binary": {
        "zh": "文件“{path}”不是文本表格（看起来是二进制文件，可能是改了扩展名）。"
              "请在 Excel 中“另存为” CSV 或 .xlsx 后再导入。",
        "en": 'File "{path}" is not a text table (it looks binary, perhaps renamed). '
              "Save it from Excel as CSV or .xlsx and try again.",
    },
    "file.too_large": {
        "zh": "文件“{path}”有 {size_mb:.1f} MB，超过上限 {limit_mb:.0f} MB，未读取。请拆分成几个较小的文件，或删去不需要的工作表和列。",
        "en": 'File "{path}" is {size_mb:.1f} MB, over the {limit_mb:.0f} MB limit; not read. Split it into smaller files, or remove worksheets and columns that are not needed.',
    },
    "file.expands_too_large": {
        "zh": "文件“{path}”是压缩文件，解压后有 {size_mb:,.0f} MB（其中“{member}”最大），超过上限 {limit_mb:,.0f} MB，未读取。请确认文件正确；如确实这么大，请拆分后再导入。",
        "en": 'File "{path}" is compressed and would expand to {size_mb:,.0f} MB (largest part: "{member}"), over the {limit_mb:,.0f} MB limit; not read. Check the file; if it really is this large, split it.',
    },
    "file.too_many_rows": {
        "zh": "文件“{path}”超过 {limit:,} 行，未读取。请拆分成几个较小的文件。",
        "en": 'File "{path}" has more than {limit:,} rows; not read. Split it into smaller files.',
    },
    "file.excel_damaged": {
        "zh": "文件“{path}”是 Excel 工作簿，但已损坏或不完整（可能没有下载或复制完整）。请重新下载或在 Excel 中打开后另存为 .xlsx 再导入。",
        "en": 'File "{path}" is an Excel workbook but is damaged or incomplete (perhaps not fully downloaded or copied). Download it again, or open it in Excel and save it as .xlsx.',
    },
    "file.zip_not_workbook": {
        "zh": "文件“{path}”是 ZIP 压缩包，但不是 Excel 工作簿（其中有：{members}）。请选择 .xlsx 工作簿本身，或先解压。",
        "en": 'File "{path}" is a ZIP archive but not an Excel workbook (it holds: {members}). Choose the .xlsx workbook itself, or unzip it first.',
    },
    "note.text_named_excel": {
        "zh": "文件“{value}”的扩展名是 Excel，但其实是文本（CSV）表格，已按 CSV 读取。",
        "en": 'File "{value}" is named as an Excel file but is a text (CSV) table; it was read as CSV.',
    },
    "row.unclosed_quote": {
        "zh": "第 {row} 行「{field_label}」以英文引号开头却没有结束引号（“{value}”），其后的 {count} 行被连成了这一个单元格。已跳过第 {row} 行，其后各行照常读取。请删去这个引号，或在单元格末尾补上引号。",
        "en": 'Row {row}: {field_label} opens a double quote that is never closed ("{value}"), so the {count} lines after it ran into this one cell. Row {row} was skipped and the lines after it read as rows. Delete the quote, or close it at the end of the cell.',
    },
    "row.unreadable": {
        "zh": "第 {row} 行（“{value}”）有一个单元格超过 {limit:,} 个字符，通常是引号没有配对，已跳过。请检查该行的英文双引号。",
        "en": 'Row {row} ("{value}") has a cell longer than {limit:,} characters, usually from an unmatched double quote; skipped. Check the double quotes in this row.',
    },
    "boundary.empty": {
        "zh": "边界文件“{path}”中没有任何镇区（要素数为 0）。请确认导出时选中了镇区图层和要素。",
        "en": 'Boundary file "{path}" holds no towns (no features). Check that the town layer and its features were exported.',
    },
    "boundary.names_all_missing": {
        "zh": "边界文件“{path}”中 {count} 个要素的名称字段“{name_field}”都是空的（要素 {rows}），无法知道哪个是哪个镇区。请填写镇区名称，或用 --name-field 指定名称所在的字段（现有字段：{fields}）。",
        "en": 'In boundary file "{path}" the name field "{name_field}" is empty for all {count} features (features {rows}), so no town can be told apart. Fill in the town names, or name the right field with --name-field (fields present: {fields}).',
    },
    "boundary.no_polygon_layer": {
        "zh": "边界文件“{path}”的图层中没有面状要素（图层：{layers}）。请提供镇区边界面图层。",
        "en": 'Boundary file "{path}" has no polygon layer (layers: {layers}). Provide a layer of town polygons.',
    },
    "boundary.layer_chosen": {
        "zh": "边界文件的第一个图层不是面图层，已读取面图层“{value}”（图层：{layers}）。",
        "en": 'The boundary file\'s first layer holds no polygons; polygon layer "{value}" was read (layers: {layers}).',
    },
    "boundary.out_of_range": {
        "zh": "边界文件“{path}”的坐标换算为经纬度后超出范围（经度 {minx:.6g}~{maxx:.6g}，纬度 {miny:.6g}~{maxy:.6g}；经度应在 -180~180，纬度应在 -90~90）。请在 GIS 软件中检查它的坐标系是否标注正确。",
        "en": 'The coordinates of boundary file "{path}" are out of range as longitude/latitude (lon {minx:.6g}..{maxx:.6g}, lat {miny:.6g}..{maxy:.6g}; lon must be within -180..180 and lat within -90..90). Check in a GIS program that its coordinate system is declared correctly.',
    },
    "boundary.too_many_vertices": {
        "zh": "边界文件“{path}”的顶点超过 {limit:,} 个，未读取。请在 GIS 软件中简化边界（例如容差 1 米）后再导入。",
        "en": 'Boundary file "{path}" has more than {limit:,} vertices; not read. Simplify the boundaries in a GIS program (e.g. 1 m tolerance) and try again.',
    },
    "file.format": {
        "zh": "不支持文件“{path}”的格式“{suffix}”。支持：{allowed}。",
        "en": 'The format "{suffix}" of "{path}" is not supported. Supported: {allowed}.',
    },
    "file.encoding": {
        "zh": "无法识别文件“{path}”的文字编码（已尝试 UTF-8 和 GBK/GB18030）。"
              "请在 Excel 中另存为“CSV UTF-8”后再导入。",
        "en": 'Cannot tell the text encoding of "{path}" (tried UTF-8 and GBK/GB18030). '
              'Save it from Excel as "CSV UTF-8" and try again.',
    },
    "file.unreadable": {
        "zh": "无法读取文件“{path}”：{reason}。请确认它是完整的 CSV、Excel 或地理数据文件。",
        "en": 'Cannot read "{path}": {reason}. Check that it is a complete CSV, Excel or GIS file.',
    },
    "file.no_header": {
        "zh": "文件“{path}”的前 {rows} 行中找不到表头。台账的表头应包含 {required} 等列"
              "（中文或英文列名均可，例如 编号/id、名称/name）。",
        "en": 'No header row found in the first {rows} rows of "{path}". A register\'s header '
              "has columns such as {required} (Chinese or English names, e.g. 编号/id, 名称/name).",
    },
    "file.no_header_sheet": {
        "zh": "文件“{path}”的工作表“{sheet}”前 {rows} 行中找不到表头。台账的表头应包含 {required} 等列"
              "（中文或英文列名均可）。请选择登记载体的那张工作表。",
        "en": 'No header row found in the first {rows} rows of worksheet "{sheet}" of "{path}". '
              "A register's header has columns such as {required}. Choose the worksheet that "
              "lists the carriers.",
    },
    "file.area_unit_unknown": {
        "zh": "文件“{path}”的面积单位“{unit}”（见“{value}”）无法使用：面积只能按平方米或万平方米读取，否则全部面积都会算错。请换算为平方米或万平方米，并在表头注明，例如“建筑面积（平方米）”或“建筑面积（万平方米）”。",
        "en": 'File "{path}": the area unit "{unit}" (from "{value}") cannot be used: areas are read in m² or 万平方米 (10,000 m²) only, or every area would be wrong. Convert them and name the unit in the header, e.g. 建筑面积（平方米） or 建筑面积（万平方米）.',
    },
    "file.area_unit_conflict": {
        "zh": "文件“{path}”中面积单位的说明不一致：{statements}。无法确定面积的单位，未读取。请只保留正确的单位说明。",
        "en": 'File "{path}" states different area units: {statements}. The unit of the areas cannot be known, so the file was not read. Keep only the right statement.',
    },
    "file.crs_conflict": {
        "zh": "文件“{path}”的经度、纬度表头写了不同的坐标系：{statements}。无法确定坐标系，未读取。请改为同一个坐标系。",
        "en": 'File "{path}": the lon and lat headers name different coordinate systems: {statements}. Which one is right cannot be known, so the file was not read. Make them name the same.',
    },
    "file.missing_columns": {
        "zh": "文件“{path}”缺少必填列：{missing}。请在表头中加上这些列（可用的列名：{aliases}）。",
        "en": 'File "{path}" lacks required columns: {missing}. Add them to the header '
              "(accepted names: {aliases}).",
    },
    "file.no_location_columns": {
        "zh": "文件“{path}”既没有“经度”“纬度”两列，也没有“镇区”列，无法确定载体位置。"
              "请至少加上经度+纬度，或镇区。",
        "en": 'File "{path}" has neither lon+lat columns nor a town column, so no carrier can '
              "be placed. Add lon and lat, or town.",
    },
    "boundary.no_polygons": {
        "zh": "边界文件“{path}”中没有面状要素（多边形）。请提供镇区边界面数据"
              "（GeoJSON、压缩的 Shapefile 或 GeoPackage）。",
        "en": 'Boundary file "{path}" has no polygons. Provide town polygons '
              "(GeoJSON, zipped Shapefile or GeoPackage).",
    },
    "boundary.no_name_field": {
        "zh": "边界文件“{path}”没有名称字段“{name_field}”。现有字段：{fields}。"
              "请用 --name-field 指定镇区名称所在的字段。",
        "en": 'Boundary file "{path}" has no name field "{name_field}". Fields present: '
              "{fields}. Name the town-name field with --name-field.",
    },
    "boundary.no_crs": {
        "zh": "边界文件“{path}”没有坐标系信息，且坐标不是经纬度。请在 GIS 软件中为其指定坐标系后再导入。",
        "en": 'Boundary file "{path}" has no coordinate reference system and its coordinates '
              "are not longitude/latitude. Assign its CRS in a GIS program and try again.",
    },
    "config.missing": {
        "zh": "找不到目标配置文件“{path}”。",
        "en": 'Targets file "{path}" not found.',
    },
    "config.invalid": {
        "zh": "目标配置文件“{path}”有误：{reason}。",
        "en": 'Targets file "{path}" is invalid: {reason}.',
    },
    # --- row problems (carriers) --------------------------------------
    "row.malformed": {
        "zh": "第 {row} 行的列数（{actual}）与表头（{expected}）不一致，已跳过。请检查该行是否多了或少了逗号。",
        "en": "Row {row} has {actual} fields but the header has {expected}; skipped. "
              "Check the row for extra or missing commas.",
    },
    "row.value_missing": {
        "zh": "第 {row} 行「{field_label}」为空。这是必填项，请补上。",
        "en": "Row {row}: {field_label} is empty. It is required; fill it in.",
    },
    "row.type_unknown": {
        "zh": "第 {row} 行「{field_label}」的值“{value}”无法识别。可用：孵化器、研究院（新型研发机构、大院大所）、众创空间、产业化基地。",
        "en": 'Row {row}: {field_label} "{value}" is not known. Use: incubator, '
              "research_institute, maker_space or industrial_base.",
    },
    "row.status_unknown": {
        "zh": "第 {row} 行「{field_label}」的值“{value}”无法识别。可用：规划、在建、已投用。",
        "en": 'Row {row}: {field_label} "{value}" is not known. Use: planned, '
              "under_construction or in_use.",
    },
    "row.area_invalid": {
        "zh": "第 {row} 行「{field_label}」的值“{value}”不是面积。请填写数字，例如 12000、12,000㎡、12000平方米 或 1.2万。",
        "en": 'Row {row}: {field_label} "{value}" is not an area. Write a number such as '
              "12000, 12,000 m² or 1.2万.",
    },
    "row.area_not_positive": {
        "zh": "第 {row} 行「{field_label}」为“{value}”，面积必须大于 0。",
        "en": 'Row {row}: {field_label} is "{value}"; an area must be greater than 0.',
    },
    "row.area_shared": {
        "zh": "第 {row} 行的「{field_label}」与第 {shared_with} 行合并为一个单元格，面积只在第 {shared_with} 行计入一次，本行未计入。如两个载体各有面积，请取消合并并分别填写。",
        "en": "Row {row}: {field_label} is one merged cell with row {shared_with}'s; the area counts once, on row {shared_with}, and this row is not counted. If each carrier has its own area, unmerge the cells and write each.",
    },
    "row.area_implausible": {
        "zh": "第 {row} 行「{field_label}」为“{value}”，超过一个载体可能的面积（200 万平方米），未计入。请核对数值和单位：万平方米列中的数字是否按平方米填写了？",
        "en": 'Row {row}: {field_label} is "{value}", more than one carrier can have (200 万平方米, 2,000,000 m²); not counted. Check the number and its unit: was an area in m² typed into a 万平方米 column?',
    },
    "row.area_too_small": {
        "zh": "第 {row} 行「{field_label}」为“{value}”，小于一个载体可能的面积（10 平方米），未计入。如面积以万平方米为单位，请在表头注明，例如“建筑面积（万平方米）”，或写成“{value}万”。",
        "en": 'Row {row}: {field_label} is "{value}", less than one carrier can have (10 m²); not counted. If areas are in 万平方米 (10,000 m²), say so in the header, e.g. 建筑面积（万平方米）, or write "{value}万".',
    },
    "row.opened_invalid": {
        "zh": "第 {row} 行「{field_label}」的值“{value}”不是日期。可写作 2019、2019-06、2019-06-30、2019/6/30、2019年6月 或 2019年6月30日。",
        "en": 'Row {row}: {field_label} "{value}" is not a date. Write 2019, 2019-06, '
              "2019-06-30, 2019/6/30, 2019年6月 or 2019年6月30日.",
    },
    "row.opened_ambiguous": {
        "zh": "第 {row} 行「{field_label}」为“{value}”，既可能是 1 月，也可能是 10 月（在 Excel 中输入 2019.10 会存为 2019.1），未计入。请写成 2019-01 或 2019-10（或把该列设为文本格式后重新输入）。",
        "en": 'Row {row}: {field_label} "{value}" may be January or October (Excel stores 2019.10 typed into a number cell as 2019.1); not counted. Write 2019-01 or 2019-10 (or format the column as text and type it again).',
    },
    "row.opened_missing": {
        "zh": "第 {row} 行已投用但没有「{field_label}」，无法判断是否在计划期内，暂不计入新增面积和新增载体数（研究院也不计入大院大所数）。请补上投用时间。",
        "en": "Row {row} is in use but has no {field_label}, so it cannot be placed in the "
              "plan period and is not counted, neither in the new area nor in the new "
              "carriers (nor, for a research institute, in the institutes). Add the "
              "opening date.",
    },
    "row.crs_unknown": {
        "zh": "第 {row} 行「{field_label}」的值“{value}”无法识别。可用：WGS84（默认，CGCS2000 视同）、GCJ02（高德/腾讯）、BD09（百度）。",
        "en": 'Row {row}: {field_label} "{value}" is not known. Use WGS84 (default; CGCS2000 '
              "is treated as WGS84), GCJ02 (Gaode/Tencent) or BD09 (Baidu).",
    },
    "row.crs_conflict": {
        "zh": "第 {row} 行「{field_label}」为“{value}”，但经纬度表头写的是 {header_crs}，无法确定坐标系，未计入。请让两处一致。",
        "en": 'Row {row}: {field_label} is "{value}" but the lon/lat headers say {header_crs}; which is right cannot be known, so the row is not counted. Make the two agree.',
    },
    "row.coord_invalid": {
        "zh": "第 {row} 行「{field_label}」的值“{value}”不是数字。请填写十进制度数，例如 121.1。",
        "en": 'Row {row}: {field_label} "{value}" is not a number. Write decimal degrees, e.g. 121.1.',
    },
    "row.coord_incomplete": {
        "zh": "第 {row} 行只填了经度或纬度中的一个。请两个都填，或都留空并填写镇区。",
        "en": "Row {row} has only one of lon and lat. Fill in both, or leave both empty and give the town.",
    },
    "row.coord_out_of_range": {
        "zh": "第 {row} 行坐标（经度 {lon}，纬度 {lat}）超出范围：经度应在 -180~180，纬度应在 -90~90。",
        "en": "Row {row}: coordinates (lon {lon}, lat {lat}) are out of range: lon must be "
              "within -180..180 and lat within -90..90.",
    },
    "row.coord_swapped": {
        "zh": "第 {row} 行的经纬度可能填反了（经度 {lon}，纬度 {lat}）。请交换这一行“经度”和“纬度”的值。",
        "en": "Row {row}: lon and lat look swapped (lon {lon}, lat {lat}). Swap the two values in this row.",
    },
    "row.location_missing": {
        "zh": "第 {row} 行既没有经纬度也没有镇区，无法确定位置。请补上坐标或镇区。",
        "en": "Row {row} has neither coordinates nor a town, so it cannot be placed. Add either.",
    },
    "row.id_duplicate": {
        "zh": "第 {row} 行的编号“{value}”与第 {first_row} 行重复，本行未计入。请为每个载体使用唯一编号。",
        "en": 'Row {row}: id "{value}" was already used in row {first_row}; this row is left out. '
              "Give every carrier its own id.",
    },
    "row.town_unknown": {
        "zh": "第 {row} 行没有坐标，填写的镇区“{value}”不在边界文件中，未计入。可用镇区：{towns}。",
        "en": 'Row {row} has no coordinates and its town "{value}" is not in the boundary file; '
              "not counted. Towns: {towns}.",
    },
    "row.town_mismatch": {
        "zh": "第 {row} 行填写的镇区是“{value}”，但坐标位于“{located}”。已按坐标计入“{located}”，请核对。",
        "en": 'Row {row} says town "{value}" but its point lies in "{located}". Counted by '
              "location in {located}; please check.",
    },
    "row.outside_boundaries": {
        "zh": "第 {row} 行的坐标（经度 {lon:.6f}，纬度 {lat:.6f}）不在任何镇区范围内，未计入。请核对坐标和坐标系。",
        "en": "Row {row}: the point (lon {lon:.6f}, lat {lat:.6f}) is outside every town; not "
              "counted. Check the coordinates and their coordinate system.",
    },
    "row.control_characters": {
        "zh": "第 {row} 行「{field_label}」含有不可见的控制字符（“{value}”，常见于从 Word 复制的换行），已删除这些字符后读取。请在原表中核对该单元格。",
        "en": 'Row {row}: {field_label} contained invisible control characters ("{value}", often a line break pasted from Word); they were removed. Check the cell in the original.',
    },
    "row.duplicate_same_town": {
        "zh": "第 {row} 行“{name}”与第 {first_row} 行“{first_name}”（编号 {first_id}）名称相同且同在{town}，很可能是同一个载体，本行未计入，以免重复计算。如确是两个载体，请把名称写得能区分开（例如加上“一期”“二期”）；如是同一个，请删除本行。",
        "en": 'Row {row} "{name}" has the same name as row {first_row} "{first_name}" (id {first_id}) and is also in {town}: probably the same carrier, so this row is left out and nothing is counted twice. If they are two carriers, give them distinguishable names (e.g. phase 1 / phase 2); if not, delete this row.',
    },
    "row.duplicate_nearby": {
        "zh": "第 {row} 行“{name}”与第 {first_row} 行“{first_name}”（编号 {first_id}）名称相同且相距仅 {distance:.0f} 米，很可能是同一个载体，本行未计入，以免重复计算。如确是两个载体，请把名称写得能区分开；如是同一个，请删除本行。",
        "en": 'Row {row} "{name}" has the same name as row {first_row} "{first_name}" (id {first_id}) and lies {distance:.0f} m from it: probably the same carrier, so this row is left out and nothing is counted twice. If they are two carriers, give them distinguishable names; if not, delete this row.',
    },
    # --- notes: set aside or read as, nothing to fix --------------------
    "note.skipped_total": {
        "zh": "第 {row} 行是合计/小计行（“{value}”），已跳过，不计入。",
        "en": 'Row {row} is a total row ("{value}"); skipped, not counted.',
    },
    "note.skipped_signature": {
        "zh": "第 {row} 行是填表人/审核/联系电话等落款（“{value}”），已跳过。",
        "en": 'Row {row} is a sign-off line ("{value}"); skipped.',
    },
    "note.skipped_note": {
        "zh": "第 {row} 行是备注/说明（“{value}”），已跳过。",
        "en": 'Row {row} is a note ("{value}"); skipped.',
    },
    "note.skipped_numbered_blank": {
        "zh": "第 {row} 行只有序号（“{value}”），是空行，已跳过。",
        "en": 'Row {row} has only a row number ("{value}"); an empty row, skipped.',
    },
    "note.skipped_trailing": {
        "zh": "第 {row} 行在最后一个载体之后，没有名称、类型和状态（“{value}”），已跳过。",
        "en": 'Row {row} comes after the last carrier and has no name, type or status ("{value}"); skipped.',
    },
    "note.area_unit": {
        "zh": "面积单位为平方米（依据“{value}”）。",
        "en": 'Areas are in m² (from "{value}").',
    },
    "note.area_unit_wan": {
        "zh": "面积单位为万平方米（依据“{value}”）：未写单位的数字已乘以 10000 换算为平方米（例如 1.2 → 12,000 平方米）。",
        "en": 'Areas are in 万平方米 (10,000 m², from "{value}"): plain numbers were multiplied by 10,000 (1.2 → 12,000 m²).',
    },
    "note.area_unit_assumed": {
        "zh": "表头未注明面积单位，按平方米读取。如是万平方米，请把表头写成“建筑面积（万平方米）”。",
        "en": "The header gives no area unit, so areas are read in m². If they are in 万平方米 (10,000 m²), write the header as 建筑面积（万平方米）.",
    },
    "note.crs_header": {
        "zh": "没有写坐标系的行按表头“{value}”读作 {crs}。",
        "en": 'Rows without a coordinate system of their own are read as {crs}, as the header "{value}" says.',
    },
    "note.column_duplicate": {
        "zh": "表头中“{value}”与“{used}”都对应「{field_label}」，已使用“{used}”，忽略“{value}”。如应使用另一列，请删去或改名其中一列。",
        "en": 'Columns "{value}" and "{used}" both mean {field_label}; "{used}" was used and "{value}" ignored. Rename or remove one of them if the other is meant.',
    },
    "note.sheet_read": {
        "zh": "读取的是工作表“{value}”（工作簿中有：{sheets}）。",
        "en": 'Read worksheet "{value}" (the workbook has: {sheets}).',
    },
    "note.sheet_hidden": {
        "zh": "工作表“{value}”在 Excel 中是隐藏的，但它是唯一有表头的工作表，已读取。",
        "en": 'Worksheet "{value}" is hidden in Excel but is the only one with a header; it was read.',
    },
    "note.hidden_rows": {
        "zh": "有 {count} 行在 Excel 中被隐藏（第 {rows} 行），这些行也已读取并计入检查。",
        "en": "{count} rows are hidden in Excel (rows {rows}); they were read and checked too.",
    },
    "file.no_carriers": {
        "zh": "文件中表头下面没有任何载体行，所有镇区均按 0 计算。请确认选择了正确的文件或工作表。",
        "en": "The file has a header but no carrier rows, so every town is at 0. Check that the right file or worksheet was chosen.",
    },
    "file.no_sheet": {
        "zh": "文件“{path}”中没有工作表“{sheet}”。现有工作表：{sheets}。",
        "en": 'File "{path}" has no worksheet "{sheet}". Worksheets: {sheets}.',
    },
    # --- boundary and target problems ---------------------------------
    "boundary.geometry_repaired": {
        "zh": "边界第 {row} 个要素“{value}”的几何图形无效（{reason}），已自动修复。请在 GIS 软件中核对。",
        "en": 'Boundary feature {row} "{value}" had an invalid geometry ({reason}); it was repaired. '
              "Please check it in a GIS program.",
    },
    "boundary.geometry_unusable": {
        "zh": "边界第 {row} 个要素“{value}”没有可用的面状几何，已忽略。",
        "en": 'Boundary feature {row} "{value}" has no usable polygon; ignored.',
    },
    "boundary.name_missing": {
        "zh": "边界第 {row} 个要素没有名称，已忽略。请在“{field_label}”字段填写镇区名称。",
        "en": "Boundary feature {row} has no name; ignored. Fill in the town name in {field_label}.",
    },
    "boundary.name_duplicate": {
        "zh": "边界文件中镇区名称“{value}”出现了 {count} 次，已合并为一个镇区。如果它们是不同的镇区，请改用不同的名称。",
        "en": 'Town name "{value}" appears {count} times in the boundary file; the parts were '
              "merged into one town. If they are different towns, give them different names.",
    },
    "boundary.overlap": {
        "zh": "镇区“{value}”与“{other}”的边界重叠约 {area_m2:,.0f} 平方米。重叠处的载体只计入其中一个镇区，请修正边界。",
        "en": 'Towns "{value}" and "{other}" overlap by about {area_m2:,.0f} m². A carrier there '
              "is counted in one of them only; please fix the boundaries.",
    },
    "target.unknown_town": {
        "zh": "目标配置为“{value}”设置了目标，但边界文件中没有这个镇区，已忽略。",
        "en": 'The targets file sets a target for "{value}", which is not in the boundary file; ignored.',
    },
    # --- notes and report text ----------------------------------------
    "note.approximate": {
        "zh": "注意：镇区边界为近似划分（非官方界线），仅供参考。",
        "en": "Note: town boundaries are approximate (not official lines).",
    },
    "note.illustrative": {
        "zh": "注意：载体台账中有 {count} 条为示意数据（面积、日期等未经核实）。",
        "en": "Note: {count} carriers in the register are illustrative (areas and dates not verified).",
    },
    "report.title": {
        "zh": "创新载体新增面积达标情况（{start} 至 {end}）",
        "en": "New innovation carrier area by town ({start} to {end})",
    },
    "report.town": {"zh": "镇区", "en": "Town"},
    "report.target": {"zh": "目标", "en": "Target"},
    "report.new_area": {"zh": "新增面积", "en": "New area"},
    "report.met": {"zh": "达标", "en": "Met"},
    "report.shortfall": {"zh": "差额", "en": "Shortfall"},
    "report.carriers": {"zh": "计入载体数", "en": "Carriers"},
    "report.yes": {"zh": "是", "en": "yes"},
    "report.no": {"zh": "否", "en": "no"},
    "report.towns_met": {
        "zh": "达标镇区：{met} / {total}",
        "en": "Towns meeting the target: {met} / {total}",
    },
    "report.city_new": {
        "zh": "全市计划期内新增载体：{count} 家（目标 ≥ {goal} 家）",
        "en": "New carriers city-wide in the period: {count} (goal ≥ {goal})",
    },
    "report.city_institutes": {
        "zh": "全市研究院（大院大所）累计：{count} 家（目标 ≥ {goal} 家）",
        "en": "Research institutes city-wide: {count} (goal ≥ {goal})",
    },
    "report.problems": {
        "zh": "数据问题（{count} 条）：",
        "en": "Data problems ({count}):",
    },
    "report.no_problems": {"zh": "没有发现数据问题。", "en": "No data problems found."},
    "report.notes": {"zh": "读取说明（{count} 条，无需修改）", "en": "Notes on reading ({count}, nothing to fix)"},
    "report.file": {"zh": "文件：{path}", "en": "File: {path}"},
}

CATALOGUE: dict[str, dict[Lang, str]] = {**_MESSAGES, **UI_TEXT}


class _Params(dict):
    """Format parameters that render a missing key visibly instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def translate(code: str, lang: Lang = "zh", **params: Any) -> str:
    """Render catalogue entry ``code`` in ``lang`` with ``params`` filled in.

    A ``field`` parameter also provides ``field_label``, the column's name in
    the chosen language, so messages name the column as the user sees it.
    """
    entry = CATALOGUE[code]
    values = _Params({k: ("—" if v is None else v) for k, v in params.items()})
    field_name = params.get("field")
    if field_name and f"field.{field_name}" in CATALOGUE:
        values["field_label"] = CATALOGUE[f"field.{field_name}"][lang]
    elif "field_label" not in values:
        values["field_label"] = field_name or ""
    return entry[lang].format_map(values)


def format_area(m2: float, lang: Lang = "zh", rounding: str = ROUND_HALF_UP) -> str:
    """An area as a reader of ``lang`` expects, in one unit whatever its size.

    Chinese always in 万平方米 with at most two decimals (``0.3 万平方米``,
    ``27.32 万平方米``; a non-zero area that would show as 0 is ``< 0.01 万平方米``),
    English always in m² with thousands separators (``12,000 m²``), so a screen
    never shows ``3,000 平方米`` next to ``1.12 万平方米``. Rounded half up (四舍五入)
    on the decimal the number reads as: 8,450 m² is 0.85 万, as a reader rounds
    it, not 0.84 as the binary 0.845 would. ``rounding`` (a :mod:`decimal`
    mode) rounds down or up instead, for :func:`format_progress`.
    """
    if m2 is None or not math.isfinite(m2):
        return "—"
    value = Decimal(repr(float(m2)))
    if lang == "zh":
        shown = (value / 10000).quantize(Decimal("0.01"), rounding=rounding)
        if m2 and not shown:
            return ("> -0.01" if m2 < 0 else "< 0.01") + " 万平方米"
        text = f"{shown:,.2f}".rstrip("0").rstrip(".")
        return ("0" if text in ("-0", "") else text) + " 万平方米"
    shown = value.quantize(Decimal(1), rounding=rounding)
    return f"{shown + 0:,.0f} m²"  # + 0: never "-0 m²"


class ProgressText(NamedTuple):
    """A town's area, target, shortfall and percentage as one line shows them."""

    area: str
    target: str
    shortfall: str
    pct: str


def format_progress(figures: Mapping[str, Any], lang: Lang = "zh") -> ProgressText:
    """A town's figures against its target, rounded so they never cross it.

    ``figures`` is a row of :attr:`geo.check.CheckResult.towns` (``new_area_m2``,
    ``target_m2``, ``shortfall_m2``, ``progress``, ``met``).

    Below the target the area is rounded down, the shortfall up and the
    percentage down (at most 99): 9,999.6 m² reads 9,999 m² of 10,000 m²,
    1 m² to go, 99 % — never "10,000 m² of 10,000 m², not met, 0 m² to go" —
    and area plus shortfall always make the target. A town that met it
    is rounded half up, as every other area.
    """
    area, target = float(figures["new_area_m2"]), format_area(figures["target_m2"], lang)
    percent = Decimal(repr(float(figures["progress"]) * 100))
    if bool(figures["met"]):
        return ProgressText(format_area(area, lang), target, format_area(0, lang),
                            f"{percent.to_integral_value(ROUND_HALF_UP)}")
    pct = min(int(percent.to_integral_value(ROUND_FLOOR)), 99)
    return ProgressText(format_area(area, lang, ROUND_FLOOR), target,
                        format_area(figures["shortfall_m2"], lang, ROUND_CEILING), f"{pct}")
