"""The parameters an operator fills in the Prefect UI's custom-run form: each titled and described in Chinese,
with its default shown, and units chosen from the registry (code and name) rather than typed.

Prefect titles a parameter with its Python name; pydantic's `json_schema_extra` is the public way to give
the form a Chinese title instead. Calls from Python (the CLI, tests) pass plain values: a unit may be given
by its bare code.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from credit.steps.collect import daily_units


def _choices() -> list[str]:
    return [f"{u.code} {u.name}" for u in daily_units()]


# Each optional parameter is shown as the input it takes (a date picker, a multi-select of units, a month), not
# as Prefect's "anyOf … null" that the form renders as "Property is type None". Left empty, the flow's
# default applies. Units are validated by the flow itself (unit_codes), with a message an operator reads.
Date = Annotated[dt.date | None, WithJsonSchema({"type": "string", "format": "date"})]
Units = Annotated[
    list[str] | None,
    WithJsonSchema({"type": "array", "items": {"type": "string", "enum": _choices()}, "uniqueItems": True}),
]
Month = Annotated[str | None, WithJsonSchema({"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"})]


def unit_codes(units: list[str] | None) -> list[str]:
    """Codes of the chosen units ("scjgj 雷州市市场监督管理局" or the bare "scjgj"), in the order given; every
    unit the daily run collects (credit.steps.collect.daily_units) when none is chosen. Raises
    ValueError naming every unknown one."""
    known = {u.code for u in daily_units()}
    if not units:
        return [u.code for u in daily_units()]
    codes = [str(u).strip().split(" ", 1)[0] for u in units]
    unknown = [u for u, code in zip(units, codes, strict=True) if code not in known]
    if unknown:
        raise ValueError(
            f"未知单位代码 unknown unit codes: {'、'.join(map(str, unknown))}（见 credit/data/units.csv）"
        )
    return codes


def _param(default: Any, title: str, description: str, **extra: Any) -> Any:
    return Field(default, description=description, json_schema_extra={"title": title, **extra})


REPORT_DATE = _param(
    None, "报送日期", "收取、校验、推送并统计该日收到的数据。格式 YYYY-MM-DD；留空为当天（北京时间）。"
)
BACKFILL_DATE = _param(None, "报送日期", "补录的数据记为该日收到。格式 YYYY-MM-DD；留空为当天（北京时间）。")
UNITS = _param(
    None,
    "单位",
    "只处理所选单位；不选为全部报送单位（49个“双公示”单位、其他信用信息的报送单位和有重点工作任务佐证材料要报的单位）。",
)
RETRY_UNITS = _param(None, "单位", "只重推所选单位；不选为所有有待推送记录的单位。")
PUSH = _param(
    True,
    "推送到信用湛江",
    "勾选：合格记录推送到信用湛江。不勾选：只收取和校验，记录保持排队，下次推送时发送。",
)
MONTH = _param(
    None, "通报月份", "格式 YYYY-MM，如 2026-11；留空为上个月。", pattern=r"^\d{4}-(0[1-9]|1[0-2])$"
)
STATS_FROM = _param(
    None, "统计起始日期", "同时重算自该日起至报送日期每一天的日统计；留空只统计报送日期当天。"
)
