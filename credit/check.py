"""`credit check FILE`: a unit checks its file before sending it (docs/contracts.md "Command line").

`run_check` returns the JSON document and the exit code (0 all rows valid, warnings allowed; 1 some rows
invalid; 2 the file cannot be read). Values are masked per docs/standard.md §7. The suite runs without importing
Great Expectations (`credit.validation.direct`: same rules, same verdicts) unless Data Docs are asked for.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from credit.readers import UnreadableFile, read_unit_file
from credit.readers.contained import warm_up
from credit.standard import DATASET_NAMES
from credit.units import unit as unit_of

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
TIMEZONE = "Asia/Shanghai"


def today_in_shanghai() -> date:
    return datetime.now(ZoneInfo(TIMEZONE)).date()


def run_check(
    path: Path,
    unit: str | None,
    report_date: date | None,
    *,
    severity: dict[str, str] | None = None,
    docs_dir: Path | None = None,
) -> tuple[dict, int]:
    """Check one file: `({"file","dataset","rows","valid","invalid","results":[…]}, exit code)`.

    The file is read as collect reads it (`read_unit_file`: guarded, parsed in a child process), so the clerk
    sees what the pipeline will see, and a file that crashes a reader is exit 2, not a crash of the command."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm", ".xls"):  # a workbook is parsed in a reader process
        warm_up()  # which imports while the validation suite does
    # Imported here, after warm_up, so that the reader process starts its imports beside these (≈ 1 s each
    # on 2 cores, measured: `import credit.validation` 1.07 s) instead of after them.
    from credit.validation import describe_rows, validate_frame

    path = Path(path)
    report_date = report_date or today_in_shanghai()
    if unit:
        unit_of(unit)  # an unknown unit code is the caller's error, raised before reading
    try:
        sheets = read_unit_file(path, revocation_lists=False).sheets
    except UnreadableFile as exc:
        return {"file": path.name, "error": {"zh": exc.reason_zh, "en": exc.reason_en}}, EXIT_UNREADABLE
    if not sheets:
        return {
            "file": path.name,
            "error": {
                "zh": "文件中没有可识别的信用数据表（请使用各数据集的标准模板表头）",
                "en": "no dataset found in the file",
            },
        }, EXIT_UNREADABLE
    results: list[dict] = []
    several = len(sheets) > 1
    for sheet in sheets:
        verdicts = validate_frame(
            sheet.dataset,
            sheet.data,
            unit_code=unit,
            report_date=report_date,
            severity=severity,
            docs_dir=docs_dir,
            engine="direct",  # the suite without importing GX, unless Data Docs are asked for
        )
        described = describe_rows(verdicts, sheet.raw, sheet.columns)
        for row, info in described.items():
            entry = {
                "row": row,
                "status": info["status"],
                "errors": info["errors"],
                "warnings": info["warnings"],
            }
            if several or sheet.sheet:
                entry = {"sheet": sheet.sheet, "dataset": sheet.dataset, **entry}
            results.append(entry)
    invalid = sum(1 for r in results if r["status"] == "invalid")
    document = {
        "file": path.name,
        "dataset": sheets[0].dataset,
        "rows": len(results),
        "valid": len(results) - invalid,
        "invalid": invalid,
        "results": results,
    }
    return document, (EXIT_INVALID if invalid else EXIT_VALID)


def format_check_text(result: dict) -> str:
    """A readable Chinese summary for the terminal: totals, then each invalid row's problems."""
    if "error" in result:
        return f"文件“{result['file']}”无法读取：{result['error']['zh']}"
    # A workbook may hold several datasets, one per sheet: name them all.
    found = dict.fromkeys(r.get("dataset", result["dataset"]) for r in result["results"]) or [
        result["dataset"]
    ]
    name = "、".join(DATASET_NAMES.get(d, d) for d in found)
    warned = sum(1 for r in result["results"] if r["warnings"])
    lines = [
        f"文件：{result['file']}（{name}）",
        f"共 {result['rows']} 条记录：合格 {result['valid']} 条，不合格 {result['invalid']} 条"
        + (f"，另有 {warned} 条有提醒事项" if warned else "")
        + "。",
    ]
    if result["invalid"] == 0:
        lines.append("全部记录可以报送。" if not warned else "全部记录可以报送，提醒事项请核对。")
    for r in result["results"]:
        if not r["errors"] and not r["warnings"]:
            continue
        where = f"工作表“{r['sheet']}” " if r.get("sheet") else ""
        mark = "不合格" if r["status"] == "invalid" else "提醒"
        lines.append(f"{where}第{r['row']}行（{mark}）：")
        lines.extend(f"  ✗ [{e['rule']}] {e['message']}" for e in r["errors"])
        lines.extend(f"  ! [{w['rule']}] {w['message']}" for w in r["warnings"])
    if result["invalid"]:
        lines.append("标“✗”的问题必须改正后重新报送；标“!”的为提醒，请核对。")
    return "\n".join(lines)
