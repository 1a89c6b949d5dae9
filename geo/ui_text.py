"""Dashboard labels, legends and notes, Chinese first — part of the one catalogue.

:mod:`geo.i18n` merges these entries into :data:`geo.i18n.CATALOGUE`; they
live in their own module only to keep the file about messages short.
"""

from __future__ import annotations

__all__ = ["UI_TEXT"]

UI_TEXT: dict[str, dict[str, str]] = {
    # --- app and pages -------------------------------------------------
    "app.title": {"zh": "创新载体地图", "en": "Innovation Carrier Map"},
    "app.subtitle": {
        "zh": "计划期 {start} 至 {end} · 每个镇区新投用创新载体面积不低于目标",
        "en": "Period {start} to {end} · each town must put its target area of new carriers into use",
    },
    "page.overview": {"zh": "总览", "en": "Overview"},
    "page.town": {"zh": "镇区达标", "en": "Town check"},
    "page.city": {"zh": "全市目标", "en": "City targets"},
    "app.load_failed": {"zh": "数据无法加载", "en": "The data cannot be loaded"},
    # --- sidebar -------------------------------------------------------
    "sidebar.filters": {"zh": "筛选", "en": "Filters"},
    "sidebar.types": {"zh": "载体类型", "en": "Carrier types"},
    "sidebar.statuses": {"zh": "状态", "en": "Status"},
    "sidebar.choose": {"zh": "请选择", "en": "Choose"},
    "sidebar.period": {"zh": "计划期", "en": "Period"},
    "sidebar.period_incomplete": {
        "zh": "请同时选择开始和结束日期；暂按 {start} 至 {end} 计算。",
        "en": "Choose both a start and an end date; using {start} to {end} meanwhile.",
    },
    "sidebar.nothing_chosen": {
        "zh": "未选择任何{what}，因此没有载体。",
        "en": "No {what} chosen, so no carriers are shown.",
    },
    "sidebar.basemap": {"zh": "底图", "en": "Basemap"},
    "sidebar.basemap_online": {
        "zh": "该底图的瓦片来自互联网，内网无法访问时请选“无底图”。",
        "en": "This basemap's tiles come from the internet; on an intranet choose “None”.",
    },
    "sidebar.data": {"zh": "数据来源", "en": "Data"},
    "sidebar.source": {"zh": "{kind}：{path}", "en": "{kind}: {path}"},
    "basemap.none": {"zh": "无底图（仅边界，离线可用）", "en": "None (boundaries only, offline)"},
    "basemap.osm": {"zh": "OpenStreetMap", "en": "OpenStreetMap"},
    "basemap.tianditu": {"zh": "天地图", "en": "Tianditu"},
    "basemap.gaode": {"zh": "高德地图", "en": "Gaode (Amap)"},
    # --- headline figures ----------------------------------------------
    "kpi.new_area": {"zh": "计划期新增载体面积", "en": "New carrier area in the period"},
    "kpi.towns_met": {"zh": "达标镇区", "en": "Towns meeting the target"},
    "kpi.new_carriers": {"zh": "新增载体（目标 {goal} 家）", "en": "New carriers (goal {goal})"},
    "kpi.institutes": {"zh": "研究院（目标 {goal} 家）", "en": "Research institutes (goal {goal})"},
    "kpi.count": {"zh": "{count} 家", "en": "{count}"},
    "kpi.of": {"zh": "{value} / {total}", "en": "{value} / {total}"},
    "kpi.to_go": {"zh": "还差 {count}", "en": "{count} to go"},
    "kpi.reached": {"zh": "已完成", "en": "reached"},
    # --- map -----------------------------------------------------------
    "map.click_hint": {
        "zh": "点击地图上的镇区，打开该镇区的达标页面。",
        "en": "Click a town on the map to open its page.",
    },
    "map.outside": {
        "zh": "所点位置不在任何镇区内。",
        "en": "The point you clicked is not inside any town.",
    },
    "legend.towns": {"zh": "镇区进度", "en": "Town progress"},
    "legend.carriers": {"zh": "载体类型", "en": "Carrier type"},
    "legend.faded": {"zh": "浅色标记：不计入", "en": "Faded marker: does not count"},
    "band.met": {"zh": "已达标", "en": "Target met"},
    "band.close": {"zh": "接近（≥ {pct}%）", "en": "Close (≥ {pct}%)"},
    "band.far": {"zh": "差距较大（< {pct}%）", "en": "Far (< {pct}%)"},
    "chart.title": {
        "zh": "各镇区新增面积排名（红线为目标）",
        "en": "Towns ranked by new area (red line: target)",
    },
    # --- town page -----------------------------------------------------
    "town.choose": {"zh": "选择镇区", "en": "Town"},
    "town.unknown": {
        "zh": "链接中的镇区“{town}”不在边界数据中，已显示“{shown}”。",
        "en": "The town “{town}” in the link is not in the boundaries; showing “{shown}”.",
    },
    "town.progress": {
        "zh": "{area} / 目标 {target}（{pct}%）",
        "en": "{area} of {target} ({pct}%)",
    },
    "town.met": {"zh": "已达标", "en": "Meets the target"},
    "town.not_met": {"zh": "未达标，尚差 {shortfall}", "en": "Not met: {shortfall} to go"},
    "town.projected": {
        "zh": "预计总面积（已投用 + 在建 + 规划）",
        "en": "Projected (in use + under construction + planned)",
    },
    "town.building": {"zh": "在建面积", "en": "Under construction"},
    "town.planned": {"zh": "规划面积", "en": "Planned"},
    "town.counted": {"zh": "计入的载体（{count} 个）", "en": "Carriers that count ({count})"},
    "town.others": {
        "zh": "其他载体及不计入原因（{count} 个）",
        "en": "Other carriers and why they do not count ({count})",
    },
    "town.none": {"zh": "无。", "en": "None."},
    "town.problems": {
        "zh": "本镇区的数据问题（{count} 条）",
        "en": "Data problems in this town ({count})",
    },
    "download.csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "download.xlsx": {"zh": "下载 Excel", "en": "Download Excel"},
    # --- city page -----------------------------------------------------
    "city.towns": {"zh": "各镇区达标情况", "en": "Every town against its target"},
    "city.targets": {"zh": "全市目标", "en": "City-wide targets"},
    "city.quality": {"zh": "数据质量报告（{count} 条）", "en": "Data-quality report ({count})"},
    "city.goal_met": {"zh": "已完成", "en": "reached"},
    "city.goal_not_met": {"zh": "未完成", "en": "not reached"},
    # --- table columns -------------------------------------------------
    "col.id": {"zh": "编号", "en": "ID"},
    "col.name": {"zh": "名称", "en": "Name"},
    "col.type": {"zh": "类型", "en": "Type"},
    "col.status": {"zh": "状态", "en": "Status"},
    "col.opened": {"zh": "投用时间", "en": "Opened"},
    "col.town": {"zh": "镇区", "en": "Town"},
    "col.target": {"zh": "目标（平方米）", "en": "Target (m²)"},
    "col.new_area": {"zh": "新增面积（平方米）", "en": "New area (m²)"},
    "col.progress": {"zh": "完成比例", "en": "Progress"},
    "col.band": {"zh": "进度", "en": "Status"},
    "col.shortfall": {"zh": "缺口（平方米）", "en": "Shortfall (m²)"},
    "col.counted": {"zh": "计入载体数", "en": "Carriers counted"},
    "col.under_construction": {"zh": "在建（平方米）", "en": "Under construction (m²)"},
    "col.planned": {"zh": "规划（平方米）", "en": "Planned (m²)"},
    "col.projected": {"zh": "预计总面积（平方米）", "en": "Projected (m²)"},
    "col.area": {"zh": "面积（平方米）", "en": "Floor area (m²)"},
    "col.reason": {"zh": "是否计入 / 原因", "en": "Counts? / reason"},
    "col.declared_town": {"zh": "登记镇区", "en": "Town in register"},
    "col.file": {"zh": "文件", "en": "File"},
    "col.row": {"zh": "行号", "en": "Row"},
    "col.field": {"zh": "列", "en": "Column"},
    "col.value": {"zh": "内容", "en": "Value"},
    "col.severity": {"zh": "级别", "en": "Severity"},
    "col.message": {"zh": "问题与修改方法", "en": "Problem and fix"},
    "col.goal": {"zh": "目标", "en": "Goal"},
    "col.actual": {"zh": "完成", "en": "Actual"},
    "col.item": {"zh": "指标", "en": "Measure"},
    "reason.counted": {"zh": "计入", "en": "Counts"},
    "reason.data_problem": {"zh": "数据有误（见数据问题）", "en": "Data problem (see problems)"},
    "reason.outside_boundary": {"zh": "不在镇区边界内", "en": "Outside the town boundaries"},
    "reason.not_in_use": {"zh": "尚未投用", "en": "Not in use yet"},
    "reason.no_opening_date": {"zh": "缺少投用时间", "en": "No opening date"},
    "reason.opened_outside_period": {
        "zh": "投用时间不在计划期内", "en": "Opened outside the period",
    },
    "severity.error": {"zh": "错误", "en": "Error"},
    "severity.warning": {"zh": "提示", "en": "Warning"},
    "source.carriers": {"zh": "载体登记表", "en": "Carrier register"},
    "source.boundaries": {"zh": "镇区边界", "en": "Town boundaries"},
    "source.targets": {"zh": "目标设置", "en": "Targets"},
    # --- the store: refusals and conflicts ----------------------------
    "store.read_only": {
        "zh": "用户“{user}”只有查看权限，不能修改数据。如需修改，请联系管理员。",
        "en": "User “{user}” may only view; ask an administrator for editing rights.",
    },
    "store.not_your_town": {
        "zh": "用户“{user}”只能修改所负责镇区（{towns}）内的载体；载体“{id}”位于“{town}”，未保存。",
        "en": "User “{user}” may change only carriers in {towns}; carrier “{id}” lies in “{town}”. Not saved.",
    },
    "store.admin_only": {
        "zh": "只有管理员可以执行此操作（当前用户“{user}”）。",
        "en": "Only an administrator may do this (you are “{user}”).",
    },
    "store.invalid": {
        "zh": "载体“{id}”有 {count} 处数据问题，未保存。请按下列提示修改后再保存。",
        "en": "Carrier “{id}” has {count} problem(s) and was not saved. Fix them as listed and save again.",
    },
    "store.conflict": {
        "zh": "载体“{id}”在您打开之后已被“{who}”修改（{at}），您的修改未保存，以免覆盖他人的修改。请刷新后重新编辑。",
        "en": "Carrier “{id}” was changed by “{who}” ({at}) after you opened it. Your change was not saved, so nothing is overwritten; reload and edit again.",
    },
    "store.id_taken": {
        "zh": "编号“{id}”已存在。请换一个编号，或编辑已有的载体。",
        "en": "The id “{id}” is already used. Choose another id or edit the existing carrier.",
    },
    "store.not_found": {
        "zh": "找不到载体“{id}”（可能已被他人删除）。请刷新。",
        "en": "Carrier “{id}” was not found (someone may have deleted it). Reload.",
    },
    "store.import_stale": {
        "zh": "预览之后有 {count} 个载体已被他人修改（{ids}），导入未执行，数据未变。请重新预览后再导入。",
        "en": "{count} carrier(s) changed after your preview ({ids}); nothing was imported. Preview again.",
    },
    "store.change_not_found": {
        "zh": "找不到第 {change} 号修改记录。",
        "en": "Change {change} was not found.",
    },
    "store.revert_conflict": {
        "zh": "无法撤销第 {change} 号修改：载体“{id}”之后又被修改过。请先查看其后的修改。",
        "en": "Change {change} cannot be reverted: carrier “{id}” was changed again since. Look at the later changes first.",
    },
    "store.revert_unsupported": {
        "zh": "第 {change} 号修改（{action}）不能撤销。",
        "en": "Change {change} ({action}) cannot be reverted.",
    },
    "login.failed": {"zh": "用户名或密码不正确。", "en": "Wrong user name or password."},
    "login.locked": {
        "zh": "登录失败次数过多，该账户已暂时锁定，请于 {until}（UTC）后再试。",
        "en": "Too many failed logins; the account is locked until {until} (UTC).",
    },
}
