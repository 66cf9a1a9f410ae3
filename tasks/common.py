"""What every task shares: settings per call (a worker may change its environment between runs)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from credit.settings import Settings, load_settings


def settings() -> Settings:
    s = load_settings()
    s.ensure_dirs()
    return s


def today(tz: str | None = None) -> dt.date:
    return dt.datetime.now(ZoneInfo(tz or load_settings().timezone)).date()


def unit_label(code: str) -> str:
    from credit.units import all_units

    unit = all_units().get(code)
    return f"{unit.short_name}({code})" if unit else code
