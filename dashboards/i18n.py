"""The dashboard's interface languages: English and Simplified Chinese (简体中文).

A plain-Python message catalogue (no gettext build step): :data:`CATALOGUE` maps a message
id to its text in each of :data:`LANGUAGES`, in that order. A :class:`Translator` looks
messages up::

    t = Translator("zh")
    t("page.overview")                     # "总览"
    t("kpi.vs_target", delta="+5.0%")      # "较目标 +5.0%"
    t.column("service_level")              # a table header: "服务水平"
    t.term("state", "talking")             # a fixed vocabulary value: "通话中"

Texts are ``str.format`` templates; a message has the same placeholders (and format specs)
in every language, so numbers and dates are formatted alike whatever the language. A KPI
tile's delta (``kpi.vs_target``, ``kpi.adherence_delta``) starts with the signed number in
every language: ``st.metric`` points its arrow down when the delta text starts with "-".

Message ids are grouped by prefix: ``app.``/``login.``/``nav.``/``section.``/``role.``
(the app shell), ``page.`` (navigation and page titles), ``filter.``/``common.`` (shared
widgets and messages), one prefix per page, ``kpi.``/``chart.`` (:mod:`dashboards.charts`),
``col.<column>`` (table headers, :meth:`Translator.column`) and the fixed vocabularies
``stage.``, ``ageing.``, ``aux.``, ``state.``, ``activity.``, ``direction.``, ``hours.``,
``answer.``, ``reason.``, ``dispute_status.``, ``coaching_status.``
(:meth:`Translator.term`). Data values (queue names, agent ids,
menu paths) and SQL are never translated; the one exception is the shipped QA form's
section titles and questions (``qa_section.``, ``qa_item.``, :meth:`Translator.data_text`):
English as the form has them, Chinese from the catalogue.

A missing message: the English text when the language lacks it, else the id itself with a
warning logged; with ``CALLCENTER_I18N_STRICT=1`` (the tests set it) a missing id raises
:class:`MissingMessage` instead.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from string import Formatter

import pandas as pd

log = logging.getLogger(__name__)

LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
STRICT_ENV_VAR = "CALLCENTER_I18N_STRICT"

_ALIASES = {"cn": "zh", "chinese": "zh", "english": "en", "简体中文": "zh", "中文": "zh"}


class MissingMessage(KeyError):
    """A message id the catalogue does not have (raised in strict mode only)."""


# id -> (English, 简体中文)
CATALOGUE: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------ the app shell
    "app.page_title": ("Contact center", "呼叫中心"),
    "app.language": ("Language · 语言", "语言 · Language"),
    "login.title": ("Contact center dashboard", "呼叫中心看板"),
    "login.user": ("User", "用户名"),
    "login.password": ("Password", "密码"),
    "login.submit": ("Log in", "登录"),
    "login.failed": ("Unknown user or wrong password.", "用户名不存在或密码错误。"),
    "nav.login": ("Log in", "登录"),
    "nav.logout": ("Log out ({name})", "退出登录（{name}）"),
    "nav.user": ("{name} · {role}", "{name} · {role}"),
    "section.manager": ("Manager", "运营管理"),
    "section.planner": ("WFM planner", "劳动力管理"),
    "section.quality": ("Quality", "质量管理"),
    "section.analyst": ("Analyst", "数据分析"),
    "section.account": ("Account", "账户"),
    "role.manager": ("manager", "运营经理"),
    "role.planner": ("planner", "排班计划员"),
    "role.qa": ("qa", "质检员"),
    "role.analyst": ("analyst", "数据分析师"),
    "role.admin": ("admin", "管理员"),
    # ------------------------------------------------------------ navigation / page titles
    "page.overview": ("Overview", "总览"),
    "page.queues": ("Queues", "队列"),
    "page.agents": ("Agents", "坐席"),
    "page.ivr": ("IVR", "IVR 语音导航"),
    "page.orders": ("Orders", "订单"),
    "page.settlement": ("Settlement", "结算"),
    "page.risk": ("Risk", "风险"),
    "page.forecast": ("Forecast vs actual", "预测与实际"),
    "page.coverage": ("Coverage", "排班覆盖"),
    "page.roster": ("Roster", "排班表"),
    "page.adherence": ("Adherence", "排班遵从度"),
    "page.qa_evaluate": ("My evaluations", "我的质检任务"),
    "page.qa_scores": ("QA scores", "质检评分"),
    "page.qa_calibration": ("QA calibration", "质检校准"),
    "page.qa_disputes": ("Disputes and coaching", "质检申诉与辅导"),
    "page.sql": ("SQL explorer", "SQL 查询"),
    # ------------------------------------------------------------ shared widgets and messages
    "common.login_required": ("Please log in.", "请先登录。"),
    "common.forbidden": (
        "The role '{role}' may not open this page.",
        "角色“{role}”无权打开此页面。",
    ),
    "common.no_warehouse": (
        "No warehouse at {path}: run 'callcenter demo' (or build) first.",
        "{path} 处没有数据仓库：请先运行 'callcenter demo'（或执行构建）。",
    ),
    "common.no_interval_data": (
        "The warehouse has no interval data yet.",
        "数据仓库中还没有时段数据。",
    ),
    "common.download": ("Download {name}.csv", "下载 {name}.csv"),
    "common.download_excel": ("Download {name}.xlsx", "下载 {name}.xlsx"),
    "common.all": ("all", "全部"),
    "filter.day": ("Day", "日期"),
    "filter.days": ("Days", "日期范围"),
    "filter.queue": ("Queue", "队列"),
    "filter.queues": ("Queues", "队列"),
    "filter.agents_all": ("Agents (all when empty)", "坐席（留空为全部）"),
    "filter.teams_all": ("Teams (all when empty)", "团队（留空为全部）"),
    "filter.hours": ("Hours", "时段"),
    "filter.channels": ("Channels", "渠道"),
    "filter.categories": ("Categories", "类别"),
    "filter.skill": ("Skill", "技能组"),
    "filter.agent": ("Agent", "坐席"),
    # ------------------------------------------------------------ overview
    "overview.targets": (
        "Targets: service level {service_level:.0%} answered within {target_s:.0f} s, "
        "ASA {asa_s:.0f} s, abandon rate {abandon_rate:.0%}, occupancy at most "
        "{max_occupancy:.0%}.",
        "目标：服务水平 {service_level:.0%}（{target_s:.0f} s 内接听），平均应答速度 "
        "{asa_s:.0f} s，放弃率 {abandon_rate:.0%}，占用率不超过 {max_occupancy:.0%}。",
    ),
    "overview.state_time": ("Agents by state at", "坐席状态时刻"),
    "overview.by_queue": ("By queue", "各队列"),
    "overview.live": ("Live", "实时"),
    "overview.live_help": (
        "Refresh the wallboard every 30 seconds on the newest published day (for a center "
        "whose files the scheduler loads and builds as they grow).",
        "每 30 秒按最新发布的日期刷新看板（适用于调度任务持续加载并构建数据的中心）。",
    ),
    "overview.live_caption": (
        "Live: refreshing every {seconds} s; agents by state at {at}.",
        "实时：每 {seconds} 秒刷新；坐席状态时刻 {at}。",
    ),
    # ------------------------------------------------------------ queues
    "queues.all": ("All queues", "全部队列"),
    "queues.one": ("Queue {queue}", "队列 {queue}"),
    # ------------------------------------------------------------ agents
    "agents.count": ("Agents", "坐席数"),
    "agents.handled": ("Handled calls", "处理呼叫数"),
    "agents.login_hours": ("Login hours", "登录时长（小时）"),
    # ------------------------------------------------------------ IVR
    "ivr.calls": ("Calls in the IVR", "进入 IVR 的呼叫"),
    "ivr.containment": ("Containment", "IVR 自助解决率"),
    "ivr.drop_off": ("Drop-off", "中途挂机率"),
    "ivr.caption": (
        "Containment = self-served / calls (hang-ups are not contained); drop-off = hung up "
        "inside a menu / calls (mart_ivr).",
        "自助解决率 = 自助完成 / 呼叫量（挂机不计为自助解决）；中途挂机率 = 在菜单中挂机 / "
        "呼叫量（mart_ivr）。",
    ),
    # ------------------------------------------------------------ settlement
    "settlement.net_due": ("Net due", "应结净额"),
    "settlement.net_collected": ("Net collected", "实收净额"),
    "settlement.open_receivables": ("Open receivables", "未结应收"),
    "settlement.exceptions": ("Exceptions", "结算异常"),
    "settlement.billing": ("Call billing", "话费计费"),
    "settlement.call_cost": ("Call cost", "话费成本"),
    # ------------------------------------------------------------ risk
    "risk.none": (
        "No risk register yet: run 'callcenter risk add' first.",
        "还没有风险登记册：请先运行 'callcenter risk add'。",
    ),
    "risk.count": ("Risks", "风险数"),
    "risk.highest": ("Highest score", "最高风险值"),
    "risk.incidents": ("Incidents", "事件"),
    "risk.no_incidents": ("No incidents logged.", "没有事件记录。"),
    # ------------------------------------------------------------ forecast
    "forecast.none": (
        "No forecast yet: run 'callcenter forecast' first.",
        "还没有预测：请先运行 'callcenter forecast'。",
    ),
    "forecast.horizon_calls": ("Forecast calls (horizon)", "预测呼入量（预测期）"),
    "forecast.actual_calls": ("Actual calls shown", "实际呼入量（图中范围）"),
    "forecast.both": ("Intervals with both", "预测与实际均有的时段"),
    "forecast.backtest": ("Backtest accuracy", "回测准确度"),
    "forecast.no_backtest": (
        "The newest run has no backtest (too little history).",
        "最新一次预测没有回测（历史数据不足）。",
    ),
    # ------------------------------------------------------------ coverage
    "coverage.header": ("Requirement vs scheduled coverage", "需求与排班覆盖"),
    "coverage.none": (
        "No roster yet: run 'callcenter roster' first.",
        "还没有排班：请先运行 'callcenter roster'。",
    ),
    "coverage.required": ("Required agent-intervals", "需求坐席时段数"),
    "coverage.scheduled": ("Scheduled agent-intervals", "已排班坐席时段数"),
    "coverage.short": ("Intervals short", "缺员时段数"),
    # ------------------------------------------------------------ roster
    "roster.on_shift": ("Agents on shift", "在班坐席"),
    "roster.shift_hours": ("Shift hours", "班次工时"),
    # ------------------------------------------------------------ adherence
    "adherence.no_overlap": (
        "No roster covers the days with agent states; roster a past week, or simulate a roster.",
        "没有覆盖坐席状态数据日期的排班；请为过去的某一周排班，或模拟一份排班。",
    ),
    "adherence.known_days": (
        "Roster: {roster} · agent states: {states}",
        "排班：{roster} · 坐席状态：{states}",
    ),
    "adherence.range": ("{first} to {last}", "{first} 至 {last}"),
    "adherence.none": ("none", "无"),
    "adherence.unscorable": (
        "The roster of {day} cannot be scored: {error}",
        "{day} 的排班无法计算遵从度：{error}",
    ),
    "adherence.worst": ("Worst agents", "遵从度最低的坐席"),
    "adherence.exceptions": ("Exceptions", "遵从度异常"),
    "adherence.exceptions_caption": (
        "Out of adherence for more than 5 minutes within one scheduled activity.",
        "同一排班活动内不遵从超过 5 分钟。",
    ),
    # ------------------------------------------------------------ QA
    "qa.none": (
        "No evaluations of calls in these days: run 'callcenter qa score' first.",
        "这些日期的呼叫还没有质检评估：请先运行 'callcenter qa score'。",
    ),
    "qa.caption": (
        "Overturned disputes and calibration sessions do not count (qa.scorecards).",
        "申诉改判的评估和校准会话不计入（qa.scorecards）。",
    ),
    "qa.scorecards": ("Weekly scorecards", "每周质检计分卡"),
    "qa.agent": ("Agent scorecard", "坐席质检计分卡"),
    "qa.agent_caption": (
        "The trend covers every week with evaluations of the agent (the queue filter applies, "
        "the day range does not); the section scores cover the days chosen, beside the mean "
        "of all agents.",
        "趋势涵盖该坐席有评估的所有周（适用队列筛选，不受日期范围限制）；各部分得分按所选日期"
        "计算，并与全部坐席的平均分对比。",
    ),
    # ------------------------------------------------------------ QA: my evaluations
    "qa_eval.evaluator": ("Evaluator", "质检员"),
    "qa_eval.open_calls": ("Calls to evaluate", "待评估呼叫"),
    "qa_eval.none_open": (
        "No sampled call is waiting for {evaluator}.",
        "没有等待 {evaluator} 评估的抽样呼叫。",
    ),
    "qa_eval.assigned_by_id": (
        "Sampling plans assign calls to evaluators by their user id "
        "('callcenter qa sample --evaluators ID,...'). Evaluators with calls waiting: "
        "{evaluators}.",
        "抽样计划按用户名把呼叫分配给质检员（'callcenter qa sample --evaluators ID,...'）。"
        "有待评估呼叫的质检员：{evaluators}。",
    ),
    "qa_eval.no_plans": (
        "No sampled call is waiting for anyone: run 'callcenter qa sample' first.",
        "没有任何待评估的抽样呼叫：请先运行 'callcenter qa sample'。",
    ),
    "qa_eval.worklist": ("Work list of {evaluator}", "{evaluator} 的待办清单"),
    "qa_eval.others_list": (
        "This is {evaluator}'s work list. An evaluation is recorded under the user who "
        "submits it (you: {user}), so only {evaluator} can evaluate these calls.",
        "这是 {evaluator} 的待办清单。评估记录在提交者的用户名下（您：{user}），因此只有 "
        "{evaluator} 能评估这些呼叫。",
    ),
    "qa_eval.read_only": (
        "Your role may not submit evaluations.",
        "您的角色无权提交评估。",
    ),
    "qa_eval.call": ("Call to evaluate", "要评估的呼叫"),
    "qa_eval.form_header": (
        "Call {call_id} · agent {agent} · {form}",
        "呼叫 {call_id} · 坐席 {agent} · {form}",
    ),
    "qa_eval.form_caption": (
        "Answer every question, N/A where it did not arise on the call. A 'no' on a critical "
        "question fails the whole evaluation (score 0); pass mark {pass_score:g}.",
        "请回答每个问题，通话中未涉及的选“不适用”。致命项选“否”则整次评估不合格（0 分）；"
        "合格线 {pass_score:g} 分。",
    ),
    "qa_eval.section": ("{title} · weight {weight:g}", "{title} · 权重 {weight:g}"),
    "qa_eval.critical": ("critical", "致命项"),
    "qa_eval.critical_help": (
        "Critical question: a 'no' fails the whole evaluation (score 0).",
        "致命项：选“否”则整次评估不合格（0 分）。",
    ),
    "qa_eval.scale_help": ("1 = poor, 5 = excellent.", "1 = 很差，5 = 优秀。"),
    "qa_eval.item_comment": ("Comment", "备注"),
    "qa_eval.comment": ("Overall comment", "总体评语"),
    "qa_eval.submit": ("Submit evaluation", "提交评估"),
    "qa_eval.missing": (
        "Nothing was saved: {count} questions have no answer yet (N/A where a question did "
        "not arise on the call):",
        "未保存：还有 {count} 个问题未作答（通话中未涉及的问题请选“不适用”）：",
    ),
    "qa_eval.refused": ("The evaluation was not saved: {error}", "评估未保存：{error}"),
    "qa_eval.busy": (
        "The operational store is busy (another job is writing to it); nothing was saved. "
        "Submit again in a moment.",
        "运营数据库正忙（另一任务正在写入）；未保存任何内容。请稍后重新提交。",
    ),
    "qa_eval.saved": (
        "Saved {evaluation_id}: call {call_id}, agent {agent}, score {score:.1f}.",
        "已保存 {evaluation_id}：呼叫 {call_id}，坐席 {agent}，得分 {score:.1f}。",
    ),
    "qa_eval.passed": ("Passed.", "合格。"),
    "qa_eval.failed": ("Not passed.", "不合格。"),
    "qa_eval.critical_failed": ("Critical fail: {items}.", "致命错误：{items}。"),
    "qa_eval.recent": ("Latest evaluations by {evaluator}", "{evaluator} 最近的评估"),
    "qa_eval.recent_caption": (
        "From the operational store, at once; the QA scores page shows an evaluation after "
        "the next warehouse build ('callcenter build').",
        "直接读取运营数据库；质检评分页面在下一次数据仓库构建（'callcenter build'）后显示新评估。",
    ),
    "qa_eval.no_recent": ("No evaluations by {evaluator} yet.", "{evaluator} 还没有评估。"),
    # ------------------------------------------------------------ QA: calibration
    "calibration.none": (
        "No calibration session yet: have several evaluators score the same calls with "
        "'callcenter qa score --calibration-session NAME' first.",
        "还没有校准会话：请先让多名质检员用 'callcenter qa score --calibration-session NAME' "
        "评估相同的呼叫。",
    ),
    "calibration.session": ("Calibration session", "校准会话"),
    "calibration.calls": ("Calls scored by 2+ evaluators", "两名及以上质检员评估的呼叫"),
    "calibration.evaluators": ("Evaluators", "质检员数"),
    "calibration.alpha": ("Krippendorff's alpha", "Krippendorff α 系数"),
    "calibration.icc": ("ICC(2,1)", "组内相关系数 ICC(2,1)"),
    "calibration.caption": (
        "Agreement on the total score (qa.calibration): Krippendorff's alpha >= 0.8 is "
        "reliable, >= 0.667 tentative; ICC(2,1) on the calls every evaluator scored. "
        "Deviation = own score - the session mean of the call; positive = more lenient.",
        "总分一致性（qa.calibration）：Krippendorff α ≥ 0.8 为可靠，≥ 0.667 为初步可信；"
        "ICC(2,1) 基于所有质检员都评估过的呼叫。偏差 = 本人得分 - 该呼叫的会话平均分；"
        "正值表示偏宽松。",
    ),
    "calibration.by_evaluator": ("Evaluators", "各质检员"),
    "calibration.by_section": ("Sections", "各部分"),
    "calibration.by_item": ("Questions", "各问题"),
    "calibration.sections_caption": (
        "Spread = mean over calls of the highest - the lowest section score, in points; "
        "alpha: Krippendorff's alpha (interval) of the section scores.",
        "分差 = 各呼叫中该部分最高分与最低分之差的平均值（分）；α：该部分得分的 Krippendorff α"
        "（区间尺度）。",
    ),
    "calibration.items_caption": (
        "Agreement = share of calls on which every evaluator gave the same answer; alpha: "
        "nominal for yes/no, interval for 1-5 ratings (blank where undefined, e.g. every "
        "answer the same).",
        "一致率 = 所有质检员答案相同的呼叫占比；α：是/否题按名义尺度、1-5 评分按区间尺度计算"
        "（无法计算时留空，例如所有答案都相同）。",
    ),
    # ------------------------------------------------------------ QA disputes and coaching
    "qa_disputes.no_store": (
        "No operational store at {path} yet: run 'callcenter demo' or 'callcenter qa "
        "sample' first.",
        "{path} 处还没有运营库：请先运行 'callcenter demo' 或 'callcenter qa sample'。",
    ),
    "qa_disputes.disputes": ("Disputes and acknowledgements", "申诉与确认"),
    "qa_disputes.statuses": ("Status (all when empty)", "状态（留空为全部）"),
    "qa_disputes.open": ("Open disputes", "待处理申诉"),
    "qa_disputes.upheld": ("Upheld", "维持原评"),
    "qa_disputes.overturned": ("Overturned", "已推翻"),
    "qa_disputes.acknowledged": ("Acknowledged", "已确认"),
    "qa_disputes.caption": (
        "Agents acknowledge or dispute an evaluation with 'callcenter qa dispute "
        "acknowledge|raise'. Open disputes come first, oldest first. An overturned "
        "evaluation stays stored but no longer counts in scorecards (qa.scorecards); the "
        "QA scores page shows that after the next warehouse build.",
        "坐席通过 'callcenter qa dispute acknowledge|raise' 确认或申诉一次评估。"
        "待处理申诉排在最前，最早提出的在前。被推翻的评估仍会保存，但不再计入计分卡（qa.scorecards）；"
        "质检评分页面在下一次数据仓库构建后体现这一变化。",
    ),
    "qa_disputes.none": (
        "No acknowledgements or disputes yet (agents respond with 'callcenter qa dispute').",
        "还没有确认或申诉（坐席通过 'callcenter qa dispute' 回应评估）。",
    ),
    "qa_disputes.none_match": ("No rows match these filters.", "没有符合筛选条件的记录。"),
    "qa_disputes.resolve": ("Resolve an open dispute", "处理待处理申诉"),
    "qa_disputes.no_open": ("No open dispute to resolve.", "没有待处理的申诉。"),
    "qa_disputes.dispute": ("Open dispute", "待处理申诉"),
    "qa_disputes.dispute_detail": (
        "Agent {agent} disputes {evaluation_id} (call {call_id}, score {score:.1f}, "
        "evaluator {evaluator}): {reason}",
        "坐席 {agent} 对 {evaluation_id} 提出申诉（呼叫 {call_id}，得分 {score:.1f}，"
        "质检员 {evaluator}）：{reason}",
    ),
    "qa_disputes.own_evaluation": (
        "You scored this evaluation yourself; a second reviewer is usually fairer.",
        "此评估由您本人打分；通常由另一位复核人处理更公正。",
    ),
    "qa_disputes.resolution": ("Resolution", "处理结果"),
    "qa_disputes.note": ("Resolution note (required)", "处理说明（必填）"),
    "qa_disputes.submit": ("Resolve dispute", "提交处理结果"),
    "qa_disputes.note_missing": (
        "Nothing was saved: write a resolution note (why the evaluation stands or is overturned).",
        "未保存：请填写处理说明（评估为何维持或被推翻）。",
    ),
    "qa_disputes.refused": ("Nothing was saved: {error}", "未保存：{error}"),
    "qa_disputes.busy": (
        "The operational store is busy (another write is running); nothing was saved. "
        "Try again in a moment.",
        "运营库正忙（另一写入正在进行），未保存任何内容。请稍后重试。",
    ),
    "qa_disputes.resolved": (
        "Dispute on {evaluation_id} (agent {agent}): {status}, resolved by {by}.",
        "{evaluation_id}（坐席 {agent}）的申诉：{status}，处理人 {by}。",
    ),
    "qa_disputes.resolved_overturned": (
        "The evaluation no longer counts in the agent's scorecards.",
        "该评估不再计入坐席计分卡。",
    ),
    "qa_disputes.read_only": (
        "Your role may look at disputes but not resolve them.",
        "您的角色可以查看申诉，但不能处理。",
    ),
    "qa_disputes.coaching": ("Coaching", "辅导"),
    "qa_disputes.planned": ("Planned sessions", "已计划辅导"),
    "qa_disputes.overdue": ("Overdue follow-ups", "逾期跟进"),
    "qa_disputes.done": ("Sessions held", "已完成辅导"),
    "qa_disputes.overdue_warning": (
        "{count} coaching follow-ups are overdue (still planned, follow-up date before "
        "{today}); they are listed first.",
        "{count} 项辅导跟进已逾期（仍为计划状态，跟进日期早于 {today}），已排在最前。",
    ),
    "qa_disputes.coaching_caption": (
        "Overdue: still planned and the follow-up date has passed. Marking a session as "
        "held closes it and its follow-up.",
        "逾期：仍为计划状态且跟进日期已过。将辅导标记为已完成即关闭该辅导及其跟进。",
    ),
    "qa_disputes.no_coaching": ("No coaching sessions yet.", "还没有辅导记录。"),
    "qa_disputes.whole_evaluation": ("(the whole evaluation)", "（整次评估）"),
    "qa_disputes.mark_done": ("Mark a planned session as held", "将计划中的辅导标记为已完成"),
    "qa_disputes.session": ("Planned session", "计划中的辅导"),
    "qa_disputes.done_submit": ("Mark as held", "标记为已完成"),
    "qa_disputes.marked_done": (
        "Coaching session {coaching_id} is done.",
        "辅导 {coaching_id} 已完成。",
    ),
    "qa_disputes.new_session": ("Log a coaching session", "登记辅导"),
    "qa_disputes.no_evaluations": (
        "No evaluations that count for scorecards yet: nothing to coach on.",
        "还没有计入计分卡的评估：暂无可辅导内容。",
    ),
    "qa_disputes.agent": ("Agent", "坐席"),
    "qa_disputes.evaluation": ("Evaluation", "评估"),
    "qa_disputes.finding": ("Finding (question of the evaluation)", "问题点（评估中的题目）"),
    "qa_disputes.coach": ("Coach", "辅导人"),
    "qa_disputes.session_date": ("Session date", "辅导日期"),
    "qa_disputes.follow_up": ("Follow-up date (optional)", "跟进日期（可选）"),
    "qa_disputes.notes": ("What was agreed", "约定事项"),
    "qa_disputes.coach_submit": ("Log coaching session", "登记辅导"),
    "qa_disputes.coach_missing": (
        "Nothing was saved: name the coach.",
        "未保存：请填写辅导人。",
    ),
    "qa_disputes.coaching_saved": (
        "Coaching session {coaching_id} logged for agent {agent} on {evaluation_id}.",
        "已为坐席 {agent} 登记辅导 {coaching_id}（评估 {evaluation_id}）。",
    ),
    "qa_disputes.coach_read_only": (
        "Your role may look at coaching sessions but not log them.",
        "您的角色可以查看辅导记录，但不能登记。",
    ),
    # ------------------------------------------------------------ SQL explorer
    "sql.tables": ("Tables and views", "表和视图"),
    "sql.view": ("{name} (view)", "{name}（视图）"),
    "sql.table": ("{name} (table)", "{name}（表）"),
    "sql.caption": (
        "One {kinds} statement, read-only; at most {limit:,} rows are shown.",
        "仅限一条 {kinds} 语句，只读；最多显示 {limit:,} 行。",
    ),
    "sql.masked": (
        "Number columns are masked for your role (caller numbers, and phone-length digit "
        "runs in text columns that carry numbers), before your query reads them: renaming "
        "or computing from them shows masked values too.",
        "您的角色不显示完整号码：号码列已脱敏（含号码的文本列中达到号码长度的数字串也已脱敏），"
        "且在查询读取之前脱敏：重命名或基于这些列计算，结果同样是脱敏后的值。",
    ),
    "sql.masked_help": (
        "Number columns: {numbers}. Text columns with numbers inside (runs of {digits} or "
        "more digits masked): {texts}.",
        "号码列：{numbers}。含号码的文本列（{digits} 位及以上的数字串脱敏）：{texts}。",
    ),
    "sql.sql": ("SQL", "SQL"),
    "sql.run": ("Run", "运行"),
    "sql.truncated": (
        "Only the first {rows:,} rows are shown: the query returned more.",
        "仅显示前 {rows:,} 行：查询返回的行数更多。",
    ),
    "sql.rows": ("{rows:,} rows", "{rows:,} 行"),
    # ------------------------------------------------------------ KPI tiles (charts.py)
    "kpi.offered": ("Offered", "呼入量"),
    "kpi.service_level": ("Service level", "服务水平"),
    "kpi.asa": ("ASA", "平均应答速度"),
    "kpi.abandon_rate": ("Abandon rate", "放弃率"),
    "kpi.aht": ("AHT", "平均处理时长"),
    "kpi.occupancy": ("Occupancy", "占用率"),
    "kpi.vs_target": ("{delta} vs target", "{delta}（相对目标）"),
    "kpi.evaluations": ("Evaluations", "评估数"),
    "kpi.mean_score": ("Mean score", "平均分"),
    "kpi.pass_rate": ("Pass rate", "合格率"),
    "kpi.critical_fails": ("Critical fails", "致命错误"),
    "kpi.adherence": ("Adherence", "遵从度"),
    "kpi.conformance": ("Conformance", "符合度"),
    "kpi.agents_scheduled": ("Agents scheduled", "已排班坐席"),
    "kpi.exceptions": ("Exceptions", "异常数"),
    "kpi.adherence_delta": (
        "{points:+.1f} pts vs {target:.0%} target",
        "{points:+.1f} 个百分点（目标 {target:.0%}）",
    ),
    # ------------------------------------------------------------ charts (charts.py)
    "chart.target_line": ("target {target:.0%}", "目标 {target:.0%}"),
    "chart.daily_sl.title": ("Service level per day", "每日服务水平"),
    "chart.interval.title": ("Calls and service level per interval", "各时段呼叫量与服务水平"),
    "chart.agent_state.title": ("Agents by state", "坐席状态分布"),
    "chart.occupancy.title": ("Occupancy per agent", "各坐席占用率"),
    "chart.aux.title": ("Aux time per agent", "各坐席示忙时长"),
    "chart.ivr.title": (
        "IVR containment and drop-off by menu path",
        "各菜单路径的 IVR 自助解决率与中途挂机率",
    ),
    "chart.funnel.title": ("Order funnel", "订单漏斗"),
    "chart.settlement.title": ("Settlement by distributor", "各分销商结算"),
    "chart.ageing.title": ("Receivables ageing", "应收账龄"),
    "chart.billing.title": ("Call billing: cost per day", "话费计费：每日成本"),
    "chart.forecast.title": ("Offered calls: forecast vs actual", "呼入量：预测与实际"),
    "chart.coverage.title": ("Requirement vs scheduled coverage", "需求与排班覆盖"),
    "chart.roster.title": ("Roster", "排班表"),
    "chart.qa.title": ("QA scores", "质检评分"),
    "chart.adherence.title": ("Adherence per team", "各团队遵从度"),
    "chart.risk.title": ("Risk matrix: probability x impact", "风险矩阵：可能性 × 影响"),
    "chart.qa_trend.title": ("QA score per week: agent {agent}", "每周质检得分：坐席 {agent}"),
    "chart.qa_sections.title": (
        "Section scores: agent {agent} and all agents",
        "各部分得分：坐席 {agent} 与全部坐席",
    ),
    "chart.calibration.title": (
        "Evaluator deviation from the session mean",
        "质检员与会话平均分的偏差",
    ),
    "chart.calibration.overall": ("Total score", "总分"),
    "chart.axis.week": ("week of", "周起始日"),
    "chart.axis.hour": ("hour", "小时"),
    "chart.axis.contacts": ("contacts", "工单数"),
    "chart.axis.wait_band": ("wait in queue", "排队等待"),
    "chart.axis.odds_ratio": ("odds ratio of a better answer", "获得更好评价的优势比"),
    "chart.axis.qa_mean_score": ("QA mean score", "质检平均分"),
    "chart.axis.csat_effect": ("satisfaction effect (log-odds)", "满意度效应（对数优势）"),
    "chart.backlog.title": ("Open backlog per hour, and arrivals", "每小时积压与新到达"),
    "chart.within_target.title": (
        "Responded in target per day, and the voice service level",
        "每日目标内响应率与语音服务水平",
    ),
    "chart.csat_wait.title": ("CSAT and DSAT by wait in queue", "按排队等待的满意率与不满意率"),
    "chart.drivers.title": (
        "Drivers of the score ({answers:,} answers)",
        "评分影响因素（{answers:,} 份回答）",
    ),
    "chart.agent_effect.title": (
        "Agents: satisfaction effect against QA mean score",
        "坐席：满意度效应与质检平均分",
    ),
    "chart.trace.arrived_of": ("{channel} arrived", "{channel} 到达"),
    "chart.trace.voice_sl": ("voice service level", "语音服务水平"),
    "chart.trace.odds_ratio": ("odds ratio", "优势比"),
    "chart.trace.agents": ("agents", "坐席"),
    "chart.axis.evaluations": ("evaluations", "评估数"),
    "chart.axis.deviation": ("deviation (points)", "偏差（分）"),
    "chart.axis.calls": ("calls", "呼叫量"),
    "chart.axis.service_level": ("service level", "服务水平"),
    "chart.axis.agents": ("agents", "坐席数"),
    "chart.axis.agent": ("agent", "坐席"),
    "chart.axis.hours": ("hours", "小时"),
    "chart.axis.menu_path": ("menu path", "菜单路径"),
    "chart.axis.score": ("score (0-100)", "得分（0-100）"),
    "chart.axis.adherence": ("adherence", "遵从度"),
    "chart.axis.impact": ("impact (1-10)", "影响（1-10）"),
    "chart.axis.probability": ("probability (1-10)", "可能性（1-10）"),
    "chart.axis.zone": ("zone", "区域"),
    "chart.legend.activity": ("activity", "活动"),
    "chart.trace.answered": ("answered", "已接听"),
    "chart.trace.abandoned": ("abandoned", "放弃"),
    "chart.trace.service_level": ("service level", "服务水平"),
    "chart.trace.target": ("target", "目标"),
    "chart.trace.occupancy": ("occupancy", "占用率"),
    "chart.trace.containment": ("containment", "自助解决率"),
    "chart.trace.drop_off": ("drop-off", "中途挂机率"),
    "chart.trace.net_due": ("net due", "应结净额"),
    "chart.trace.collected": ("collected", "已收款"),
    "chart.trace.prediction_interval": ("prediction interval", "预测区间"),
    "chart.trace.forecast": ("forecast", "预测"),
    "chart.trace.actual": ("actual", "实际"),
    "chart.trace.required": ("required", "需求"),
    "chart.trace.scheduled": ("scheduled", "已排班"),
    "chart.trace.passed": ("passed", "合格"),
    "chart.trace.mean_score": ("mean score", "平均分"),
    "chart.trace.evaluations": ("evaluations", "评估数"),
    "chart.trace.agent": ("agent {agent}", "坐席 {agent}"),
    "chart.trace.all_agents": ("all agents", "全部坐席"),
    "chart.trace.failed": ("failed", "不合格"),
    # ------------------------------------------------------------ fixed vocabularies (term)
    "stage.calls_answered": ("Calls answered", "接听呼叫"),
    "stage.orders_booked": ("Orders booked", "预订订单"),
    "stage.orders_paid": ("Orders paid", "已支付订单"),
    "stage.orders_ticketed": ("Orders ticketed", "已出票订单"),
    "stage.orders_delivered": ("Orders delivered", "已交付订单"),
    "ageing.outstanding_not_due": ("not due", "未到期"),
    "ageing.outstanding_0_7_days": ("0-7 days", "0-7 天"),
    "ageing.outstanding_8_15_days": ("8-15 days", "8-15 天"),
    "ageing.outstanding_16_30_days": ("16-30 days", "16-30 天"),
    "ageing.outstanding_31_60_days": ("31-60 days", "31-60 天"),
    "ageing.outstanding_over_60_days": ("over 60 days", "60 天以上"),
    "aux.aux_break_h": ("break", "休息"),
    "aux.aux_lunch_h": ("lunch", "午餐"),
    "aux.aux_training_h": ("training, meeting, coaching", "培训、会议、辅导"),
    "aux.aux_other_h": ("other", "其他"),
    "state.available": ("available", "空闲"),
    "state.talking": ("talking", "通话中"),
    "state.hold": ("hold", "保持"),
    "state.acw": ("acw", "话后处理"),
    "state.ringing": ("ringing", "振铃"),
    "state.dialing": ("dialing", "拨号中"),
    "state.aux": ("aux", "示忙"),
    "state.deferred": ("deferred work", "非实时工单处理"),
    "dispute_status.acknowledged": ("acknowledged", "已确认"),
    "dispute_status.open": ("open", "待处理"),
    "dispute_status.upheld": ("upheld", "维持原评"),
    "dispute_status.overturned": ("overturned", "已推翻"),
    "coaching_status.planned": ("planned", "已计划"),
    "coaching_status.done": ("done", "已完成"),
    "channel.email": ("e-mail", "电子邮件"),
    "channel.sms": ("SMS", "短信"),
    "channel.web_callback": ("web callback", "网页回呼"),
    "channel.voicemail": ("voicemail", "语音留言"),
    "driver.wait_min": ("minutes waited", "等待分钟数"),
    "driver.transfers": ("transfers", "转接次数"),
    "driver.repeat_call": ("repeat call", "重复来电"),
    "page.channels": ("Channels", "非语音渠道"),
    "page.satisfaction": ("Satisfaction", "客户满意度"),
    "kpi.arrived": ("Arrived", "新到达"),
    "kpi.handled": ("Handled", "已处理"),
    "kpi.open_backlog": ("Open at day end", "日末积压"),
    "kpi.oldest_open": ("Oldest open", "最久未处理"),
    "kpi.within_target": ("Responded in target", "目标内响应"),
    "kpi.surveys_offered": ("Surveys offered", "邀评数"),
    "kpi.response_rate": ("Response rate", "回复率"),
    "kpi.csat": ("CSAT", "满意率"),
    "kpi.dsat": ("DSAT", "不满意率"),
    "channels.none": (
        "No deferred contacts in these days (the warehouse's mart_backlog is empty).",
        "所选日期没有非实时工单（数据仓库的 mart_backlog 为空）。",
    ),
    "channels.caption": (
        "Responded in target: first responses made by their due time (the channel's "
        "target in business hours) over all first responses. Open at day end and oldest "
        "open: at the end of the last day shown. The dashed line is the voice service level.",
        "目标内响应：在到期时间（按营业时间计算的渠道目标）之前完成的首次响应占全部首次响应的比例。"
        "日末积压与最久未处理：取所选最后一天结束时。虚线为语音服务水平。",
    ),
    "channels.by_day": ("Per channel and day", "按渠道和日期"),
    "satisfaction.none": (
        "No post-call surveys in these days.",
        "所选日期没有通话后满意度调查。",
    ),
    "satisfaction.caption": (
        "CSAT = satisfied answers / answered surveys (3 of 3, or 4-5 of 5); DSAT = "
        "dissatisfied / answered (1 of 3, or 1-2 of 5); response rate = answered / offered.",
        "满意率 = 满意回答 / 已回答调查（3 分制的 3 分，或 5 分制的 4-5 分）；"
        "不满意率 = 不满意回答 / 已回答调查（3 分制的 1 分，或 5 分制的 1-2 分）；"
        "回复率 = 已回答 / 已邀评。",
    ),
    "satisfaction.drivers": ("What drives satisfaction", "影响满意度的因素"),
    "satisfaction.model": (
        "Ordered-logit model over {answers:,} answered surveys (McCullagh's proportional "
        "odds). An odds ratio below 1 lowers the odds of a better answer; the bars are "
        "95 % intervals, and an interval across 1 means no clear effect. Agent effects are "
        "shrunk towards 0 (empirical Bayes) with 90 % intervals; spread between agents "
        "(sd, log-odds): {spread:.2f}.",
        "基于 {answers:,} 份已回答调查的有序 Logit 模型（McCullagh 比例优势模型）。"
        "优势比小于 1 表示降低获得更好评价的几率；误差线为 95% 区间，跨越 1 表示无明确影响。"
        "坐席效应已向 0 收缩（经验贝叶斯），区间为 90%；"
        "坐席间差异（标准差，对数优势）：{spread:.2f}。",
    ),
    "satisfaction.model_failed": (
        "No model: {reason}",
        "无法建模：{reason}",
    ),
    "satisfaction.agents": ("Agents: satisfaction effect and QA", "坐席：满意度效应与质检"),
    "satisfaction.team_agents": (
        "The chosen teams' agents; their effects come from the model of every agent's "
        "answers above, so they compare across teams.",
        "所选团队的坐席；其效应来自上方基于全部坐席回答的模型，因此可在团队之间比较。",
    ),
    "satisfaction.by_queue": ("Per queue", "按队列"),
    "activity.shift": ("shift", "班次"),
    "activity.break": ("break", "休息"),
    "activity.lunch": ("lunch", "午餐"),
    "direction.inbound": ("inbound", "呼入"),
    "direction.outbound": ("outbound", "呼出"),
    "direction.internal": ("internal", "内部"),
    "hours.all": ("all", "全部"),
    "hours.open": ("open", "营业时间内"),
    "hours.closed": ("closed", "营业时间外"),
    "answer.yes": ("Yes", "是"),
    "answer.no": ("No", "否"),
    "answer.na": ("N/A", "不适用"),
    "reason.long_handle": ("long handle time", "处理时长过长"),
    "reason.repeat_call": ("repeat call", "重复来电"),
    "reason.complaints": ("complaints queue", "投诉队列"),
    "reason.transfer": ("transfer", "转接"),
    "reason.long_silence": ("long silence", "静音过长"),
    "reason.many_holds": ("many holds", "多次保持"),
    # ------------------------------------------------------------ the shipped QA form's texts
    # (qa/forms/airline_v1.toml; the English is the form's own, shown as the form has it;
    # Translator.data_text)
    "qa_section.greeting": ("Greeting", "开场问候"),
    "qa_section.verification": ("Identity verification", "身份核验"),
    "qa_section.booking_accuracy": ("Booking accuracy", "预订准确性"),
    "qa_section.fare_rules": ("Fare rules and change/refund conditions", "票价规则与改退条件"),
    "qa_section.offer": ("Offer", "销售推荐"),
    "qa_section.closing": ("Closing", "结束语"),
    "qa_section.compliance": ("Compliance", "合规"),
    "qa_item.standard_opening": (
        "Opens with the standard greeting, the airline's name and own name",
        "使用标准问候语开场，报出航空公司名称和本人姓名",
    ),
    "qa_item.courtesy": (
        "Courteous, patient tone throughout the call",
        "整个通话中语气礼貌、耐心",
    ),
    "qa_item.no_rudeness": (
        "No rude, dismissive or offensive language towards the caller",
        "对来电者没有粗鲁、敷衍或冒犯性的言语",
    ),
    "qa_item.identity_checked": (
        "Verifies the caller's identity (booking reference + name, or member number + PIN) "
        "before discussing or changing a booking",
        "在讨论或更改预订前核验来电者身份（订座记录编号 + 姓名，或会员号 + 密码）",
    ),
    "qa_item.contact_confirmed": (
        "Confirms contact details (mobile, e-mail) for itinerary and disruption notices",
        "确认用于行程单和航班变动通知的联系方式（手机、电子邮箱）",
    ),
    "qa_item.itinerary_read_back": (
        "Reads back routing, dates, flight numbers and cabin before ticketing",
        "出票前复述航线、日期、航班号和舱位",
    ),
    "qa_item.passenger_names_match_id": (
        "Passenger names spelled as on the travel document",
        "旅客姓名拼写与旅行证件一致",
    ),
    "qa_item.fare_quoted_correctly": (
        "Quotes the correct total fare with taxes and fees",
        "报出含税费的正确总票价",
    ),
    "qa_item.handling_efficiency": (
        "Handles the request efficiently, without unnecessary holds or silence",
        "高效处理请求，没有不必要的保持或冷场",
    ),
    "qa_item.change_conditions_explained": (
        "Explains change conditions and fees of the fare",
        "说明该票价的改期条件和费用",
    ),
    "qa_item.refund_conditions_explained": (
        "Explains refund conditions (refundable or not, fees, how long a refund takes)",
        "说明退票条件（能否退票、费用、退款所需时间）",
    ),
    "qa_item.baggage_allowance_explained": (
        "States the baggage allowance of the fare",
        "说明该票价的行李额度",
    ),
    "qa_item.ancillaries_offered": (
        "Offers a relevant ancillary (seat, baggage, insurance) without pressure",
        "不施压地推荐相关附加服务（选座、行李、保险）",
    ),
    "qa_item.needs_understood": (
        "Asks questions to understand the caller's needs before proposing options",
        "先提问了解来电者需求，再提出方案",
    ),
    "qa_item.summary_given": (
        "Summarises what was done and what happens next (ticket number, e-mail)",
        "总结已办理事项及后续安排（票号、电子邮件）",
    ),
    "qa_item.further_help_offered": (
        "Asks whether the caller needs anything else, closes with the standard phrase",
        "询问来电者是否还需要其他帮助，并以标准用语结束通话",
    ),
    "qa_item.no_card_data_repeated": (
        "Does not read back full card numbers or security codes (PCI DSS)",
        "不复述完整卡号或安全码（PCI DSS）",
    ),
    "qa_item.recording_disclosure": (
        "Call recording disclosure given when the caller asked or the IVR did not",
        "在来电者询问或 IVR 未告知时，告知通话录音",
    ),
    "qa_item.notes_recorded": (
        "Records the interaction in the booking's remarks",
        "在预订备注中记录本次沟通",
    ),
    # ------------------------------------------------------------ table headers (column)
    "col.queue": ("Queue", "队列"),
    "col.interval_start_local": ("Interval start", "时段开始"),
    "col.offered": ("Offered", "呼入量"),
    "col.answered": ("Answered", "接听量"),
    "col.abandoned": ("Abandoned", "放弃量"),
    "col.answered_within_target": ("Answered within target", "目标时间内接听"),
    "col.service_level": ("Service level", "服务水平"),
    "col.asa_s": ("ASA (s)", "平均应答速度（秒）"),
    "col.aht_s": ("AHT (s)", "平均处理时长（秒）"),
    "col.abandon_rate": ("Abandon rate", "放弃率"),
    "col.occupancy": ("Occupancy", "占用率"),
    "col.staffed_agent_h": ("Staffed agent hours", "在岗坐席工时"),
    "col.longest_wait_s": ("Longest wait (s)", "最长等待（秒）"),
    "col.agent_id": ("Agent", "坐席"),
    "col.days": ("Days", "天数"),
    "col.handled_calls": ("Handled calls", "处理呼叫数"),
    "col.login_h": ("Login (h)", "登录（小时）"),
    "col.talk_h": ("Talk (h)", "通话（小时）"),
    "col.acw_h": ("ACW (h)", "话后处理（小时）"),
    "col.aux_h": ("Aux (h)", "示忙（小时）"),
    "col.aux_break_h": ("Break (h)", "休息（小时）"),
    "col.aux_lunch_h": ("Lunch (h)", "午餐（小时）"),
    "col.aux_training_h": ("Training, meeting, coaching (h)", "培训、会议、辅导（小时）"),
    "col.aux_other_h": ("Other aux (h)", "其他示忙（小时）"),
    "col.utilisation": ("Utilisation", "利用率"),
    "col.transfers": ("Transfers", "转接次数"),
    "col.repeat_calls": ("Repeat calls", "重复来电"),
    "col.ring_no_answer": ("Ring no answer", "振铃未接"),
    "col.menu_path": ("Menu path", "菜单路径"),
    "col.calls": ("Calls", "呼叫量"),
    "col.to_agent": ("To agent", "转人工"),
    "col.self_served": ("Self-served", "自助完成"),
    "col.dropped": ("Dropped", "中途挂机"),
    "col.voicemail": ("Voicemail", "语音留言"),
    "col.other_hangup": ("Other hang-up", "其他挂机"),
    "col.containment_rate": ("Containment", "自助解决率"),
    "col.ivr_exit_rate": ("IVR exit rate", "IVR 退出率"),
    "col.drop_off_rate": ("Drop-off rate", "中途挂机率"),
    "col.stage": ("Stage", "阶段"),
    "col.count": ("Count", "数量"),
    "col.channel": ("Channel", "渠道"),
    "col.deferred_h": ("deferred work h", "非实时工单时长（小时）"),
    "col.blended_occupancy": ("blended occupancy", "混合占用率"),
    "col.arrived": ("arrived", "新到达"),
    "col.handled": ("handled", "已处理"),
    "col.responded": ("first responses", "首次响应"),
    "col.responded_in_target": ("in target", "目标内"),
    "col.within_target": ("in target %", "目标内比例"),
    "col.open_end": ("open at day end", "日末积压"),
    "col.oldest_open_age_s": ("oldest open (s)", "最久未处理（秒）"),
    "col.surveys_offered": ("surveys offered", "邀评数"),
    "col.answers": ("answers", "回答数"),
    "col.response_rate": ("response rate", "回复率"),
    "col.csat": ("CSAT", "满意率"),
    "col.dsat": ("DSAT", "不满意率"),
    "col.effect": ("effect", "效应"),
    "col.low": ("low (90 %)", "下限（90%）"),
    "col.high": ("high (90 %)", "上限（90%）"),
    "col.qa_mean_score": ("QA mean score", "质检平均分"),
    "col.qa_evaluations": ("QA evaluations", "质检评估数"),
    "col.driver": ("driver", "因素"),
    "col.odds_ratio": ("odds ratio", "优势比"),
    "col.odds_low": ("95 % low", "95% 下限"),
    "col.odds_high": ("95 % high", "95% 上限"),
    "col.settlement_party": ("Settlement party", "结算方"),
    "col.orders_booked": ("Orders booked", "预订订单"),
    "col.booked_amount": ("Booked amount", "预订金额"),
    "col.billable_amount": ("Billable amount", "应计费金额"),
    "col.commission": ("Commission", "佣金"),
    "col.net_due": ("Net due", "应结净额"),
    "col.net_collected": ("Net collected", "实收净额"),
    "col.open_receivables": ("Open receivables", "未结应收"),
    "col.outstanding_not_due": ("Not due", "未到期"),
    "col.outstanding_0_7_days": ("0-7 days", "0-7 天"),
    "col.outstanding_8_15_days": ("8-15 days", "8-15 天"),
    "col.outstanding_16_30_days": ("16-30 days", "16-30 天"),
    "col.outstanding_31_60_days": ("31-60 days", "31-60 天"),
    "col.outstanding_over_60_days": ("Over 60 days", "60 天以上"),
    "col.order_id": ("Order", "订单号"),
    "col.exception_type": ("Exception type", "异常类型"),
    "col.exception_amount": ("Exception amount", "异常金额"),
    "col.payment_method": ("Payment method", "支付方式"),
    "col.booked_date": ("Booked on", "预订日期"),
    "col.order_total": ("Order total", "订单总额"),
    "col.paid_amount": ("Paid amount", "已付金额"),
    "col.due_date": ("Due date", "到期日"),
    "col.days_past_due": ("Days past due", "逾期天数"),
    "col.status": ("Status", "状态"),
    "col.local_date": ("Date", "日期"),
    "col.direction": ("Direction", "方向"),
    "col.tariff_destination": ("Tariff destination", "费率目的地"),
    "col.legs": ("Legs", "话单段数"),
    "col.answered_legs": ("Answered legs", "接通段数"),
    "col.unrated_legs": ("Unrated legs", "未定价段数"),
    "col.billed_min": ("Billed minutes", "计费分钟"),
    "col.cost": ("Cost", "费用"),
    "col.risk_id": ("Risk", "风险编号"),
    "col.title": ("Title", "标题"),
    "col.category": ("Category", "类别"),
    "col.owner": ("Owner", "负责人"),
    "col.probability": ("Probability", "可能性"),
    "col.impact": ("Impact", "影响"),
    "col.score": ("Score", "风险值"),
    "col.strategy": ("Strategy", "应对策略"),
    "col.review_date": ("Review date", "复核日期"),
    "col.signal": ("Signal", "预警信号"),
    "col.incident_id": ("Incident", "事件编号"),
    "col.kind": ("Kind", "类型"),
    "col.level": ("Level", "级别"),
    "col.started_at": ("Started (UTC)", "开始（UTC）"),
    "col.ended_at": ("Ended (UTC)", "结束（UTC）"),
    "col.minutes_to_recover": ("Minutes to recover", "恢复用时（分钟）"),
    "col.description": ("Description", "描述"),
    "col.unique_id": ("Series", "序列"),
    "col.model": ("Model", "模型"),
    "col.chosen": ("Chosen", "已选用"),
    "col.cutoffs": ("Cutoffs", "回测截点数"),
    "col.wape": ("WAPE", "WAPE"),
    "col.bias": ("Bias", "偏差"),
    "col.mase": ("MASE", "MASE"),
    "col.skill": ("Skill", "技能组"),
    "col.ds": ("Interval", "时段"),
    "col.required": ("Required", "需求"),
    "col.scheduled": ("Scheduled", "已排班"),
    "col.gap": ("Gap", "差额"),
    "col.date": ("Date", "日期"),
    "col.activity": ("Activity", "活动"),
    "col.start_local": ("Start", "开始"),
    "col.end_local": ("End", "结束"),
    "col.week_start": ("Week of", "周起始日"),
    "col.evaluations": ("Evaluations", "评估数"),
    "col.mean_score": ("Mean score", "平均分"),
    "col.critical_fails": ("Critical fails", "致命错误"),
    "col.pass_rate": ("Pass rate", "合格率"),
    "col.previous_mean_score": ("Previous mean score", "前期平均分"),
    "col.trend": ("Trend", "趋势"),
    "col.team": ("Team", "团队"),
    "col.day": ("Day", "日期"),
    "col.agents": ("Agents", "坐席数"),
    "col.scheduled_h": ("Scheduled (h)", "排班时长（小时）"),
    "col.adherence": ("Adherence", "遵从度"),
    "col.conformance": ("Conformance", "符合度"),
    "col.exceptions": ("Exceptions", "异常数"),
    "col.target": ("Target", "目标"),
    "col.meets_target": ("Meets target", "达标"),
    "col.shift_start_local": ("Shift start", "班次开始"),
    "col.shift_end_local": ("Shift end", "班次结束"),
    "col.out_of_adherence_min": ("Out of adherence (min)", "不遵从（分钟）"),
    "col.note": ("Note", "备注"),
    "col.duration_min": ("Duration (min)", "时长（分钟）"),
    "col.scheduled_activity": ("Scheduled activity", "排班活动"),
    "col.actual_state": ("Actual state", "实际状态"),
    "col.column_name": ("Column", "列名"),
    "col.call_id": ("Call", "呼叫编号"),
    "col.call_time_local": ("Call time", "呼叫时间"),
    "col.handle_s": ("Handle time (s)", "处理时长（秒）"),
    "col.caller_number": ("Caller number", "主叫号码"),
    "col.recording_file_name": ("Recording file", "录音文件"),
    "col.reasons": ("Sampled for", "抽样原因"),
    "col.plan_id": ("Sampling plan", "抽样计划"),
    "col.evaluator": ("Evaluator", "质检员"),
    "col.evaluation_id": ("Evaluation", "评估编号"),
    "col.evaluated_at": ("Evaluated (UTC)", "评估时间（UTC）"),
    "col.qa_score": ("Score", "得分"),
    "col.passed": ("Passed", "合格"),
    "col.critical_failed": ("Critical fail", "致命错误"),
    "col.calibration_session": ("Calibration session", "校准会话"),
    "col.section": ("Section", "部分"),
    "col.section_score": ("Section score", "部分得分"),
    "col.section_weight": ("Weight", "权重"),
    "col.question": ("Question", "问题"),
    "col.evaluators": ("Evaluators", "质检员数"),
    "col.spread": ("Spread (points)", "分差（分）"),
    "col.alpha": ("Krippendorff's alpha", "Krippendorff α 系数"),
    "col.agreement": ("Agreement", "一致率"),
    "col.mean_abs_difference": ("Mean absolute difference", "平均绝对差"),
    "col.deviation": ("Deviation from the session mean", "与会话平均分的偏差"),
    "col.reason": ("Reason", "理由"),
    "col.raised_at": ("Raised (UTC)", "提出时间（UTC）"),
    "col.open_days": ("Open (days)", "已等待（天）"),
    "col.resolved_by": ("Resolved by", "处理人"),
    "col.resolution_note": ("Resolution note", "处理说明"),
    "col.coaching_id": ("Coaching session", "辅导编号"),
    "col.coach": ("Coach", "辅导人"),
    "col.finding": ("Finding", "问题点"),
    "col.session_date": ("Session date", "辅导日期"),
    "col.follow_up_date": ("Follow-up date", "跟进日期"),
    "col.overdue": ("Overdue", "逾期"),
    "col.notes": ("Notes", "备注"),
    "col.data_type": ("Type", "数据类型"),
}


def normalise(language: object) -> str | None:
    """The language code (``en``, ``zh``) that ``language`` names, or None: accepts the
    codes, locale forms (``zh-CN``, ``zh_Hans``, ``en-GB``) and the names shown."""
    if not isinstance(language, str):
        return None
    text = language.strip().lower().replace("_", "-")
    text = _ALIASES.get(text, text)
    code = text.split("-", 1)[0]
    return code if code in LANGUAGES else None


def _strict() -> bool:
    return os.environ.get(STRICT_ENV_VAR) == "1"


def placeholders(text: str) -> set[tuple[str, str, str | None]]:
    """The ``str.format`` fields of ``text``: (name, format spec, conversion) each."""
    return {
        (name, spec or "", conversion)
        for _literal, name, spec, conversion in Formatter().parse(text)
        if name is not None
    }


@dataclass(frozen=True)
class Translator:
    """Messages of one language (module docstring); an unknown code means English."""

    lang: str = DEFAULT_LANGUAGE

    def __post_init__(self) -> None:
        object.__setattr__(self, "lang", normalise(self.lang) or DEFAULT_LANGUAGE)

    @property
    def _index(self) -> int:
        return list(LANGUAGES).index(self.lang)

    def text(self, key: str) -> str | None:
        """The template of ``key`` (English when this language lacks it), or None."""
        texts = CATALOGUE.get(key)
        if texts is None:
            return None
        return texts[self._index] or texts[0]

    def __call__(self, key: str, **params: object) -> str:
        """The message ``key`` with ``params`` filled in (module docstring: missing ids)."""
        template = self.text(key)
        if template is None:
            if _strict():
                raise MissingMessage(f"no message {key!r} in dashboards.i18n.CATALOGUE")
            log.warning("no message %r in the catalogue", key)
            return key
        return template.format(**params) if params else template

    def has(self, key: str) -> bool:
        return key in CATALOGUE

    def column(self, name: object) -> str:
        """The header shown for the column ``name`` (``col.<name>``), else the name."""
        template = self.text(f"col.{name}")
        return str(name) if template is None else template

    def columns(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with its columns renamed for display (:meth:`column`); the data is not
        copied or changed."""
        return frame.rename(columns={c: self.column(c) for c in frame.columns})

    def data_text(self, group: str, key: object, default: str) -> str:
        """A text that comes with the data in English (a QA form's section titles and
        questions): ``default`` in English; in another language the catalogue's
        ``<group>.<key>`` when it has one, else ``default``."""
        if self.lang == DEFAULT_LANGUAGE:
            return default
        template = self.text(f"{group}.{key}")
        return default if template is None else template

    def term(self, group: str, value: object) -> str:
        """A value of a fixed vocabulary (``<group>.<value>``) in this language; a value
        the catalogue does not know (data) is shown as it is."""
        template = self.text(f"{group}.{value}")
        return str(value) if template is None else template


ENGLISH = Translator("en")
