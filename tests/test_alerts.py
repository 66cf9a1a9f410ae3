"""Alert digests built from the store (credit/alerts.py): one message per kind, true counts, names not codes,
paths a person opens, within a 企业微信 message's 2,048 bytes. The webhook bodies on a real Prefect server are
in tests/test_server.py."""

from __future__ import annotations

import datetime as dt
import re

import pytest

DAY = dt.date(2026, 11, 26)
MANY = [
    "scjgj",
    "zjj",
    "leicheng",
    "gaj",
    "sfj",
    "czj",
    "rsj",
    "zrzyj",
    "swj",
    "jyj",
    "mzj",
    "sjj",
    "yjj",
    "nyj",
    "wjj",
    "cgj",
]


@pytest.fixture
def day(settings):
    """A day with invalid rows in many units, collected, validated, queued and reported back by the real
    steps (no Prefect)."""
    from credit.collect import collect_unit
    from credit.steps.collect import sync_units
    from credit.steps.deliver import fill_outbox
    from credit.steps.report import units_feedback
    from credit.steps.validate import validate_units
    from credit.units import all_units
    from samples.generator import generate_day

    units = [u for u in MANY if u in all_units()]
    generate_day(settings.home, DAY, units=units, seed=3, defect_rate=0.3)
    (settings.inbox / "zjj" / "许可0826.xlsx").write_bytes(b"not a workbook")
    sync_units(settings)
    for unit in units:
        collect_unit(settings, unit, DAY)
    results = validate_units(settings, units, DAY)
    fill_outbox(settings, units, DAY)
    return units, results, units_feedback(settings, units, DAY)


CODE = re.compile(r"(?<![A-Za-z_/])(?:" + "|".join(MANY) + r")(?![A-Za-z_/])")


def _no_codes(text: str) -> bool:
    """No unit code outside a path (inbox/scjgj/, out/feedback/…/scjgj_问题数据_…)."""
    return not CODE.search(re.sub(r"\S*/\S*", "", text))


def test_validation_digest_is_one_message_with_true_counts_names_and_paths(settings, day):
    from credit.alerts import MAX_BYTES, validation_digest
    from credit.units import all_units

    units, results, feedback = day
    failing = {u: r for u, r in results.items() if r.invalid}
    assert len(failing) >= 10, "the day should have invalid rows in many units"
    digest = validation_digest(settings, DAY, units, {u: str(p) if p else None for u, p in feedback.items()})
    assert digest.total == sum(r.invalid for r in failing.values())
    assert {u: sum(c.values()) for u, c in digest.by_unit.items()} == {
        u: r.invalid for u, r in failing.items()
    }
    text = digest.text
    assert len(text.encode()) <= MAX_BYTES + 100 and len(text.encode()) <= 2048
    assert digest.lines[0].startswith("原因：") and digest.lines[-1].startswith("下一步：")
    assert f"{len(failing)} 个单位共 {digest.total} 条" in digest.subject
    assert _no_codes(text), text
    assert "  " not in text and "； " not in text
    shown = [u for u in failing if all_units()[u].short_name in text]
    assert shown and (len(shown) == len(failing) or f"另有 {len(failing) - len(shown)} 个单位" in text)
    for unit in shown:
        path = next(line for line in digest.lines if all_units()[unit].short_name + "：" in line)
        rel = re.search(r"问题清单 (\S+\.xlsx)", path).group(1)
        assert rel.startswith(f"out/feedback/{DAY.isoformat()}/") and (settings.home / rel).is_file()
        assert f"inbox/{unit}/" in path


def test_push_digest_counts_every_waiting_record_of_every_unit(settings, day):
    from sqlmodel import func, select

    from credit.alerts import push_digest
    from credit.store import RecordVersion, session_scope

    _units, results, _feedback = day
    with session_scope(settings.database_url) as s:
        queued = s.exec(
            select(func.count()).select_from(RecordVersion).where(RecordVersion.push_state == "queued")
        ).one()
    assert queued == sum(r.valid for r in results.values()) > 0
    digest = push_digest(
        settings, DAY, errors=["平台暂时不可用：HTTP 503，已尝试 2 次（batch x）(platform unavailable)"]
    )
    assert digest.total == queued and set(digest.by_unit) == {u for u, r in results.items() if r.valid}
    assert f"待推送 {queued} 条" in digest.subject and f"待推送 {queued} 条" in digest.lines[0]
    assert digest.lines[0].startswith("原因：平台暂时不可用，") and "None" not in digest.text
    assert _no_codes(digest.text) and "platform unavailable" not in digest.text
    refused = push_digest(settings, DAY, auth_failed=True)
    assert refused.lines[0].startswith("原因：信用湛江拒绝了本系统的应用密钥（401")
    assert refused.lines[-1].startswith("下一步：请核对 CREDIT_PLATFORM_APP_KEY")


def test_quarantine_digest_names_the_unit_the_file_and_the_reason(settings, day):
    from credit.alerts import quarantine_digest

    digest = quarantine_digest(settings, DAY, day[0])
    assert digest.total == 1 and "住建局" in digest.subject and "许可0826.xlsx" in digest.text
    [line] = [line for line in digest.lines if line.startswith("· ")]
    assert "quarantine/zjj/" in line and _no_codes(digest.text)
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,}", line.split("——")[1].split("；")[0]), line  # no English


def test_nothing_to_say_sends_nothing(settings):
    from credit.alerts import push_digest, quarantine_digest, validation_digest

    assert validation_digest(settings, DAY) is None
    assert push_digest(settings, DAY) is None
    assert quarantine_digest(settings, DAY) is None


def test_outputs_artifact_lists_every_file_relative_to_credit_home(settings):
    from tasks.outputs import outputs_markdown

    folder = settings.out / "bulletins" / "2026-11"
    folder.mkdir(parents=True)
    names = ["通报.docx", "通报.pdf", "附件2_疑似漏报核实清单.xlsx", "chart1.png", "bulletin.json"]
    for name in names:
        (folder / name).write_bytes(b"x")
    paths = [folder / "通报.docx", *sorted(folder.iterdir()), settings.out / "absent.pdf"]
    markdown = outputs_markdown(settings, "2026-11 月通报", paths).replace("\\", "")
    rows = [line for line in markdown.splitlines() if line.startswith("| out/")]
    assert len(rows) == len(names) and "file://" not in markdown  # each file once; a missing one not listed
    assert "| out/bulletins/2026-11/通报.pdf | 月通报 PDF 版" in markdown
    assert "| out/bulletins/2026-11/附件2_疑似漏报核实清单.xlsx | 月通报附件" in markdown
