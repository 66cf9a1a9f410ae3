"""Links to the portal (credit/links.py, issue #17 item 5): the URLs' form, and the same digests,
robot messages and outputs artifact with and without CREDIT_PORTAL_URL — without it they stay exactly as
before (tests/test_alerts.py, tests/test_duties_robots.py), with it they link to pages the portal serves
(fetched here from a real uvicorn with an operator's session)."""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pydantic import SecretStr

from credit.alerts import MAX_BYTES
from credit.duties import reminders, robots
from credit.duties.obligations import Obligation
from credit.links import PortalLinks, PortalUrlError, check_base, portal_links
from credit.settings import Settings
from tests.test_alerts import DAY, _no_codes, day  # noqa: F401  (day: the fixture, reused)
from tests.test_duties_robots import DAY as DUTY_DAY
from tests.test_duties_robots import (  # noqa: F401
    KEYS,
    found,
    harness,
    robot_server,
    write_config,
)

BASE = "https://credit.example.gov.cn/xy"
URL = re.compile(r"https?://\S+")


def with_portal(settings: Settings, url: str = BASE, **more) -> Settings:
    return settings.model_copy(update={"portal_url": url, **more})


# --- the URLs ---------------------------------------------------------------------------------------------


def test_every_page_is_an_absolute_url_under_the_base_with_its_parts_quoted():
    links = PortalLinks(check_base(BASE + "/"))
    d = dt.date(2026, 11, 26)
    assert links.day(d) == f"{BASE}/office?day=2026-11-26"
    assert links.day("2026-11-26") == links.day(dt.datetime(2026, 11, 26, 23, 59))
    assert links.unit_day("scjgj", d) == f"{BASE}/office/units/scjgj?day=2026-11-26"
    assert links.unit_feedback("scjgj", d) == f"{BASE}/office/units/scjgj/feedback/2026-11-26"
    assert links.quarantine(d) == f"{BASE}/office/quarantine?day=2026-11-26"
    assert links.month("2026-11") == links.month(d) == f"{BASE}/office/month/2026-11"
    assert links.bulletins() == f"{BASE}/office/bulletins"
    assert links.bulletin("2026-11", "pdf") == f"{BASE}/office/bulletins/2026-11.pdf"
    assert links.bulletin(d, "docx") == f"{BASE}/office/bulletins/2026-11.docx"
    assert links.datadocs() == f"{BASE}/office/datadocs/index.html"
    assert links.reruns() == f"{BASE}/office/reruns"
    assert links.clerk_home() == f"{BASE}/unit"
    assert links.clerk_history() == f"{BASE}/unit/history"
    assert links.clerk_duties() == f"{BASE}/unit/duties"
    assert links.clerk_feedback(d) == f"{BASE}/unit/feedback/2026-11-26"
    assert links.clerk_numbers(d) == f"{BASE}/unit/numbers?month=2026-11"
    # A part is one segment: a slash, a query, a fragment, a space or Chinese are percent-encoded.
    assert links.unit_day("a/b?c#d e", d) == f"{BASE}/office/units/a%2Fb%3Fc%23d%20e?day=2026-11-26"
    assert links.datadocs("validations/行政 许可/x(1).html") == (
        f"{BASE}/office/datadocs/validations/%E8%A1%8C%E6%94%BF%20%E8%AE%B8%E5%8F%AF/x%281%29.html"
    )
    for bad in (
        lambda: links.unit_day("..", d),
        lambda: links.month("2026-13"),
        lambda: links.day("26/11"),
    ):
        with pytest.raises(ValueError):
            bad()
    with pytest.raises(ValueError):
        links.bulletin("2026-11", "html")


@pytest.mark.parametrize(
    "url",
    [
        "credit.example.gov.cn",
        "ftp://credit.example.gov.cn",
        "https://",
        "https://x.cn/?a=1",
        "https://x.cn/#top",
        "https://x.cn/a b",
        "https://x.cn/(a)",
        'https://x.cn/"',
    ],
)
def test_a_portal_url_that_cannot_be_a_link_base_is_refused_in_chinese(url):
    with pytest.raises(PortalUrlError, match="CREDIT_PORTAL_URL 应为门户的 http"):
        portal_links(Settings(portal_url=url))


def test_no_portal_url_no_links():
    assert portal_links(Settings()) is None and portal_links(Settings(portal_url="  ")) is None
    assert portal_links(Settings(portal_url="http://127.0.0.1:8300/")).base == "http://127.0.0.1:8300"


def test_the_links_and_the_messages_import_no_web_library():
    code = (
        "import sys, credit.alerts, credit.duties.robots, credit.links, tasks.outputs;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'fastapi','starlette','jinja2','uvicorn'}))"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- alert digests ----------------------------------------------------------------------------------------


def test_validation_digest_links_each_unit_to_its_day_in_the_portal(settings, day):  # noqa: F811
    from credit.alerts import validation_digest
    from credit.units import all_units

    units, _results, feedback = day
    written = {u: str(p) if p else None for u, p in feedback.items()}
    files = validation_digest(settings, DAY, units, written)
    portal = validation_digest(with_portal(settings), DAY, units, written)
    assert (portal.subject, portal.total, portal.by_unit) == (files.subject, files.total, files.by_unit)
    text = portal.text
    assert len(text.encode()) <= MAX_BYTES + 100 and len(text.encode()) <= 2048
    assert "out/feedback" not in text and "inbox/" not in text and "CREDIT_HOME" not in text
    assert (
        portal.lines[0].startswith("原因：") and "链接打开门户中该单位当天的页面，需登录" in portal.lines[0]
    )
    assert portal.lines[-1] == (
        "下一步：请通知上列单位登录门户下载本单位的问题清单，按标红单元格改正后在门户重新上传，下次运行自动重新校验。"
    )
    shown = [u for u in files.by_unit if all_units()[u].short_name + "：" in text]
    assert len(shown) >= 5
    for unit in shown:
        [line] = [x for x in portal.lines if x.startswith(f"· {all_units()[unit].short_name}：")]
        assert URL.findall(line) == [f"{BASE}/office/units/{unit}?day={DAY.isoformat()}"]
        assert line.endswith(f"；问题清单见 {BASE}/office/units/{unit}?day={DAY.isoformat()}")
    if len(shown) < len(files.by_unit):
        assert (
            portal.lines[-2]
            == f"· 另有 {len(files.by_unit) - len(shown)} 个单位，见 {BASE}/office?day=2026-11-26"
        )
    assert _no_codes(re.sub(URL, "", text))


def test_the_digests_links_open_the_pages_in_a_real_portal(settings, day):  # noqa: F811
    """The office's pages that exist (a unit's day, the day) answer the links with the unit's day."""
    import secrets

    from credit.alerts import validation_digest
    from credit.units import all_units
    from tests.portal_harness import add_account, logged_in, serve

    served = settings.model_copy(update={"portal_secret": SecretStr(secrets.token_urlsafe(48))})
    add_account(served, "fgj_links", "operator")
    with serve(served) as url:
        digest = validation_digest(with_portal(settings, url), DAY, day[0])
        pages = [u for line in digest.lines for u in URL.findall(line)]
        assert pages and all(p.startswith(url + "/office") for p in pages)
        client = logged_in(url, "fgj_links")
        by_name = {all_units()[u].short_name: u for u in digest.by_unit}
        for line in digest.lines:
            for page in URL.findall(line):
                answer = client.get(page)
                assert answer.status_code == 200, (page, answer.status_code)
                assert DAY.isoformat() in answer.text
                if line.startswith("· ") and "?day=" in page and "/units/" in page:  # a unit's own day
                    unit = all_units()[by_name[line[2:].split("：", 1)[0]]]
                    assert f"{html.escape(unit.name)} · {DAY.isoformat()}" in answer.text
                    assert "当日没有已收取的报送" not in answer.text


def test_quarantine_digest_links_the_days_quarantine_page_once_and_keeps_it_when_trimmed(settings, day):  # noqa: F811
    from credit.alerts import quarantine_digest

    files = quarantine_digest(settings, DAY, day[0])
    portal = quarantine_digest(with_portal(settings), DAY, day[0])
    assert (portal.subject, portal.total, portal.by_unit) == (files.subject, files.total, files.by_unit)
    assert URL.findall(portal.text) == [f"{BASE}/office/quarantine?day=2026-11-26"]
    assert portal.lines[0].endswith(
        f"隔离文件及原因（门户，需登录）：{BASE}/office/quarantine?day=2026-11-26"
    )
    [line] = [x for x in portal.lines if x.startswith("· ")]
    assert line.startswith("· 市住建局：许可0826.xlsx——") and "quarantine/" not in portal.text
    assert "在门户重新上传" in portal.lines[-1] and "inbox/" not in portal.text

    many = [
        {
            "unit": "gaj",
            "name": f"第{i:03d}批行政许可数据（修订稿）.xlsx",
            "reason": "文件不是有效的 xlsx 工作簿",
        }
        for i in range(80)
    ]
    trimmed = quarantine_digest(with_portal(settings), DAY, ["gaj"], many)
    assert trimmed.total == 80 and len(trimmed.text.encode()) <= 2048
    assert URL.findall(trimmed.lines[0]) == [f"{BASE}/office/quarantine?day=2026-11-26"]
    shown = sum(x.startswith("· 市公安局：") for x in trimmed.lines)
    assert 0 < shown < 80 and trimmed.lines[-2] == f"· 另有 {80 - shown} 个文件，见上面的门户链接"


def test_push_digest_names_no_file_and_is_the_same_with_a_portal(settings, day):  # noqa: F811
    from credit.alerts import push_digest

    errors = ["平台暂时不可用：HTTP 503"]
    assert push_digest(with_portal(settings), DAY, errors=errors) == push_digest(settings, DAY, errors=errors)


# --- the outputs artifact ---------------------------------------------------------------------------------


def _outputs(settings: Settings) -> list[Path]:
    when = "2026-11-26"
    files = [
        settings.out / "daily" / when / "stats.json",
        settings.out / "daily" / when / "日统计_20261126.xlsx",
        settings.out / "feedback" / when / "scjgj_问题数据_20261126.xlsx",
        settings.out / "data_docs" / "index.html",
        settings.out / "bulletins" / "2026-11" / "雷州市2026年11月通报.docx",
        settings.out / "bulletins" / "2026-11" / "雷州市2026年11月通报.pdf",
        settings.out / "bulletins" / "2026-11" / "附件2_疑似漏报核实清单.xlsx",
        settings.out / "bulletins" / "2026-11" / "chart1.png",
        settings.out / "notes.txt",
    ]
    for f in files:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"x")
    return files


def test_outputs_artifact_links_each_file_to_its_portal_page(settings):
    from tasks.outputs import outputs_markdown

    paths = _outputs(settings)
    plain = outputs_markdown(settings, "2026-11-26 的输出文件", paths)
    assert "](" not in plain and "门户" not in plain  # as before: paths only
    markdown = outputs_markdown(with_portal(settings), "2026-11-26 的输出文件", paths)
    assert f"点击路径在门户中打开（需登录：[{BASE}]({BASE})）" in markdown.replace("\\", "")
    # As the Prefect UI renders it: each row's path is the link's text, the page its target.
    rendered = MarkdownIt("commonmark").enable("table").render(markdown)
    anchors = {
        html.unescape(text): html.unescape(href)
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', rendered)
    }
    b = BASE
    assert anchors.pop(BASE) == BASE
    assert anchors == {
        "out/daily/2026-11-26/stats.json": f"{b}/office?day=2026-11-26",
        "out/daily/2026-11-26/日统计_20261126.xlsx": f"{b}/office?day=2026-11-26",
        "out/feedback/2026-11-26/scjgj_问题数据_20261126.xlsx": f"{b}/office/units/scjgj/feedback/2026-11-26",
        "out/data_docs/index.html": f"{b}/office/datadocs/index.html",
        "out/bulletins/2026-11/雷州市2026年11月通报.docx": f"{b}/office/bulletins/2026-11.docx",
        "out/bulletins/2026-11/雷州市2026年11月通报.pdf": f"{b}/office/bulletins/2026-11.pdf",
        "out/bulletins/2026-11/附件2_疑似漏报核实清单.xlsx": f"{b}/office/bulletins",
        "out/bulletins/2026-11/chart1.png": f"{b}/office/bulletins",
    }
    assert "<td>out/notes.txt</td>" in rendered  # no page for it: the path, as before

    # The rows' second column is the same with and without the portal.
    def said(text: str) -> list[str]:
        return [x.rsplit(" | ", 1)[1] for x in text.splitlines() if x.startswith("| ") and "说明" not in x]

    assert (
        len(said(plain)) == len(paths)
        and said(markdown)[:2] + said(markdown)[3:] == said(plain)[:2] + said(plain)[3:]
    )
    assert said(markdown)[2].replace("\\", "") == "市市场监管局问题清单，单位在门户下载，改后在门户重新上传 |"


def test_a_hostile_file_name_stays_text_in_the_linked_cell(settings):
    from tasks.outputs import outputs_markdown

    evil = settings.out / "feedback" / "2026-11-26" / "scjgj_问题数据_](javascript:alert(1))<b>.xlsx"
    evil.parent.mkdir(parents=True)
    evil.write_bytes(b"x")
    rendered = (
        MarkdownIt("commonmark").enable("table").render(outputs_markdown(with_portal(settings), "t", [evil]))
    )
    [base, (href, text)] = re.findall(r'<a href="([^"]+)">([^<]*)</a>', rendered)
    assert base == (BASE, BASE)
    assert href.startswith(f"{BASE}/office/units/scjgj/feedback/2026-11-26") and "javascript" not in href
    assert "<b>" not in rendered and "](javascript" in html.unescape(text)


# --- duties: the office's digest and the units' robots ----------------------------------------------------

LINKS = PortalLinks(BASE)


def test_duties_digest_points_the_units_to_their_duties_page(found):  # noqa: F811
    plain = reminders.digest(found, DUTY_DAY)
    linked = reminders.digest(found, DUTY_DAY, LINKS)
    assert linked.lines[:-1] == plain.lines[:-1] or linked.lines[-2].startswith("· 另有 ")
    assert plain.lines[-1] == "下一步：请通知上列单位在截止日期前报送；已逾期的请督促尽快补报。"
    assert (
        linked.lines[-1]
        == plain.lines[-1] + f"各单位登录门户可查看本单位的事项和已收到的证据：{BASE}/unit/duties"
    )
    assert len(linked.text.encode()) <= 2048 and URL.findall(linked.text) == [f"{BASE}/unit/duties"]


def test_a_units_robot_message_links_its_duties_and_upload_pages(found):  # noqa: F811
    text = robots.unit_text("gaj", found, DUTY_DAY, LINKS)
    plain = robots.unit_text("gaj", found, DUTY_DAY)
    assert text.split("\n")[:-1] == plain.split("\n")[:-1]
    assert text.split("\n")[-1] == (
        f"本单位的事项和已收到的证据：{BASE}/unit/duties （登录门户）；报送方式：在门户首页 {BASE}/unit "
        "上传证据表（xlsx，每类事项一个工作表，填写“所属期间”）和附件，下次运行自动收取。"
    )
    assert "inbox/" not in text and "gaj" not in text
    long = [
        reminders.Notice(
            Obligation("gaj", 9, f"d{i}", f"事项{i:02d}" * 6, "2026-09", DUTY_DAY), "escalate", 3
        )
        for i in range(60)
    ]
    trimmed = robots.unit_text("gaj", long, DUTY_DAY, LINKS)
    assert len(trimmed.encode()) <= 2048 and trimmed.split("\n")[-2].startswith("· 另有 ")
    assert URL.findall(trimmed.split("\n")[-1]) == [f"{BASE}/unit/duties", f"{BASE}/unit"]


def test_the_duties_flow_links_the_portal_when_its_url_is_set(
    harness,  # noqa: F811
    settings,
    robot_server,  # noqa: F811
    monkeypatch,
):
    import tasks.common
    from flows.duties import duties

    server = robot_server()
    write_config(settings.home / "config" / "unit_robots.csv", ["unit,url", f"gaj,{server.url(KEYS['gaj'])}"])
    monkeypatch.setenv("CREDIT_PORTAL_URL", BASE + "/")
    events = []
    monkeypatch.setattr(tasks.common, "emit_event", lambda event, resource, payload: events.append(payload))
    state = duties(report_date=DUTY_DAY, days_before=4, return_state=True)
    assert state.is_completed(), state.message
    [office] = events
    assert office["lines"][-1].endswith(f"各单位登录门户可查看本单位的事项和已收到的证据：{BASE}/unit/duties")
    [gaj] = server.received[KEYS["gaj"]]
    assert f"{BASE}/unit/duties" in gaj["text"]["content"].split("\n")[-1]


# --- the daily run, in process ----------------------------------------------------------------------------


def test_the_daily_run_alerts_and_outputs_link_the_portal_when_its_url_is_set(
    harness,  # noqa: F811
    settings,
    platform,
    monkeypatch,
):
    """What the run itself sends and publishes with CREDIT_PORTAL_URL set: the digests' and the outputs
    artifact's links (tasks/alerts.py, tasks/report.py read the setting; nothing passes it by hand)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterId,
    )

    import tasks.common
    from flows.daily import daily_pipeline
    from samples.generator import generate_day

    units = ["scjgj", "zjj", "leicheng"]
    generate_day(settings.home, DAY, units=units, seed=11, defect_rate=0.25)
    (settings.inbox / "zjj" / "许可0826.xlsx").write_bytes(b"not a workbook")
    monkeypatch.setenv("CREDIT_PORTAL_URL", BASE)
    events = {}
    monkeypatch.setattr(
        tasks.common, "emit_event", lambda event, resource, payload: events.update({event: payload})
    )
    state = daily_pipeline(report_date=DAY, units=units, return_state=True)
    assert state.is_completed(), state.message
    iso = DAY.isoformat()

    validation = events["credit.validation.failed"]
    failing = list(validation["by_unit"])
    assert failing and all(
        any(line.endswith(f"问题清单见 {BASE}/office/units/{u}?day={iso}") for line in validation["lines"])
        for u in failing
    )
    quarantine = events["credit.file.quarantined"]
    assert quarantine["lines"][0].endswith(f"{BASE}/office/quarantine?day={iso}")
    assert "inbox/" not in "\n".join(validation["lines"] + quarantine["lines"])

    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["daily-outputs"])),
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])),
        )
    outputs = artifact.data
    assert f"]({BASE}/office?day={iso})" in outputs  # 日统计
    assert f"]({BASE}/office/datadocs/index.html)" in outputs
    for unit in failing:
        assert f"]({BASE}/office/units/{unit}/feedback/{iso})" in outputs
    assert "file://" not in outputs
