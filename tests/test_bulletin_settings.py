"""The office's bulletin settings come from CREDIT_BULLETIN_* with sensible defaults, and reach the document."""

from __future__ import annotations

import datetime as dt

import pytest

from credit.settings import BulletinSettings, load_bulletin_settings


def test_defaults_without_environment(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env
    s = load_bulletin_settings()
    assert s == BulletinSettings()
    assert (s.late_rate_over, s.error_rate_over, s.missing_over, s.fix_workday) == (0.05, 0.05, 0, 10)
    assert s.mark_text == "雷州市发展和改革局" and s.doc_prefix == "雷发改函" and s.doc_number == ""


def test_environment_sets_what_an_office_configures(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "DOC_NUMBER": "012",
        "CONTACT": "张三",
        "PHONE": "0759-8888888",
        "CC": "湛江市发展和改革局、雷州市人民政府办公室。",
        "LATE_RATE_OVER": "10%",
        "ERROR_RATE_OVER": "0.02",
        "MISSING_OVER": "3",
        "FIX_WORKDAY": "5",
        "NOTE": "（此件公开发布）",
    }.items():
        monkeypatch.setenv(f"CREDIT_BULLETIN_{key}", value)
    s = load_bulletin_settings()
    assert s.doc_number == "12"  # GB/T 9704: no leading zeros
    assert (s.contact_name, s.contact_phone) == ("张三", "0759-8888888")
    assert s.cc == "湛江市发展和改革局、雷州市人民政府办公室" and s.note == "此件公开发布"
    assert (s.late_rate_over, s.error_rate_over, s.missing_over, s.fix_workday) == (0.10, 0.02, 3, 5)
    monkeypatch.setenv("CREDIT_BULLETIN_LATE_RATE_OVER", "五")
    with pytest.raises(ValueError, match="CREDIT_BULLETIN_LATE_RATE_OVER"):
        load_bulletin_settings()


def test_settings_reach_the_document(monkeypatch, tmp_path):
    from credit.reports.bulletin.content import compose, fix_due_date
    from credit.reports.bulletin.numbers import month_summary
    from credit.store import DailyStat, init_db, session_scope

    url = f"sqlite:///{tmp_path}/s.db"
    init_db(url)
    with session_scope(url) as s:
        s.add(
            DailyStat(
                date=dt.date(2026, 11, 2), unit="scjgj", dataset="xzcf", deadline_workdays=3, received=9
            )
        )
    with session_scope(url) as s:
        summary = month_summary(s, "2026-11")
    settings = BulletinSettings(doc_number="7", contact_name="张三", contact_phone="0759-8888888")
    due = fix_due_date("2026-11", dt.date(2026, 12, 1), settings.fix_workday)
    b = compose(summary, settings, dt.date(2026, 12, 1), due, {})
    text = "\n".join(getattr(x, "lead", "") + getattr(x, "text", "") for x in b.body)
    assert b.doc_no == "雷发改函〔2026〕7号"
    assert "联系人：张三，联系电话：0759-8888888。" in text
    assert due == dt.date(2026, 12, 14)  # the 10th working day of December 2026
    assert "2026年12月14日前完成整改" in text
    assert "市市场监管局等1个单位本月数据报送及时、准确、完整" in text  # 表扬: at 三清零 with data
