"""The domain package stands on its own: nothing in `credit/` imports what stands above it (the sample data
and demo of `samples/`, the CLI, flows, tasks, Prefect), and the statistics import no rendering
(`credit.reports` writes them, above)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CREDIT = Path(__file__).resolve().parent.parent / "credit"


def imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize(
    ("files", "forbidden"),
    [
        *((list(CREDIT.rglob("*.py")), above) for above in ("samples", "cli", "flows", "tasks", "prefect")),
        ([*(CREDIT / "stats").rglob("*.py"), CREDIT / "counters.py"], "credit.reports"),
    ],
    ids=[
        "credit-without-samples",
        "credit-without-cli",
        "credit-without-flows",
        "credit-without-tasks",
        "credit-without-prefect",
        "stats-without-reports",
    ],
)
def test_no_arrow_runs_back_up(files, forbidden):
    offenders = sorted(
        f"{path.relative_to(CREDIT.parent)} imports {name}"
        for path in files
        for name in imported(path)
        if name == forbidden or name.startswith(forbidden + ".")
    )
    assert offenders == []
