"""Write the committed ledger test files, shaped as town offices make them.

Run ``python tests/data/make_ledgers.py`` to rebuild them; the tests read the
committed files and never run this. The carriers are those of the bundled
register (``data/carriers.csv``) for 浏河镇 and 沙溪镇, written the way an
office keeps its own ledger: no id column (序号 counts rows), names with
half-width brackets, areas in 万平方米, a GCJ-02 point, a title row, merged
two-row headers, a 合计 row and 填表人 lines — plus one genuinely new carrier
and one that lies in another town.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

from geo.coords import wgs84_to_gcj02

HERE = Path(__file__).resolve().parent
LIUHE_XLSX = HERE / "浏河镇创新载体台账2020.xlsx"
SHAXI_CSV = HERE / "沙溪镇载体台账_GBK.csv"

_GCJ_LON, _GCJ_LAT = (float(v[0]) for v in wgs84_to_gcj02([121.269843], [31.537702]))

LIUHE_ROWS = [
    # 序号, 载体名称, 类型, 镇区, 经度, 纬度, 坐标系, 建筑面积(万㎡), 使用面积, 投用时间, 状态,
    # 运营单位, 备注
    [1, "浏河镇科技孵化器", "孵化器", "浏河镇", 121.310037, 31.534775, "WGS84", 0.55, 0.5,
     "2018-10", "已投用", "浏河镇人民政府", None],
    [2, "浏河镇众创空间", "众创空间", "浏河镇", None, None, None, 0.15, 0.12, "2019年8月",
     "已投用", "浏河镇人民政府", "无坐标"],
    [3, "浏河航空产业研究院", "研究院", "浏河镇", round(_GCJ_LON, 7), round(_GCJ_LAT, 7), "高德",
     0.15, 0.15, "2020-11", "已投用", "浏河镇人民政府", "坐标取自高德地图"],
    [4, "浏河镇民用航空产业化基地", "产业化基地", "浏河镇", 121.269198, 31.518341, None, 2.5,
     2.0, "2022", "在建", "浏河镇人民政府", None],
    [5, "浏河镇创业园(二期)", "孵化器", "浏河镇", 121.238173, 31.513766, None, 0.8, 0.7, None,
     "规划", "浏河镇人民政府", None],
    [6, "浏河海洋经济众创空间", "众创空间", "浏河镇", 121.288205, 31.519192, None, 0.05, 0.05,
     "2021", "规划", "浏河镇人民政府", None],
    [7, "浏河镇智能制造众创空间", "众创空间", "浏河镇", 121.272, 31.508, None, 0.3, 0.25,
     "2020-06", "已投用", "浏河镇人民政府", "2020年新增"],
    [8, "长江口生物医药孵化器", "孵化器", "浏河镇", 121.055, 31.557, None, 0.6, 0.5,
     "2020-03", "已投用", "某生物医药公司", "坐标待核"],
]


def write_liuhe_workbook(path: Path = LIUHE_XLSX) -> None:
    """A workbook with an instruction sheet, a hidden old copy and the 2020 ledger (active)."""
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "填表说明"
    notes.append(["填表说明：每个载体填一行；面积单位为万平方米；坐标可用高德坐标，并在坐标系一栏注明。"])
    old = workbook.create_sheet("2019年")
    old.append(["序号", "载体名称", "类型", "镇区", "面积", "投用时间", "状态"])
    old.append([1, "浏河镇科技孵化器", "孵化器", "浏河镇", 5500, "2018-10", "已投用"])
    old.sheet_state = "hidden"
    sheet = workbook.create_sheet("2020年")
    sheet.append(["浏河镇创新载体台账（2020年）"])
    sheet.merge_cells("A1:M1")
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(["序号", "载体名称", "载体类型", "所在镇区", "位置坐标", None, "坐标系",
                  "面积（万平方米）", None, "投用时间\n（年月）", "建设状态", "运营单位", "备注"])
    sheet.append([None, None, None, None, "经度", "纬度", None, "建筑面积", "使用面积", None,
                  None, None, None])
    for column in "ABCDGJKLM":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("E2:F2")
    sheet.merge_cells("H2:I2")
    for row in LIUHE_ROWS:
        sheet.append(row)
    total = sum(row[7] for row in LIUHE_ROWS)
    sheet.append(["合计", None, None, None, None, None, None, round(total, 2),
                  round(sum(row[8] for row in LIUHE_ROWS), 2)])
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row,
                      end_column=7)
    sheet.append(["填表人：张三        审核人：李四        联系电话：0512-53601234"])
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row,
                      end_column=13)
    sheet.append(["填表日期：2020年12月31日"])
    workbook.active = workbook.index(sheet)
    workbook.save(path)


SHAXI_ROWS = [
    ["1", "沙溪镇科技创业中心", "孵化器", "沙溪镇", "121.031976", "31.558967", "4,000", "2019-03",
     "已投用"],
    ["2", "沙溪镇化纤新材料众创空间", "众创空间", "沙溪镇", "121.049630", "31.578390", "2000",
     "2020年7月", "已投用"],
    ["3", "沙溪镇新材料产业化基地", "产业化基地", "沙溪镇", "121.068574", "31.539619", "20000",
     "2021-06", "在建"],
    ["4", "沙溪镇电子信息孵化器", "孵化器", "沙溪镇", "121.106395", "31.546205", "6000", "2017",
     "已投用"],
    ["5", "沙溪古镇文创众创空间", "众创空间", "沙溪镇", "", "", "800", "2018", "已投用"],
    ["6", "沙溪镇生物医药产业园", "孵化器", "沙溪镇", "121.055", "31.557", "3500", "2020-09",
     "已投用"],
    ["7", "", "", "", "", "", "", "", ""],
]


def write_shaxi_csv(path: Path = SHAXI_CSV) -> None:
    """A GBK CSV as Excel saves it: title, two-row header, 序号, an empty numbered row, 合计."""
    width = 9
    with open(path, "w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["沙溪镇创新载体统计表（截至2020年底）"] + [""] * (width - 1))
        writer.writerow(["填报单位：沙溪镇经济发展局"] + [""] * (width - 1))
        writer.writerow(["序号", "名称", "类型", "镇区", "位置坐标", "", "建筑面积（平方米）",
                         "投用时间", "状态"])
        writer.writerow(["", "", "", "", "经度", "纬度", "", "", ""])
        writer.writerows(SHAXI_ROWS)
        writer.writerow(["合计", "", "", "", "", "", "36300", "", ""])
        writer.writerow(["填表人：王五", "", "", "联系电话：0512-53211234", "", "", "", "", ""])
        writer.writerow(["注：面积以不动产登记为准。"] + [""] * (width - 1))


if __name__ == "__main__":
    write_liuhe_workbook()
    write_shaxi_csv()
    print(LIUHE_XLSX, SHAXI_CSV, sep="\n")
