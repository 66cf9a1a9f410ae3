"""Attachments of the evidence sheets: checked from their bytes (credit.readers.attachments), stored
content-addressed and read-only, or quarantined with a Chinese reason (credit.collect.attachments), through the
real inbox and collect step."""

from __future__ import annotations

import datetime as dt
import hashlib
import stat

import pytest
from sqlmodel import select

from credit.alerts import quarantine_digest
from credit.collect import collect_unit
from credit.readers.attachments import check_attachment
from credit.readers.base import UnreadableFile
from credit.store import EvidenceFile, Submission, session_scope
from tests import evidence_files as ef

DAY = dt.date(2026, 11, 5)
UNIT = "leicheng"  # a town: it owes a monthly 信用宣传活动 report with attachments


@pytest.mark.parametrize(
    "make, name, kind",
    [(ef.good_pdf, "总结.pdf", "pdf"), (ef.good_docx, "方案.docx", "docx"), (ef.good_png, "照片.png", "png"),
     (ef.good_jpg, "现场.jpg", "jpeg"), (ef.good_jpg, "现场2.JPEG", "jpeg")],
)  # fmt: skip
def test_good_attachments_pass_with_their_kind(tmp_path, make, name, kind):
    path = make(tmp_path / name)
    found, data = check_attachment(path)
    assert found.kind == kind and found.size == path.stat().st_size and data == path.read_bytes()
    if kind in ("png", "jpeg"):
        assert (found.width, found.height) in ((64, 48), (80, 60))


def test_a_docx_with_a_hyperlink_is_safe_but_a_remote_template_is_not(tmp_path):
    assert check_attachment(ef.good_docx(tmp_path / "链接.docx", link="https://www.leizhou.gov.cn/"))[0]
    with pytest.raises(UnreadableFile, match="外部文件或网址"):
        check_attachment(ef.docx_with_remote_template(tmp_path / "模板.docx"))


def test_javascript_hidden_in_a_flate_stream_is_found(tmp_path):
    path = ef.pdf_with_hidden_javascript(tmp_path / "通报.pdf")
    raw = path.read_bytes()
    assert b"/JavaScript" not in raw and b"/JS " not in raw  # only inflating the stream shows it
    with pytest.raises(UnreadableFile, match="JavaScript") as exc:
        check_attachment(path)
    assert exc.value.reason_zh.startswith("附件不安全，已隔离：")


REFUSALS = [
    (ef.pdf_with_javascript, "脚本.pdf", "PDF含有JavaScript脚本"),
    (ef.pdf_with_hidden_javascript, "隐藏.pdf", "PDF含有JavaScript脚本"),
    (ef.exe_named_pdf, "报告.pdf", "文件内容与扩展名不符：扩展名为.pdf"),
    (ef.docx_with_macros, "宏.docx", "Word文档含有宏代码（VBA）"),
    (lambda p: ef.oversize_pdf(p, 20 << 20), "扫描件.pdf", "文件过大（20.0 MiB，上限20.0 MiB）"),
]


def test_a_png_named_jpg_is_refused(tmp_path):
    path = ef.good_png(tmp_path / "x.png").rename(tmp_path / "照片.jpg")
    with pytest.raises(UnreadableFile, match=r"扩展名为\.jpg，内容却是PNG图片"):
        check_attachment(path)


def test_every_attachment_in_the_inbox_is_stored_or_quarantined_with_its_reason(settings):
    inbox = settings.inbox / UNIT
    good = [ef.good_pdf(inbox / "总结.pdf"), ef.good_docx(inbox / "方案.docx"), ef.good_png(inbox / "照片.png"),
            ef.good_jpg(inbox / "现场.jpg")]  # fmt: skip
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in good}
    for make, name, _ in REFUSALS:
        make(inbox / name)

    result = collect_unit(settings, UNIT, DAY)

    outcomes = {f.name: f for f in result.files}
    assert len(outcomes) == 9
    for name, sha in digests.items():
        f = outcomes[name]
        assert (f.outcome, f.datasets) == ("collected", ["attachment"]), f
        stored = settings.evidence / UNIT / f"{sha}{name[name.rindex('.') :]}"
        assert f.stored_path == str(stored) and stored.is_file()
        assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)  # read-only
        assert (settings.archive / UNIT / DAY.isoformat() / name).is_file()  # the delivery itself: archived
    for _, name, reason in REFUSALS:
        f = outcomes[name]
        assert f.outcome == "quarantined" and reason in f.reason, (name, f.reason)
        quarantined = settings.quarantine / UNIT / DAY.isoformat() / name
        assert quarantined.is_file()
        assert reason in (quarantined.parent / f"{name}.reason.txt").read_text(encoding="utf-8")
    assert not any(inbox.iterdir())
    assert len(result.quarantined) == 5
    assert not list(settings.evidence.rglob("*.tmp"))

    with session_scope(settings.database_url) as s:
        rows = {r.file_name: r for r in s.exec(select(EvidenceFile))}
        subs = s.exec(select(Submission).where(Submission.outcome == "quarantined")).all()
    assert {n for n, r in rows.items() if r.state == "stored"} == set(digests)
    assert {n for n, r in rows.items() if r.state == "quarantined"} == {n for _, n, _ in REFUSALS}
    assert rows["照片.png"].kind == "png" and rows["照片.png"].sha256 == digests["照片.png"]
    assert rows["报告.pdf"].kind == "pdf" and "扩展名" in rows["报告.pdf"].reason
    assert len(subs) == 5 and {s.datasets for s in subs} == {"attachment"}

    # The run's one quarantine digest counts them as it counts unreadable workbooks.
    digest = quarantine_digest(settings, DAY, [UNIT])
    assert digest.total == 5 and "宏.docx" in digest.text


def test_the_same_attachment_again_is_a_duplicate_and_a_new_name_is_recorded(settings):
    src = ef.good_png(settings.home / "p.png")
    (settings.inbox / UNIT).mkdir(parents=True)
    (settings.inbox / UNIT / "照片.png").write_bytes(src.read_bytes())
    collect_unit(settings, UNIT, DAY)
    (settings.inbox / UNIT / "照片.png").write_bytes(src.read_bytes())
    (settings.inbox / UNIT / "活动照片.png").write_bytes(src.read_bytes())
    again = {f.name: f.outcome for f in collect_unit(settings, UNIT, DAY).files}
    assert again == {"照片.png": "duplicate", "活动照片.png": "collected"}
    with session_scope(settings.database_url) as s:
        names = sorted(r.file_name for r in s.exec(select(EvidenceFile)))
    assert names == ["活动照片.png", "照片.png"]
    assert len(list((settings.evidence / UNIT).iterdir())) == 1  # one content, one stored copy


def test_the_size_limit_is_a_setting(home, monkeypatch):
    from credit.settings import load_settings

    monkeypatch.setenv("CREDIT_ATTACHMENT_MAX_BYTES", "2048")
    settings = load_settings()
    settings.ensure_dirs()
    ef.good_docx(settings.inbox / UNIT / "方案.docx")  # ~36 KB
    [f] = collect_unit(settings, UNIT, DAY).files
    assert f.outcome == "quarantined" and "上限2 KiB" in f.reason and "文件过大" in f.reason
