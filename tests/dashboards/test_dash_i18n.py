"""The interface languages (``dashboards.i18n``): the catalogue is complete in English and
Chinese, every message id the code uses exists, and the app switches to 简体中文 (AppTest)."""

from __future__ import annotations

import ast
import json
import re

import pandas as pd
import pytest
from dash_helpers import (
    APP,
    DASHBOARDS,
    PASSWORD,
    USERS,
    VIEWS,
    metrics,
    plotly_charts,
    run_page,
)
from streamlit.testing.v1 import AppTest

from dashboards import app as app_module
from dashboards import auth, charts, i18n, queries, settings
from qa.form import SCALES, load_form
from qa.sampling import REASONS
from qa.store import COACHING_STATUSES, DISPUTE_STATUSES

ENGLISH_OVERVIEW_TILES = {"Offered", "Service level", "ASA", "Abandon rate", "AHT", "Occupancy"}
CHINESE_OVERVIEW_TILES = {"呼入量", "服务水平", "平均应答速度", "放弃率", "平均处理时长", "占用率"}
_CJK = re.compile(r"[\u4e00-\u9fff]")

# ---------------------------------------------------------------- the catalogue


def test_every_message_has_english_and_chinese_text_with_the_same_placeholders():
    assert list(i18n.LANGUAGES) == ["en", "zh"]
    for key, texts in i18n.CATALOGUE.items():
        assert len(texts) == len(i18n.LANGUAGES), key
        english, chinese = texts
        assert english.strip() and chinese.strip(), key
        assert i18n.placeholders(english) == i18n.placeholders(chinese), key
        assert re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)+", key), key


def test_tile_deltas_start_with_their_signed_number_in_every_language():
    for key in ("kpi.vs_target", "kpi.adherence_delta"):
        for text in i18n.CATALOGUE[key]:
            assert text.startswith("{"), (key, text)
    zh = i18n.Translator("zh")
    assert zh("kpi.adherence_delta", points=-1.25, target=0.92) == "-1.2 个百分点（目标 92%）"


def test_chinese_texts_are_chinese_where_the_english_is_words():
    # technical names (SQL, WAPE, MASE, the "{name} · {role}" line) may stay as they are
    same = {key for key, (en, zh) in i18n.CATALOGUE.items() if en == zh}
    assert same <= {"nav.user", "sql.sql", "col.wape", "col.mase"}, same
    for key in ("page.overview", "kpi.service_level", "kpi.asa", "col.agent_id", "page.roster"):
        assert _CJK.search(i18n.Translator("zh")(key)), key


def test_wfm_terms_use_the_usual_chinese_words():
    zh = i18n.Translator("zh")
    assert zh("kpi.service_level") == "服务水平"
    assert zh("kpi.asa") == "平均应答速度"
    assert zh("kpi.abandon_rate") == "放弃率"
    assert zh("kpi.aht") == "平均处理时长"
    assert zh("kpi.occupancy") == "占用率"
    assert zh("page.roster") == "排班表"
    assert "遵从度" in zh("page.adherence")
    assert "预测" in zh("page.forecast")
    assert "质检" in zh("page.qa_scores")
    assert zh("page.agents") == "坐席" and zh("page.queues") == "队列"
    assert zh("page.settlement") == "结算" and "分销商" in zh("chart.settlement.title")


def _literal_ids(node: ast.expr) -> set[str]:
    """The message ids an argument can be: a string constant, either branch of a
    conditional; nothing for an id built at run time."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _literal_ids(node.body) | _literal_ids(node.orelse)
    return set()


def _is_translator(func: ast.expr) -> bool:
    """``t``, ``tr`` or ``translator()``: what the code calls to look a message up."""
    if isinstance(func, ast.Name):
        return func.id in {"t", "tr"}
    return (
        isinstance(func, ast.Call)
        and isinstance(func.func, ast.Name)
        and func.func.id == "translator"
    )


def _used_keys() -> dict[str, str]:
    """Every literal message id passed to ``t(...)``, ``tr(...)`` or ``translator()(...)``
    in dashboards/ (both ids of ``t("a" if x else "b")`` too)."""
    used: dict[str, str] = {}
    for path in sorted(DASHBOARDS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and _is_translator(node.func):
                for key in _literal_ids(node.args[0]):
                    used[key] = f"{path.name}:{node.lineno}"
    return used


def test_every_message_id_used_in_the_source_is_in_the_catalogue():
    used = _used_keys()
    assert len(used) > 100  # the scan finds the pages' and the charts' ids
    missing = {key: where for key, where in used.items() if key not in i18n.CATALOGUE}
    assert not missing, missing


# ids looked up by a prefix and a name: pages, sections, roles, columns, vocabularies
_BUILT_PREFIXES = (
    "page.",
    "section.",
    "role.",
    "col.",
    "stage.",
    "ageing.",
    "aux.",
    "state.",
    "activity.",
    "direction.",
    "hours.",
    "answer.",
    "reason.",
    "dispute_status.",
    "coaching_status.",
    "qa_section.",
    "qa_item.",
    "channel.",
    "driver.",
)


def test_every_catalogue_message_is_used():
    used = _used_keys()
    unused = [k for k in i18n.CATALOGUE if k not in used and not k.startswith(_BUILT_PREFIXES)]
    assert unused == []


def test_ids_built_at_run_time_are_in_the_catalogue():
    keys = [spec.title_key for spec in app_module.PAGE_SPECS]
    keys += [spec.section_key for spec in app_module.PAGE_SPECS] + ["section.account"]
    keys += [f"role.{role}" for role in auth.ROLES]
    keys += [f"stage.{stage}" for stage in queries.FUNNEL_STAGES]
    keys += [f"ageing.{bucket}" for bucket in queries.AGEING_BUCKETS]
    keys += [f"col.{bucket}" for bucket in queries.AGEING_BUCKETS]
    keys += [f"aux.{column}" for column in charts.AUX_COLUMNS]
    keys += [f"state.{state}" for state in charts.STATE_COLOURS]
    keys += [f"activity.{activity}" for activity in charts.ACTIVITY_COLOURS]
    keys += [f"hours.{value}" for value in ("all", "open", "closed")]
    keys += [f"answer.{a}" for a in sorted({a for s in SCALES.values() for a in s}) if a.isalpha()]
    keys += [f"reason.{reason}" for reason in REASONS]
    keys += [f"dispute_status.{status}" for status in DISPUTE_STATUSES]
    keys += [f"coaching_status.{status}" for status in COACHING_STATUSES]
    assert [key for key in keys if key not in i18n.CATALOGUE] == []


def test_the_shipped_qa_forms_texts_are_translated_and_their_english_is_the_forms():
    form = load_form()
    en, zh = i18n.Translator("en"), i18n.Translator("zh")
    for section in form.sections:
        assert i18n.CATALOGUE[f"qa_section.{section.id}"][0] == section.title, section.id
        assert _CJK.search(zh.data_text("qa_section", section.id, section.title)), section.id
        assert en.data_text("qa_section", section.id, "as the form has it") == "as the form has it"
    for item_id, (_, item) in form.items().items():
        assert i18n.CATALOGUE[f"qa_item.{item_id}"][0] == item.text, item_id
        assert _CJK.search(zh.data_text("qa_item", item_id, item.text)), item_id
    # a form the catalogue does not know shows its own text in every language
    assert zh.data_text("qa_item", "not_in_the_catalogue", "Own text") == "Own text"


# ---------------------------------------------------------------- the translator


def test_a_missing_message_fails_in_strict_mode_and_falls_back_otherwise(monkeypatch, caplog):
    zh = i18n.Translator("zh")
    with pytest.raises(i18n.MissingMessage, match=r"no\.such\.key"):
        zh("no.such.key")
    monkeypatch.delenv(i18n.STRICT_ENV_VAR)
    assert zh("no.such.key") == "no.such.key" and "no.such.key" in caplog.text
    monkeypatch.setitem(i18n.CATALOGUE, "test.only_english", ("Only English", ""))
    assert zh("test.only_english") == "Only English"


def test_parameters_columns_and_terms():
    en, zh = i18n.Translator("en"), i18n.Translator("zh")
    assert en("kpi.vs_target", delta="+5.0%") == "+5.0% vs target"
    assert zh("kpi.vs_target", delta="+5.0%") == "+5.0%（相对目标）"
    assert zh("sql.rows", rows=12345) == "12,345 行"  # numbers formatted as in English
    assert (
        zh.column("service_level") == "服务水平" and en.column("service_level") == "Service level"
    )
    assert zh.column("some_query_column") == "some_query_column"
    assert zh.term("state", "talking") == "通话中" and en.term("state", "talking") == "talking"
    assert zh.term("state", "a_new_state") == "a_new_state"  # data is shown as it is


def test_language_codes_and_the_environment_default():
    assert i18n.normalise("zh-CN") == i18n.normalise("zh_Hans") == "zh"
    assert i18n.normalise("EN-gb") == "en" and i18n.normalise("fr") is None
    assert i18n.normalise(None) is None and i18n.Translator("fr").lang == "en"
    assert settings.default_language({}) == "en"
    assert settings.default_language({"CALLCENTER_LANG": "zh_CN.UTF-8"}) == "zh"
    assert settings.default_language({"CALLCENTER_LANG": "klingon"}) == "en"


def test_chart_builders_default_to_english_and_take_a_translator():
    states = pd.DataFrame({"state": ["talking", "new"], "agents": [3, 1]})
    figure = charts.agent_state_figure(states, tr=i18n.Translator("zh"))
    assert figure.layout.title.text == "坐席状态分布"
    assert list(figure.data[0].y) == ["通话中", "new"]
    english = charts.agent_state_figure(states)
    assert english.layout.title.text == "Agents by state"
    assert list(english.data[0].y) == ["talking", "new"]
    tiles = charts.kpi_tiles(
        {"service_level": 0.9}, {"service_level": 0.8}, tr=i18n.Translator("zh")
    )
    assert tiles[1].label == "服务水平" and tiles[1].value == "90.0%"
    assert tiles[1].delta == "+10.0%（相对目标）"


# ---------------------------------------------------------------- the app in Chinese


def _log_in(at: AppTest, user_id: str) -> AppTest:
    at.text_input(key="login_user").input(user_id)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    return at.run()


def _chart_titles(at: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in plotly_charts(at)]


@pytest.mark.usefixtures("data_env")
def test_switching_to_chinese_after_logging_in_translates_the_overview():
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    _log_in(at, "boss")
    assert not at.exception and at.header[0].value == "Overview"
    english = metrics(at)
    assert set(english) == ENGLISH_OVERVIEW_TILES
    at.multiselect(key="queues").set_value(["booking"]).run()
    english = metrics(at)
    english_deltas = [m.delta for m in at.metric if m.delta]

    at.selectbox(key="lang").set_value("zh").run()
    assert not at.exception
    assert at.header[0].value == "总览"
    chinese = metrics(at)
    assert set(chinese) == CHINESE_OVERVIEW_TILES
    assert not set(chinese) & ENGLISH_OVERVIEW_TILES
    # the same numbers, formatted the same; the filter kept its value
    assert chinese["服务水平"] == english["Service level"]
    assert chinese["呼入量"] == english["Offered"]
    assert at.multiselect(key="queues").value == ["booking"]
    assert at.multiselect(key="queues").label == "队列"
    assert at.date_input(key="day").label == "日期"
    assert at.caption[0].value.startswith("目标：服务水平")
    deltas = [m.delta for m in at.metric if m.delta]
    assert deltas and all(d.endswith("（相对目标）") for d in deltas)
    # st.metric's arrow follows the leading sign: the same in both languages
    assert [d[0] for d in deltas] == [d[0] for d in english_deltas]
    assert _chart_titles(at) == ["各时段呼叫量与服务水平", "坐席状态分布", "每日服务水平"]
    assert at.get("download_button")[0].proto.label.startswith("下载 ")

    # the choice holds for the session: another page, and back to English
    at.switch_page("views/queues.py").run()
    assert not at.exception and at.header[0].value == "队列"
    assert at.subheader[0].value == "全部队列"
    at.selectbox(key="lang").set_value("en").run()
    assert at.header[0].value == "Queues"


@pytest.mark.usefixtures("data_env")
def test_the_login_page_offers_the_language_and_the_address_can_choose_it():
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert at.selectbox(key="lang").options == ["English", "简体中文"]
    at.selectbox(key="lang").set_value("zh").run()
    assert at.title[0].value == "呼叫中心看板"
    assert at.text_input(key="login_user").label == "用户名"
    _log_in(at, "boss")
    assert not at.exception and at.header[0].value == "总览"

    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params["lang"] = "zh"
    at.run()
    assert at.title[0].value == "呼叫中心看板" and at.selectbox(key="lang").value == "zh"
    _log_in(at, "nobody")
    assert at.error[0].value == "用户名不存在或密码错误。"


@pytest.mark.usefixtures("data_env")
def test_callcenter_lang_sets_the_default(monkeypatch):
    monkeypatch.setenv("CALLCENTER_LANG", "zh")
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert at.title[0].value == "呼叫中心看板"


_SNAKE = re.compile(r"[a-z0-9]+(_[a-z0-9]+)+")


@pytest.mark.usefixtures("data_env")
def test_every_page_renders_in_chinese_for_an_admin():
    name, role = USERS["root"]
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["user"] = auth.User("root", name, role, True)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception and at.header[0].value == "总览"
    for spec in app_module.PAGE_SPECS:
        at.switch_page(f"views/{spec.file}").run()
        assert not at.exception, (spec.page_id, at.exception)
        title = (
            "需求与排班覆盖" if spec.page_id == "coverage" else i18n.CATALOGUE[spec.title_key][1]
        )
        assert at.header[0].value == title, spec.page_id
        for metric in at.metric:
            assert _CJK.search(metric.label), (spec.page_id, metric.label)
        for chart_title in _chart_titles(at):
            assert _CJK.search(chart_title), (spec.page_id, chart_title)
        for frame in at.dataframe:  # headers translated: no machine column name left
            left = [c for c in frame.value.columns if _SNAKE.fullmatch(str(c))]
            assert not left, (spec.page_id, left)


@pytest.mark.usefixtures("data_env")
def test_a_page_run_on_its_own_follows_the_sessions_language():
    at = AppTest.from_file(str(VIEWS / "qa_scores.py"), default_timeout=30)
    at.session_state["user"] = auth.User("test_qa", "Test qa", "qa", True)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception and at.header[0].value == "质检评分"
    assert set(metrics(at)) == {"评估数", "平均分", "合格率", "致命错误"}
    assert run_page("qa_scores", role="qa").header[0].value == "QA scores"
