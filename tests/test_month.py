"""A generated month through the daily steps: the bulletin's numbers equal the sum of its daily statistics."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from credit.collect import collect_unit
from credit.delivery import push
from credit.steps.collect import load_references
from credit.steps.count import daily_statistics
from credit.steps.deliver import fill_outbox
from credit.steps.report import monthly_bulletin
from credit.steps.validate import validate_unit
from samples.generator import generate_day

UNITS = ["scjgj", "zjj", "leicheng", "wjj"]
DAYS = [dt.date(2026, 9, d) for d in (21, 22, 23, 24, 25, 28, 29, 30)]
COUNTS = ("received", "invalid", "late", "missing", "corrections", "pushed", "accepted", "rejected")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    from credit.platform.client import ApiClient
    from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
    from credit.settings import load_settings

    home = tmp_path_factory.mktemp("month")
    mp = pytest.MonkeyPatch()
    mp.setenv("CREDIT_HOME", str(home))
    settings = load_settings()
    settings.ensure_dirs()
    sandbox = start_sandbox(app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET)
    client = ApiClient(sandbox.url, DEMO_APP_KEY, DEMO_APP_SECRET)
    try:
        for day in DAYS:
            generate_day(home, day, units=UNITS, seed=day.toordinal(), defect_rate=0.1, late_rate=0.1)
            load_references(settings)
            for unit in UNITS:
                collect_unit(settings, unit, day)
                validate_unit(settings, unit, day)
                fill_outbox(settings, [unit], day)
                push(client, database_url=settings.database_url, unit=unit, report_date=day)
            daily_statistics(settings, day)
        paths = monthly_bulletin(settings, "2026-09")
        yield settings, paths
    finally:
        client.close()
        sandbox.stop()
        mp.undo()


def test_bulletin_totals_equal_the_sum_of_the_daily_statistics(month):
    settings, paths = month
    daily = [
        json.loads((settings.out / "daily" / d.isoformat() / "stats.json").read_text(encoding="utf-8"))
        for d in DAYS
    ]
    bulletin = json.loads(paths.json.read_text(encoding="utf-8"))
    for key in COUNTS:
        assert bulletin["total"][key] == sum(day["total"][key] for day in daily), key
    assert (
        bulletin["total"]["received"] > 0
        and bulletin["total"]["late"] > 0
        and bulletin["total"]["corrections"] > 0
    )
    # Per unit too.
    for unit in UNITS:
        row = next(u for u in bulletin["units"] if u["unit"] == unit)
        for key in ("received", "invalid", "late", "missing"):
            assert row[key] == sum(u[key] for day in daily for u in day["units"] if u["unit"] == unit), (
                unit,
                key,
            )


def test_bulletin_documents_exist_with_every_unit(month):
    from docx import Document

    _, paths = month
    text = "\n".join(p.text for p in Document(paths.docx).paragraphs)
    text += "\n".join(c.text for t in Document(paths.docx).tables for row in t.rows for c in row.cells)
    # the title is one paragraph broken into lines by meaning (GB/T 9704-2012)
    assert "雷州市2026年9月“双公示”数据归集情况通报" in text.replace("\n", "")
    assert "市市场监管局" in text and "雷城街道" in text and "整改要求" in text
    assert paths.pdf.stat().st_size > 10_000
