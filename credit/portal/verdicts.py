"""`credit check`'s document (credit.check.run_check) as the page shows it: totals, then per sheet a table of
the rows with problems, one column per column that has one, each problem cell marked and explained."""

from __future__ import annotations

from dataclasses import dataclass, field

from credit.standard import DATASET_NAMES

MAX_ROWS = 500  # rows with problems shown per file; the rest are counted


@dataclass
class Cell:
    value: str | None = None
    level: str = ""  # "error" | "warning" | ""
    messages: list[str] = field(default_factory=list)


@dataclass
class Row:
    number: int
    status: str
    cells: list[Cell]
    other: list[str]  # problems of no single column


@dataclass
class Table:
    sheet: str | None
    dataset: str
    columns: list[str]
    rows: list[Row]
    hidden: int = 0


@dataclass
class Report:
    file: str
    error: str | None
    datasets: str
    rows: int = 0
    valid: int = 0
    invalid: int = 0
    warned: int = 0
    tables: list[Table] = field(default_factory=list)


def report(document: dict, shown_name: str) -> Report:
    if "error" in document:
        return Report(file=shown_name, error=document["error"]["zh"], datasets="")
    results = document["results"]
    groups: dict[tuple, list[dict]] = {}
    for r in results:
        groups.setdefault((r.get("sheet"), r.get("dataset", document["dataset"])), []).append(r)
    out = Report(
        file=shown_name,
        error=None,
        datasets="、".join(DATASET_NAMES.get(d, d) for _, d in groups)
        or DATASET_NAMES.get(document["dataset"], ""),
        rows=document["rows"],
        valid=document["valid"],
        invalid=document["invalid"],
        warned=sum(1 for r in results if r["warnings"]),
    )
    for (sheet, dataset), rows in groups.items():
        flagged = [r for r in rows if r["errors"] or r["warnings"]]
        columns: list[str] = []
        for r in flagged:
            for problem in r["errors"] + r["warnings"]:
                if problem.get("column") and problem["column"] not in columns:
                    columns.append(problem["column"])
        table = Table(
            sheet, DATASET_NAMES.get(dataset, dataset), columns, [], max(0, len(flagged) - MAX_ROWS)
        )
        for r in flagged[:MAX_ROWS]:
            cells = {c: Cell() for c in columns}
            other: list[str] = []
            for level, problems in (("error", r["errors"]), ("warning", r["warnings"])):
                for p in problems:
                    text = f"[{p['rule']}] {p['message']}"
                    cell = cells.get(p.get("column") or "")
                    if cell is None:
                        other.append(text)
                        continue
                    cell.value = p.get("value") if cell.value is None else cell.value
                    cell.level = cell.level or level
                    cell.messages.append(text)
            table.rows.append(Row(r["row"], r["status"], [cells[c] for c in columns], other))
        out.tables.append(table)
    return out
