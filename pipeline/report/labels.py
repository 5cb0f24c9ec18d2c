"""Every word the report prints that is not a figure: one dict, Chinese and English side by side.

Names of indicators, statuses, stages, school types, area classes, class-size categories and
exclusion reasons are not here: they come from the warehouse's reference seeds
(`reference.indicators`, `reference.statuses`, ...), so the report and the data dictionary
always use the same words. `label(key, lang)` fails loudly on an unknown key or language.
"""

from __future__ import annotations

LANGS = ("zh", "en")

# key -> (Chinese, English)
LABELS: dict[str, tuple[str, str]] = {
    # --- document ---------------------------------------------------------------------------
    "doc.title": (
        "县域义务教育优质均衡发展自查自评报告",
        "County self-assessment report: balanced, high-quality compulsory education",
    ),
    "doc.subtitle": ("（数据部分 · {year}学年）", "(data part, school year {year})"),
    "doc.county": ("区县", "County"),
    "doc.county_code": ("区县代码", "County code"),
    "doc.year": ("年份", "Year"),
    "doc.generated": ("生成时间", "Generated"),
    "doc.source": ("数据来源", "Source"),
    "doc.source_text": ("数据仓库 marts 层（{database}）", "warehouse marts ({database})"),
    "doc.loaded": ("普查数据载入时间", "Census data loaded"),
    "doc.basis": ("评估依据", "Rules"),
    "doc.basis_text": (
        "《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）及2024年工作规程（教督厅函〔2024〕10号）",
        "County assessment of balanced, high-quality compulsory education (教督〔2017〕6号) and the 2024 working rules (教督厅函〔2024〕10号)",
    ),
    "doc.contents": ("目录", "Contents"),
    "doc.none": ("无", "none"),
    "doc.missing": ("—", "—"),
    "doc.yes": ("是", "yes"),
    "doc.no": ("否", "no"),
    "doc.page_note": (
        "本报告由数据仓库自动生成，所有数字取自仓库 marts 层，与其完全一致。",
        "Generated from the warehouse; every figure is read from its marts tables.",
    ),
    "punct.open": ("（", " ("),
    "punct.close": ("）", ")"),
    "punct.colon": ("：", ": "),
    "punct.semicolon": ("；", "; "),
    # --- signature block --------------------------------------------------------------------
    "sign.title": ("签字确认", "Sign-off"),
    "sign.unit": ("填报单位（盖章）", "Reporting bureau (seal)"),
    "sign.head": ("单位负责人", "Head of bureau"),
    "sign.preparer": ("填报人", "Prepared by"),
    "sign.phone": ("联系电话", "Telephone"),
    "sign.date": ("日期", "Date"),
    # --- section titles -----------------------------------------------------------------------
    "sec.summary": ("一、评估结论", "1. Verdict"),
    "sec.resource": ("二、资源配置", "2. Resource allocation"),
    "sec.schools": ("三、学校学段资源配置明细", "3. Resource indicators by school"),
    "sec.government": (
        "四、政府保障程度、教育质量与社会认可度",
        "4. Government guarantee, education quality and social recognition",
    ),
    "sec.violations": ("五、大班额与大校额", "5. Class size and school size"),
    "sec.cv_change": ("六、差异系数年度变化", "6. Change of the coefficients of variation"),
    "sec.inequality": ("七、城乡差异分解（泰尔指数）", "7. Urban/rural decomposition (Theil index)"),
    "sec.remediation": ("八、整改计划", "8. Remediation plan"),
    "sec.notes": ("说明", "Notes"),
    # --- summary ------------------------------------------------------------------------------
    "summary.overall": ("综合评估结论", "Overall verdict"),
    "summary.overview": ("基本情况", "Overview"),
    "summary.areas": ("分领域结论", "Verdict by area"),
    "summary.reasons": ("未达标与待定事项", "Why the county is not met or incomplete"),
    "summary.reasons_note": (
        "按状态列出全部未达标（未达标）、缺少数据（无数据）与须由督导组评估（待督导评估）的指标。",
        "Every indicator that is not met, lacks data, or is left to the inspectors, by status.",
    ),
    "summary.no_reasons": ("所有可计量指标均达标。", "Every measurable indicator is met."),
    "summary.rows_not_met": ("未达标指标项数", "Indicator rows not met"),
    "summary.rows_no_data": ("无数据指标项数", "Indicator rows without data"),
    "summary.rows_qualitative": ("待督导评估指标项数", "Indicator rows left to the inspectors"),
    "summary.rows_met": ("达标指标项数", "Indicator rows met"),
    "summary.veto_items": ("一票否决事项", "One-vote-veto items"),
    "summary.blocked": (
        "本县本年数据暂缓发布（{reason}），本报告所用数据为{as_of}的上一次合格数据",
        "This county's data of the year are held back ({reason}); the report uses the last good data, {as_of}",
    ),
    "summary.blocked_no_data": ("尚无合格数据", "none yet"),
    "verdict.met": ("达标", "met"),
    "verdict.not_met": ("未达标", "not met"),
    "verdict.incomplete": ("待定（有指标无数据或待督导评估）", "incomplete (data missing or left to the inspectors)"),
    "area.resource": ("资源配置", "Resource allocation"),
    "area.government": ("政府保障程度", "Government guarantee"),
    "area.quality": ("教育质量", "Education quality"),
    "area.social": ("社会认可度", "Social recognition"),
    "area.veto": ("一票否决", "One-vote veto"),
    "veto.true": ("存在一票否决事项", "veto item listed"),
    "veto.false": ("无一票否决事项", "no veto item"),
    "veto.null": ("无县级数据，无法判断", "unknown (no county row)"),
    "kv.item": ("项目", "Item"),
    "kv.value": ("数值", "Value"),
    "kv.schools": ("学校数", "Schools"),
    "kv.students": ("学生数（义务教育学段）", "Students (compulsory units)"),
    "kv.units": ("学校学段数", "Units (school stage parts)"),
    "kv.evaluated_units": ("参评学校学段数", "Evaluated units"),
    "kv.passing_units": ("资源配置达标学校学段数", "Evaluated units passing resource allocation"),
    "kv.passing_share": ("学校学段达标率", "Share of evaluated units passing"),
    "kv.cv_checks": ("差异系数检查项数", "CV checks"),
    "kv.cv_within_limits": ("差异系数达标项数", "CVs within limits"),
    "kv.oversize_classes": ("超标准班额班级数", "Classes over the standard size"),
    "kv.students_in_oversize_classes": ("超标准班额班级学生数", "Students in those classes"),
    "kv.large_classes": ("大班额班级数（56–65人）", "Large classes (56–65)"),
    "kv.students_in_large_classes": ("大班额班级学生数", "Students in large classes"),
    "kv.super_large_classes": ("超大班额班级数（66人及以上）", "Super-large classes (66+)"),
    "kv.students_in_super_large_classes": ("超大班额班级学生数", "Students in super-large classes"),
    "kv.oversize_schools": ("超规模学校数", "Schools over their size limit"),
    "kv.students_in_oversize_schools": ("超规模学校学生数", "Compulsory students of those schools"),
    # --- common columns -----------------------------------------------------------------------
    "col.area": ("评估领域", "Area"),
    "col.result": ("结论", "Result"),
    "col.code": ("代码", "Code"),
    "col.indicator": ("指标", "Indicator"),
    "col.stage": ("学段", "Stage"),
    "col.value": ("指标值", "Value"),
    "col.standard": ("标准", "Standard"),
    "col.status": ("状态", "Status"),
    "col.detail": ("说明", "Detail"),
    "col.second_value": ("第二项指标值", "Second part"),
    "col.second_standard": ("第二项标准", "Second standard"),
    "col.numerator": ("分子", "Numerator"),
    "col.denominator": ("分母", "Denominator"),
    "col.unit": ("计量单位", "Unit"),
    "col.school": ("学校名称", "School"),
    "col.school_id": ("学校标识码", "School ID"),
    "col.school_type": ("办学类型", "School type"),
    "col.area_class": ("城乡类别", "Area class"),
    "col.students": ("学生数", "Students"),
    "col.teachers": ("专任教师数", "Teachers"),
    "col.evaluated": ("参评情况", "Evaluated"),
    "col.evaluated_yes": ("参评", "evaluated"),
    "col.met_count": ("达标项数", "Met (of 7)"),
    "col.min_ratio": ("最低达标比例", "Lowest value / standard"),
    "col.pass_status": ("资源配置", "Resource result"),
    "col.class_id": ("班级编号", "Class"),
    "col.grade": ("年级", "Grade"),
    "col.class_students": ("班额", "Class size"),
    "col.class_standard": ("标准班额", "Standard size"),
    "col.excess": ("超出人数", "Excess"),
    "col.category": ("班额类别", "Category"),
    "col.compulsory_students": ("义务教育阶段学生数", "Compulsory students"),
    "col.size_limit": ("规模上限", "Size limit"),
    # --- resource section ---------------------------------------------------------------------
    "res.table": ("资源配置七项指标", "The seven resource indicators"),
    "res.table_note": (
        "标准为每所学校（学段）应达到的值；差异系数为以学生数加权的校际差异系数，小学≤0.50、初中≤0.45；"
        "“临界”表示差异系数与上限相差不足0.0005，四舍五入后的数与精确值可能判断不一。",
        "Standard: the value each unit must reach. CV: student-weighted coefficient of variation between "
        "schools, primary ≤ 0.50, junior ≤ 0.45. 'Borderline': the CV is within 0.0005 of its limit, where "
        "the rounded and the exact value can disagree.",
    ),
    "res.units_evaluated": ("参评学校学段数", "Units evaluated"),
    "res.units_met": ("达标学校学段数", "Units meeting"),
    "res.units_met_share": ("达标比例", "Share meeting"),
    "res.weighted_mean": ("加权平均值", "Weighted mean"),
    "res.cv": ("差异系数", "CV"),
    "res.cv_unweighted": ("差异系数（不加权）", "CV (unweighted)"),
    "res.cv_limit": ("差异系数上限", "CV limit"),
    "res.cv_status": ("差异系数状态", "CV status"),
    "res.borderline": ("临界", "borderline"),
    "res.missing_in_marts": (
        "（“{columns}”暂未由数据仓库提供，此处留空）",
        "('{columns}' not yet provided by the warehouse marts: left blank)",
    ),
    "res.verdict": ("资源配置综合结论", "Resource allocation verdict"),
    "chart.cv": ("各项指标差异系数与上限", "Coefficients of variation against their limits"),
    "chart.cv_note": ("柱为差异系数，红线为上限。", "Bars: CV; red line: limit."),
    "chart.distribution": ("各学校学段指标值分布", "Distribution of the units' values"),
    "chart.distribution_note": (
        "每个点为一个参评学校学段（不参评学段见第三部分明细表）；红线为标准值。",
        "One dot per evaluated unit (units not evaluated are in the tables of part 3); red line: the standard.",
    ),
    "chart.trend": ("差异系数历年变化", "Coefficients of variation over the years"),
    "chart.trend_note": ("每条线为一项指标；红色虚线为上限。", "One line per indicator; dashed red line: the limit."),
    "chart.theil": ("泰尔指数城乡间与城乡内分解", "Theil index: between and within area classes"),
    "chart.theil_note": (
        "深色为城乡间差异，浅色为城乡内差异，合计为泰尔指数。",
        "Dark: between area classes; light: within; together the Theil index.",
    ),
    "legend.met": ("达标", "met"),
    "legend.not_met": ("未达标", "not met"),
    "legend.no_data": ("无数据", "no data"),
    # --- schools section ----------------------------------------------------------------------
    "sch.table": ("{stage}学校学段资源配置指标", "{stage} units: resource indicators"),
    "sch.note": (
        "达标规则：7项指标中至少6项达标，且未达标的1项不低于标准的85%。"
        "绿色为达标，红色为未达标，灰色为无数据；不参评学段（特殊教育学校、不足50人的教学点、无学生）列出但不计入县域结论。",
        "Pass rule: at least 6 of the 7 met and the one unmet at least 85 % of its standard. Green: met; red: "
        "not met; grey: no data. Units not evaluated (special-education schools, teaching points under 50 "
        "students, no students) are listed but do not count for the county.",
    ),
    "sch.none": ("本县无该学段。", "The county has no unit in this stage."),
    # --- government / quality / social -------------------------------------------------------
    "gov.table": ("{area}指标", "{area} indicators"),
    "gov.note": (
        "比例以百分数表示（保留1位小数）。“待督导评估”的定性指标由督导组实地评估，不计为达标。",
        "Shares as percentages with one decimal. Qualitative indicators are assessed by the inspectors on site "
        "and never count as met.",
    ),
    "gov.qualitative": ("待督导评估", "to be assessed by inspectors"),
    "gov.flag_true": ("是", "yes"),
    "gov.flag_false": ("否", "no"),
    "gov.veto_true": ("有", "listed"),
    "gov.veto_false": ("无", "none"),
    # --- violations -----------------------------------------------------------------------------
    "vio.summary": ("大班额与大校额汇总", "Class size and school size: totals"),
    "vio.classes": ("超标准班额班级清单", "Classes over the standard size"),
    "vio.classes_note": (
        "小学班额不超过45人、初中不超过50人；56–65人为大班额，66人及以上为超大班额。",
        "Standard: 45 (primary) / 50 (junior); 56–65 large, 66 or more super-large.",
    ),
    "vio.schools": ("超规模学校清单", "Schools over their size limit"),
    "vio.schools_note": (
        "小学、初中不超过2000人，九年一贯制、十二年一贯制学校义务教育阶段不超过2500人。",
        "2000 for primary and junior schools, 2500 for the compulsory students of nine- and twelve-year schools.",
    ),
    "vio.none_classes": ("无超标准班额班级。", "No class over the standard size."),
    "vio.none_schools": ("无超规模学校。", "No school over its size limit."),
    # --- cv change --------------------------------------------------------------------------------
    "yoy.table": ("差异系数同比变化（{year}年与{previous}年）", "Change of each CV ({year} against {previous})"),
    "yoy.previous_cv": ("上年差异系数", "Previous CV"),
    "yoy.cv": ("本年差异系数", "CV"),
    "yoy.cv_change": ("变化", "Change"),
    "yoy.previous_status": ("上年状态", "Previous status"),
    "yoy.status": ("本年状态", "Status"),
    "yoy.note": (
        "变化 = 本年 − 上年，负数表示校际差异缩小。",
        "Change = this year − last year; negative: the gap narrowed.",
    ),
    "yoy.no_previous": ("无上年数据。", "No previous year in the warehouse."),
    # --- inequality -------------------------------------------------------------------------------
    "ineq.table": (
        "泰尔指数城乡分解及其他不均衡指数",
        "Theil decomposition by area class and other inequality measures",
    ),
    "ineq.theil": ("泰尔指数", "Theil T"),
    "ineq.theil_between": ("城乡间差异", "Between area classes"),
    "ineq.theil_within": ("城乡内差异", "Within area classes"),
    "ineq.gini": ("基尼系数", "Gini"),
    "ineq.mcloone": ("麦克伦指数", "McLoone"),
    "ineq.n_units": ("学校学段数", "Units"),
    "ineq.n_area_classes": ("城乡类别数", "Area classes"),
    "ineq.note": (
        "以学生数加权；城乡类别为城区、镇区、乡村。泰尔指数 = 城乡间差异 + 城乡内差异。",
        "Student-weighted; area classes urban, town, rural. Theil = between + within.",
    ),
    # --- remediation plan --------------------------------------------------------------------------
    "rem.note": (
        "按达标规则（7项指标中至少6项达标，且未达标的1项不低于标准的85%），为每个资源配置未达标的学校学段列出各项缺口；"
        "“最小方案”列标出使其达标的费用最低的补充组合及各项补充目标。缺口按自然单位计：教师、多媒体教室取整（向上取整），"
        "面积精确到0.01平方米，设备值取整元。指标值与补充后指标值的颜色为补充前后的达标状态。费用按单价设置（unit_costs）估算，"
        "教师按一年计，各地可替换为本地价格。无数据的指标须先补报数据，该学段的方案假定其达标。",
        "Under the pass rule (at least 6 of the 7 met, the one unmet at least 85 % of its standard), every unit "
        "that fails resource allocation is listed with its shortfalls; the column 'Minimum plan' marks the "
        "cheapest set of additions that makes it pass and what each reaches. Shortfalls in natural units: "
        "teachers and multimedia rooms whole (rounded up), floor space to 0.01 m², equipment to the yuan. The "
        "values are coloured by their status before and after the plan. Costs at the unit costs of the "
        "settings (unit_costs), a teacher for one year; a bureau replaces them with its own prices. An "
        "indicator without data must be supplied first; the unit's plan assumes it met.",
    ),
    "rem.verdict": ("按最小方案补充后的资源配置", "Resource allocation after the minimum plan"),
    "rem.schools": ("未达标学校学段的整改需求", "What each failing unit needs"),
    "rem.schools_none": (
        "本县参评学校学段资源配置均已达标，无需补充。",
        "Every evaluated unit of the county passes resource allocation: nothing to add.",
    ),
    "rem.plan_status": ("整改结果", "After the plan"),
    "rem.plan.passes_after_plan": ("补充后达标", "passes"),
    "rem.plan.depends_on_missing_data": ("待补报数据", "depends on missing data"),
    "rem.kind": ("补充内容", "What to add"),
    "rem.shortfall": ("达到标准的缺口", "Shortfall to the standard"),
    "rem.shortfall_to_min_ratio": ("达到标准85%的缺口", "Shortfall to 85 % of the standard"),
    "rem.plan": ("最小方案", "Minimum plan"),
    "rem.target.standard": ("补至标准", "to the standard"),
    "rem.target.min_ratio": ("补至标准的85%", "to 85 % of the standard"),
    "rem.not_needed": ("不需补充", "nothing"),
    "rem.addition": ("最小方案补充量", "Addition planned"),
    "rem.value_after": ("补充后指标值", "Value after"),
    "rem.cost": ("估算费用（元）", "Estimated cost (yuan)"),
    "rem.county": ("县域整改汇总（最小方案）", "County totals of the minimum plan"),
    "rem.county_note": (
        "学段列为该学段的合计；“全县”列为全县合计，另含音乐、美术专用教室缺口（G3）与超规模学校（G4）等全校性事项，"
        "不与学段列相加。分班新增班级：每个超标准班额班级按“班额÷标准班额向上取整−1”计。教师合计为上限（一名新增教师只计入一项指标）。"
        "超规模学校超出的学生数不计费用。估算费用 = 一次性费用 + 一年教师费用。",
        "Stage columns: the stage's totals. County column: the county total, with the school-wide items "
        "(music and art rooms missing, G3; schools over their size limit, G4); do not add it to the stage "
        "columns. Classes to split: ceil(size / standard size) − 1 per oversize class. Teachers in all: an "
        "upper bound (an added teacher counts for one indicator). Students over the size limits are not "
        "costed. Estimated cost = one-time costs + one year of the added teachers.",
    ),
    "rem.county_total": ("全县", "County"),
    "rem.item.evaluated_units": ("参评学校学段数", "Evaluated units"),
    "rem.item.failing_units": ("资源配置未达标学校学段数", "Units failing resource allocation"),
    "rem.item.units_with_additions": ("需补充的学校学段数", "Units with additions"),
    "rem.item.units_depending_on_missing_data": (
        "方案依赖缺失数据的学校学段数",
        "Units whose plan depends on missing data",
    ),
    "rem.item.add_qualified_teachers": ("补充高于规定学历教师（R1）", "Teachers above the required degree to add (R1)"),
    "rem.item.add_backbone_teachers": ("补充县级及以上骨干教师（R2）", "Backbone teachers to add (R2)"),
    "rem.item.add_pe_art_teachers": ("补充体育、艺术专任教师（R3）", "PE and art teachers to add (R3)"),
    "rem.item.add_teachers": ("补充教师合计（上限）", "Teachers to add in all (upper bound)"),
    "rem.item.add_teaching_space_m2": ("补充教学及辅助用房面积（R4）", "Teaching floor area to add (R4)"),
    "rem.item.add_sports_ground_m2": ("补充体育运动场馆面积（R5）", "Sports ground to add (R5)"),
    "rem.item.add_equipment_yuan": ("补充教学仪器设备值（R6）", "Teaching equipment to add (R6)"),
    "rem.item.add_multimedia_rooms": ("补充网络多媒体教室（R7）", "Multimedia classrooms to add (R7)"),
    "rem.item.oversize_classes": ("超标准班额班级数（G5）", "Classes over the standard size (G5)"),
    "rem.item.students_in_oversize_classes": ("超标准班额班级学生数", "Students in those classes"),
    "rem.item.additional_classes": ("分班需新增班级数", "Additional classes to split them"),
    "rem.item.music_rooms_missing": ("音乐专用教室缺口（G3）", "Music rooms missing (G3)"),
    "rem.item.art_rooms_missing": ("美术专用教室缺口（G3）", "Art rooms missing (G3)"),
    "rem.item.schools_missing_rooms": ("专用教室未达标学校数", "Schools missing rooms"),
    "rem.item.oversize_schools": ("超规模学校数（G4）", "Schools over their size limit (G4)"),
    "rem.item.students_over_size_limits": ("超出规模上限的学生数", "Students over the size limits"),
    "rem.item.cost_resource_additions": ("资源配置补充费用", "Cost of the resource additions"),
    "rem.item.cost_additional_classes": ("分班新增班级费用", "Cost of the additional classes"),
    "rem.item.cost_music_art_rooms": ("音乐、美术专用教室费用", "Cost of the music and art rooms"),
    "rem.item.estimated_cost_per_year": ("其中：每年教师费用", "of which: teachers, per year"),
    "rem.item.estimated_cost_one_time": ("其中：一次性费用", "of which: one-time"),
    "rem.item.estimated_cost": ("估算费用（首年）", "Estimated cost (first year)"),
    "rem.item.cost_all_to_standard": (
        "对照：全部未达标指标补至标准的费用",
        "For comparison: every unmet indicator to its standard",
    ),
    "rem.item.cv_checks": ("差异系数检查项数", "CV checks"),
    "rem.item.cvs_over_limit_before": ("整改前超限差异系数项数", "CVs over their limit now"),
    "rem.item.cvs_over_limit_after": ("整改后仍超限差异系数项数", "CVs over their limit after the plan"),
    "rem.item.cv_indicators_over_limit_after": ("整改后仍超限的指标", "Indicators still over their limit"),
    "rem.item.resource_status_after": ("整改后资源配置结论", "Resource allocation after the plan"),
    "rem.cv": ("按最小方案补充后的差异系数", "Coefficients of variation after the minimum plan"),
    "rem.cv_note": (
        "按最小方案补充后重新计算的以学生数加权的校际差异系数，上限同前。整改后仍超限的指标，仅补齐未达标学校不够，"
        "还须在学校之间均衡配置。",
        "The student-weighted CVs between schools recomputed as if the minimum plan were carried out, "
        "against the same limits. An indicator still over its limit needs levelling across schools beyond "
        "the failing units.",
    ),
    "rem.cv_before": ("整改前差异系数", "CV now"),
    "rem.cv_after": ("整改后差异系数", "CV after"),
    "rem.cv_status_after": ("整改后状态", "Status after"),
    "unit.people": ("人", "people"),
    "unit.m2": ("平方米", "m²"),
    "unit.yuan": ("元", "yuan"),
    "unit.rooms": ("间", "rooms"),
    "unit.classes": ("个", "classes"),
    "unit.units": ("个", "units"),
    "unit.schools": ("所", "schools"),
    "unit.students": ("人", "students"),
    "unit.cvs": ("项", "CVs"),
    # --- notes ------------------------------------------------------------------------------------
    "notes.precision": (
        "数字精度：县域均值保留2位小数，差异系数保留3位小数，学校指标值保留2位小数，比例以百分数保留1位小数；"
        "达标状态按仓库中的精确值判断。",
        "Precision: county means 2 decimals, CVs 3, school values 2, shares as percentages with 1 decimal; "
        "statuses are decided on the exact values held by the warehouse.",
    ),
    "notes.statuses": (
        "状态：达标、未达标、无数据（缺少输入或分母为0）、待督导评估（定性指标）；无数据与待督导评估均不计为达标。",
        "Statuses: met, not met, no data (an input is missing or the denominator is 0), to be assessed "
        "by inspectors (qualitative); neither of the last two counts as met.",
    ),
    "notes.units": (
        "学校学段：一所学校每个义务教育学段为一个评估单位（如九年一贯制学校的小学部与初中部）。",
        "Unit: a school's stage part (a nine-year school has a primary and a junior unit).",
    ),
    # --- workbook ---------------------------------------------------------------------------------
    "xlsx.sheet.overview": ("概要", "Overview"),
    "xlsx.sheet.areas": ("分领域结论", "Areas"),
    "xlsx.sheet.reasons": ("未达标与待定事项", "Reasons"),
    "xlsx.sheet.resource": ("资源配置七项指标", "Resource indicators"),
    "xlsx.sheet.schools_primary": ("小学学段明细", "Primary units"),
    "xlsx.sheet.schools_junior": ("初中学段明细", "Junior units"),
    "xlsx.sheet.government": ("政府保障程度", "Government"),
    "xlsx.sheet.quality": ("教育质量", "Quality"),
    "xlsx.sheet.social": ("社会认可度与一票否决", "Social and veto"),
    "xlsx.sheet.violations_summary": ("大班额大校额汇总", "Size totals"),
    "xlsx.sheet.class_violations": ("超标准班额班级", "Oversize classes"),
    "xlsx.sheet.school_violations": ("超规模学校", "Oversize schools"),
    "xlsx.sheet.cv_change": ("差异系数同比变化", "CV change"),
    "xlsx.sheet.inequality": ("泰尔指数分解", "Theil decomposition"),
    "xlsx.sheet.remediation_schools": ("学校学段整改需求", "Unit remediation"),
    "xlsx.sheet.remediation_county": ("县域整改汇总", "County remediation"),
    "xlsx.sheet.remediation_cv": ("整改后差异系数", "CVs after remediation"),
}

# Status words shown in cells (the reference seed's names are long explanations in English).
STATUS_SHORT: dict[str, tuple[str, str]] = {
    "met": ("达标", "met"),
    "not_met": ("未达标", "not met"),
    "no_data": ("无数据", "no data"),
    "qualitative": ("待督导评估", "to be assessed by inspectors"),
    "incomplete": ("待定", "incomplete"),
}


def label(key: str, lang: str, **fields: object) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: expected one of {LANGS}")
    try:
        text = LABELS[key][LANGS.index(lang)]
    except KeyError:
        raise KeyError(f"no report label {key!r}") from None
    return text.format(**fields) if fields else text


def paren(text: object, lang: str) -> str:
    """'（text）' in Chinese, ' (text)' in English."""
    return f"{label('punct.open', lang)}{text}{label('punct.close', lang)}"


def status_word(status: str | None, lang: str) -> str:
    if status is None:
        return label("doc.missing", lang)
    return STATUS_SHORT[status][LANGS.index(lang)] if status in STATUS_SHORT else status
