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

# name -> what it changes in GX, and what it buys (bench/gx_patches.py: best of 3, with it on and with it off,
# all other patches on; validation of the xzcf suite at 100k and 1M rows, or a day's Data Docs).
PATCHES: dict[str, str] = {
    "hash_threshold": "pandas_execution_engine.HASH_THRESHOLD = 0: no md5 of the whole frame per run. TBD",
    "fast_json": "convert_to_json_serializable rebound in every GX module, with a fast path for plain "
    "JSON values. TBD",
    "id_memo": "IDDict.to_id remembered per validation call. TBD",
    "domain_obj_memo": "ExpectationConfiguration.to_domain_obj remembered per validation call. TBD",
    "domain_columns_only": "PandasExecutionEngine.get_domain_records returns the domain's columns only "
    "within a validation call. TBD",
    "kwargs_getters": "expectations/custom.py: the custom expectations' _get_*_kwargs read the model's "
    "fields instead of rebuilding the configuration per key. TBD",
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
