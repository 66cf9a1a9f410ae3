"""What every task shares: settings per call (a worker may change its environment between runs)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from credit.platform import register_secret_resolver
from credit.settings import Settings, load_settings

SECRET_BLOCK = "credit-platform-app-secret"


def _secret_from_block():
    """The app secret from the Prefect Secret block, when the environment does not carry it."""
    if load_settings().platform_app_secret is not None:
        return None
    from prefect.blocks.system import Secret

    try:
        return Secret.load(SECRET_BLOCK).get()
    except ValueError:  # no such block: nothing configured
        return None


register_secret_resolver(_secret_from_block)


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
