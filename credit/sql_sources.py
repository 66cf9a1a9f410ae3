"""Units whose business system is read from a database instead of an inbox folder.

`CREDIT_SQL_SOURCES` names a TOML file:

    [[source]]
    unit = "scjgj"
    name = "执法办案系统"
    url = "postgresql+psycopg://reader:${SCJGJ_DB_PASSWORD}@10.0.0.5/zfba"
    query = "SELECT * FROM v_xzcf_export"

`${VAR}` in a URL is taken from the environment, so passwords stay out of the file; a URL is only ever
shown with its password hidden.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from credit.settings import Settings


@dataclass(frozen=True)
class SqlSource:
    unit: str
    name: str
    url: str
    query: str

    def __repr__(self) -> str:  # never show the password
        return f"SqlSource(unit={self.unit!r}, name={self.name!r}, url={safe_url(self.url)!r})"


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _expand(value: str) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: os.environ.get(m.group(1), ""), value)


def load_sources(settings: Settings) -> list[SqlSource]:
    if settings.sql_sources_file is None:
        return []
    with open(settings.sql_sources_file, "rb") as fh:
        config = tomllib.load(fh)
    return [
        SqlSource(s["unit"], s.get("name", s["unit"]), _expand(s["url"]), s["query"])
        for s in config.get("source", [])
    ]


def sources_for(settings: Settings, unit: str) -> list[SqlSource]:
    return [s for s in load_sources(settings) if s.unit == unit]


def read_source(source: SqlSource) -> pd.DataFrame:
    """The query's rows as text, the way a spreadsheet would hold them."""
    engine = create_engine(source.url)
    try:
        with engine.connect() as conn:
            frame = pd.read_sql(text(source.query), conn)
    finally:
        engine.dispose()
    return frame.astype(object).where(frame.notna(), None).map(lambda v: v if v is None else str(v))
