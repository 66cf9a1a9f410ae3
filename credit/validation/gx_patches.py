"""The one switch for every private change to Great Expectations' behaviour.

Each change to GX internals that this project keeps is named in `PATCHES` and applied only when
`enabled(name)` is true. With every one off, the code uses GX's public API only (`ValidationDefinition.run`,
the stock stores, `build_data_docs`). `CREDIT_GX_PATCHES=off` turns every one off; they are off by themselves
when the installed GX is not the release they were written against (a newer release then runs stock, slower,
with the same verdicts: `tests/test_gx_patches.py`). `CREDIT_GX_PATCHES=-name,-other` turns off the named
ones only, `CREDIT_GX_PATCHES=+name,+other` turns on the named ones only (how `python -m bench.gx_patches`
measures each on its own).

The setting is read when the process builds its GX context (`credit.validation.gx.context`), once.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.metadata import PackageNotFoundError, version

# The GX release whose internals the patches were written and measured against.
WRITTEN_FOR = "1.24.1"

# name -> what it changes in GX, and what it buys on its own: CPU seconds of validating the xzcf suite with only
# this patch on ÷ with none (`python -m bench.gx_patches`, fresh processes, interleaved, best of 3; 2026-12-05).
# Measured and removed (under 10 % at both sizes, or of a day's run): a hand-rewritten ValidationDefinition.run,
# emptying the batch cache after a run, the results store keeping objects, gc.freeze(), hand-rendered Data Docs
# pages with a debounced index, a shared jinja bytecode cache, memos of to_domain_obj and of the column-name check.
PATCHES: dict[str, str] = {
    "hash_threshold": "pandas_execution_engine.HASH_THRESHOLD = 0: no md5 of the whole frame per run "
    "(100k 1.02×, 1M 1.21×)",
    "domain_columns_only": "PandasExecutionEngine.get_domain_records returns the domain's columns only within a "
    "validation call: unexpected rows are not copied from every column (100k 1.16×, 1M 1.33×)",
    "fast_json": "convert_to_json_serializable rebound in every GX module, with a fast path for plain JSON "
    "values (100k 1.14×, 1M 1.07×)",
    "id_memo": "IDDict.to_id remembered per validation call (100k 1.17×, 1M 1.07×)",
    "kwargs_getters": "credit/validation/gx_expectations.py: the custom expectations' _get_*_kwargs read the model's fields "
    "instead of rebuilding the configuration per key (100k 1.23×, 1M 1.07×)",
}

OFF = frozenset({"off", "0", "false", "no"})


@cache
def installed_gx() -> str | None:
    try:
        return version("great_expectations")
    except PackageNotFoundError:
        return None


def _setting() -> str:
    return os.environ.get("CREDIT_GX_PATCHES", "on").strip().lower()


def switched_off() -> bool:
    return _setting() in OFF


def enabled(name: str) -> bool:
    """Whether the private change `name` applies in this process."""
    if name not in PATCHES:
        raise KeyError(f"unknown GX patch {name!r}; known: {', '.join(PATCHES)}")
    if switched_off() or installed_gx() != WRITTEN_FOR:
        return False
    parts = [part.strip() for part in _setting().split(",")]
    only = {part[1:] for part in parts if part.startswith("+")}
    if only:
        return name in only
    return name not in {part[1:] for part in parts if part.startswith("-")}
