"""`credit init-db`: create or upgrade the store and load the unit registry into it."""

from __future__ import annotations

from cli.output import out
from credit.settings import load_settings
from credit.steps.collect import sync_units
from credit.store import init_db


def run(args) -> int:
    settings = load_settings()
    settings.ensure_dirs()
    init_db(settings.database_url)
    sync_units(settings)
    out("数据库已就绪")
    return 0
