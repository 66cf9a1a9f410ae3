"""The instant check's result as a workbook a clerk downloads to fix the file offline ("下载检查结果").

When an upload has rows with problems, a copy of the checked file (a hard link to the staged bytes) and the
check's document are kept under `$CREDIT_HOME/portal/checks/<unit>/<token>-file.<kind>` and `<token>.json` for `KEEP_DAYS`; the workbook is
written on the first download by the 问题数据 writer (credit.reports.feedback.write_feedback): the faulty rows
as the unit sent them (its own values, unmasked, docs/standard.md §7), the problem cells filled red or
yellow with the rule, the rules explained. Like the daily feedback, the workbook can be corrected and
uploaded again as it is. The token is random; a path is built only from the session's unit and a token
that matches `TOKEN`."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path

import pandas as pd

from credit.files import unit_folder
from credit.readers import UnreadableFile, read_unit_file
from credit.reports.feedback import write_feedback
from credit.settings import Settings

TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEEP_DAYS = 7


def folder(settings: Settings, unit: str) -> Path:
    return unit_folder(settings.home / "portal" / "checks", unit)


def has_problems(document: dict) -> bool:
    return "results" in document and any(r["errors"] or r["warnings"] for r in document["results"])


def keep(settings: Settings, unit: str, checked: Path, kind: str, original: str, document: dict) -> str:
    """Keep the checked file and its verdicts; the token that names them."""
    where = folder(settings, unit)
    where.mkdir(parents=True, exist_ok=True)
    _prune(where)
    token = secrets.token_hex(16)
    copy = where / f"{token}-file.{kind}"
    try:
        os.link(checked, copy)
    except OSError:  # another file system
        shutil.copyfile(checked, copy)
    meta = where / f"{token}.json"
    meta.write_text(
        json.dumps({"original": original, "kind": kind, "document": document}, ensure_ascii=False)
    )
    return token


def _prune(where: Path) -> None:
    limit = time.time() - KEEP_DAYS * 86400
    for path in where.iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def workbook(settings: Settings, unit: str, token: str) -> tuple[Path, str] | None:
    """The workbook of a kept check (written once) and the clerk's file name; None for an unknown token."""
    if not TOKEN.fullmatch(token):
        return None
    where = folder(settings, unit)
    meta = where / f"{token}.json"
    if not meta.is_file():
        return None
    kept = json.loads(meta.read_text())
    target = where / f"{token}-result.xlsx"
    if not target.is_file():
        items = _items(where / f"{token}-file.{kept['kind']}", kept["original"], kept["document"])
        write_feedback(target, unit, dt.date.today(), items)  # the date names only a folder's workbook
    return target, kept["original"]


def _items(path: Path, original: str, document: dict) -> list[dict]:
    """The document's rows with problems in the 问题数据 writer's item shape, with the file's own values."""
    try:
        sheets = read_unit_file(path, revocation_lists=False).sheets
    except UnreadableFile:
        sheets = []
    by_sheet = {(s.sheet, s.dataset): s for s in sheets}
    items = []
    for r in document.get("results", []):
        if not (r["errors"] or r["warnings"]):
            continue
        dataset = r.get("dataset", document["dataset"])
        sheet = by_sheet.get((r.get("sheet"), dataset))
        raw: dict = {}
        if sheet is not None and r["row"] in sheet.raw.index:
            raw = {k: (None if _blank(v) else v) for k, v in sheet.raw.loc[r["row"]].items()}
        items.append(
            {
                "dataset": dataset,
                "file_name": original,
                "sheet": r.get("sheet"),
                "row": r["row"],
                "columns": sheet.columns if sheet is not None else {},
                "raw": raw,
                "errors": r["errors"],
                "warnings": r["warnings"],
            }
        )
    return items


def _blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))
