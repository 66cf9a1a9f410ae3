"""Sample rows of a dataset read from a holder's database (`[source] kind = "sql"`): written into a SQLite
file built from the folder's `source.sql`, so that the folder's `[source] query` reads them back.

The query's select list (`[alias.]column AS field_key`) says which table column holds which field; a primary key
column the query does not read gets an id made from the record's business key, a column that references another
table's key (`REFERENCES t (c)`) that table's id of the same record. Nothing here names a dataset."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
from pathlib import Path

from credit.datasets import Dataset
from credit.keys import business_key_of

_SELECT = re.compile(r"^\s*SELECT\s+(.*?)\s+FROM\s+(.*)$", re.S | re.I)
_ITEM = re.compile(r"^(?:(\w+)\.)?(\w+)\s+AS\s+(\w+)$", re.I)
_TABLE = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?", re.I)
_KEYWORDS = {"WHERE", "JOIN", "ON", "LEFT", "RIGHT", "INNER", "OUTER", "CROSS", "GROUP", "ORDER", "LIMIT"}


def _columns(query: str) -> dict[str, tuple[str, str]] | None:
    """field key -> (table, column) as the query reads them; None when the query is not that simple."""
    m = _SELECT.match(query)
    if not m:
        return None
    aliases: dict[str, str] = {}
    tables: list[str] = []
    for table, alias in _TABLE.findall("FROM " + m.group(2)):
        tables.append(table)
        aliases[table] = table
        if alias and alias.upper() not in _KEYWORDS:
            aliases[alias] = table
    out: dict[str, tuple[str, str]] = {}
    for item in m.group(1).split(","):
        item = item.strip()
        if item.startswith("'"):  # a constant: 数据来源单位 written into the query
            continue
        im = _ITEM.match(item)
        if not im:
            return None
        alias, column, key = im.groups()
        if alias is None and len(tables) != 1:
            return None
        out[key] = (aliases.get(alias, tables[0]) if alias else tables[0], column)
    return out


def _cell(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_sql_source(folder: Path, ds: Dataset, rows: list[dict]) -> Path | None:
    """Add `rows` (canonical values) to `<folder>/<dataset>.sqlite`; None when the folder has no `source.sql`
    or its query is more than a select list over joined tables (then the rows are only in the manifest)."""
    ddl = ds.folder / "source.sql" if ds.folder else None
    columns = _columns(ds.source.get("query", ""))
    if ddl is None or not ddl.exists() or not columns:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ds.id}.sqlite"
    con = sqlite3.connect(path)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'").fetchone():
            con.executescript(ddl.read_text(encoding="utf-8"))
        tables = [t for t in dict.fromkeys(t for t, _ in columns.values())]
        info = {t: con.execute(f"PRAGMA table_info({t})").fetchall() for t in tables}
        refs = {t: con.execute(f"PRAGMA foreign_key_list({t})").fetchall() for t in tables}
        # Parents (referenced tables) first.
        tables.sort(key=lambda t: len(refs[t]))
        for values in rows:
            key = business_key_of(ds.id, values)
            ids: dict[tuple[str, str], str] = {}
            for t in tables:
                for col in info[t]:
                    if col[5]:  # part of the primary key
                        ids[(t, col[1])] = hashlib.sha256(f"{t}\x1f{key}".encode()).hexdigest()[:32]
            for t in tables:
                record = {col: _cell(values.get(k)) for k, (tt, col) in columns.items() if tt == t}
                for col in info[t]:
                    if col[5] and col[1] not in record:
                        record[col[1]] = ids[(t, col[1])]
                for ref in refs[t]:  # (id, seq, table, from, to, …)
                    record[ref[3]] = ids.get((ref[2], ref[4]), record.get(ref[3]))
                names = list(record)
                con.execute(
                    f"INSERT OR REPLACE INTO {t} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                    [record[n] for n in names],
                )
        con.commit()
    finally:
        con.close()
    return path
