"""Business systems read from a database instead of an inbox folder.

`CREDIT_SQL_SOURCES` names a TOML file of the office's sources, one `[[source]]` each:

    # A unit's system whose result columns are headers: the dataset is recognised from them, as in a file.
    [[source]]
    unit = "scjgj"
    name = "执法办案系统"
    url = "postgresql+psycopg://reader:${SCJGJ_DB_PASSWORD}@10.0.0.5/zfba"
    query = "SELECT * FROM v_xzcf_export"

    # A dataset read from the system that holds it: the folder (credit/datasets/djzc/dataset.toml,
    # `[source] kind = "sql"`) gives the query and the unit, the office only where the database is.
    [[source]]
    dataset = "djzc"
    url = "postgresql+psycopg://credit_reader:${SCJG_DB_PASSWORD}@10.0.0.8/scjg"

A source that names its `dataset` is known to hold that dataset (its columns are the field keys, or the
dataset's headers); `query` defaults to the folder's `[source] query`, `unit` (whose records they become) to
the folder's `[source] unit`, `name` (shown as `sql:<name>` in the store and the run's log) to the dataset's
name. Either kind of query may use the one named parameter `:report_date`, bound to the report date as ISO
text ('2026-11-27'). The query text only ever comes from this repository (the dataset folder) or from the
office's file, never from a unit, and nothing is formatted into it.

Values come back as the text a spreadsheet cell would hold (credit.readers.frame.value_text): NULL blank,
dates and datetimes (PostgreSQL) as YYYY-MM-DD, Decimals plain; SQLite's text and numbers as they are. At
most MAX_ROWS + 1 rows are fetched (the reader refuses more, as it does for a file).

`${VAR}` in a URL is taken from the environment, so passwords stay out of the file. A URL is only ever shown
with its password hidden, and an error reading a source names the source, never its URL: the password and
every value substituted into the URL are replaced by `***` in the message (`SqlSourceError`).

A dataset folder with `[source] kind = "sql"` that no source names is not collected; `unconfigured_notes`
says so once a run, when its unit is collected.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from credit.datasets import catalogue
from credit.readers.frame import value_text
from credit.settings import Settings
from credit.units import all_units

MAX_ROWS = 1_000_000  # as for a file (credit.readers.read_frame's max_rows)


class SqlSourceError(Exception):
    """A source that cannot be configured or read; the message is Chinese and never holds a password."""


@dataclass(frozen=True)
class SqlSource:
    unit: str
    name: str
    url: str
    query: str
    dataset: str | None = None  # the dataset it holds (no recognition from the column names)
    secrets: tuple[str, ...] = field(default=(), compare=False)  # never shown: see `hide`

    def __repr__(self) -> str:  # never show the password
        return (
            f"SqlSource(unit={self.unit!r}, name={self.name!r}, dataset={self.dataset!r}, "
            f"url={safe_url(self.url)!r})"
        )

    __str__ = __repr__

    @property
    def label(self) -> str:
        return f"sql:{self.name}"

    def hide(self, message: str) -> str:
        """`message` with the password and every value substituted into the URL replaced by ***."""
        for secret in sorted({*self.secrets, _password(self.url)} - {"", None}, key=len, reverse=True):
            message = message.replace(secret, "***")
        return message


def safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is not shown at all: it may hold the password anywhere
        return "***"


def _password(url: str) -> str | None:
    try:
        return make_url(url).password
    except Exception:
        return None


def _expand(value: str) -> tuple[str, tuple[str, ...]]:
    """The URL with `${VAR}` from the environment, and the values substituted (secrets: never shown)."""
    used: list[str] = []

    def sub(m: re.Match) -> str:
        used.append(os.environ.get(m.group(1), ""))
        return used[-1]

    return re.sub(r"\$\{(\w+)\}", sub, value), tuple(used)


def _source(entry: dict, n: int) -> SqlSource:
    where = f"CREDIT_SQL_SOURCES 第{n}个 [[source]]"
    ds = None
    if entry.get("dataset"):
        ds = catalogue().datasets.get(str(entry["dataset"]))
        if ds is None:
            raise SqlSourceError(f"{where}：数据集“{entry['dataset']}”不存在（见 credit/datasets/）")
    folder = ds.source if ds is not None and ds.source.get("kind") == "sql" else {}
    unit = entry.get("unit") or folder.get("unit")
    query = entry.get("query") or folder.get("query")
    missing = [k for k, v in (("unit", unit), ("url", entry.get("url")), ("query", query)) if not v]
    if missing:
        raise SqlSourceError(f"{where}：缺少 {'、'.join(missing)}")
    if unit not in all_units():
        raise SqlSourceError(f"{where}：单位代码“{unit}”不在单位名录中")
    url, secrets = _expand(str(entry["url"]))
    name = entry.get("name") or (ds.name if ds is not None else unit)
    return SqlSource(str(unit), str(name), url, str(query), ds.id if ds is not None else None, secrets)


def load_sources(settings: Settings) -> list[SqlSource]:
    if settings.sql_sources_file is None:
        return []
    with open(settings.sql_sources_file, "rb") as fh:
        config = tomllib.load(fh)
    return [_source(entry, n) for n, entry in enumerate(config.get("source", []), start=1)]


def sources_for(settings: Settings, unit: str) -> list[SqlSource]:
    return [s for s in load_sources(settings) if s.unit == unit]


def unconfigured_notes(settings: Settings, unit: str, sources: list[SqlSource] | None = None) -> list[str]:
    """One Chinese line per dataset read from a database (`[source] kind = "sql"`) whose folder names `unit`
    and that no configured source names: it is not collected."""
    sources = load_sources(settings) if sources is None else sources
    named = {s.dataset for s in sources}
    notes = []
    for ds in catalogue().datasets.values():
        if ds.source.get("kind") == "sql" and ds.source.get("unit") == unit and ds.id not in named:
            notes.append(
                f"{ds.name}（{ds.id}）从数据库读取，但 CREDIT_SQL_SOURCES 中没有配置它的数据源，本次未收取"
            )
    return notes


def read_source(source: SqlSource, report_date=None, *, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """The query's rows (at most max_rows + 1) as text, the way a spreadsheet would hold them; `report_date`
    bound to `:report_date`. Raises SqlSourceError, its message without the URL's password."""
    params = {"report_date": report_date.isoformat()} if report_date is not None else {}
    try:
        engine = create_engine(source.url)
    except Exception as exc:
        raise SqlSourceError(_failed(source, exc)) from None
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            result = conn.execute(text(source.query), params)
            columns = list(map(str, result.keys()))
            rows = result.fetchmany(max_rows + 1)
    except Exception as exc:
        raise SqlSourceError(_failed(source, exc)) from None
    finally:
        engine.dispose()
    cells = [[value_text(v) for v in row] for row in rows]
    return pd.DataFrame(cells, columns=columns, dtype=object)


def _failed(source: SqlSource, exc: Exception) -> str:
    detail = source.hide(f"{type(exc).__name__}: {exc}")[:1000]
    return f"数据源“{source.name}”（单位 {source.unit}）读取失败：{detail}"
