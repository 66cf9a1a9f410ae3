"""Cuts of Great Expectations' fixed cost per validation call, same results (issue 7).

A day validates ~100 small frames (49 units × 2 datasets, a few dozen rows each): what costs there is not the
data but GX's bookkeeping per expectation and metric, ≈ 1,400 metric configurations per call of a 26-expectation
suite. Measured on one call of a 50-row frame, these dominated and are cut here:

- `convert_to_json_serializable` (every metric configuration's id is an md5 of its kwargs as JSON) walks every
  value and, for `None`, falls through a dozen `isinstance` tests and three `np.issubdtype` calls: a fast path
  returns plain JSON values (None, str, int, bool, and dicts/lists/tuples of them) at once and leaves everything
  else to GX's own function.
- Within one validation call (`per_call()`), `IDDict.to_id` is remembered per set of value objects (the same
  kwargs objects are hashed again for every metric of an expectation). The memo lives only for the call and
  holds the objects it keys on, so an id is never reused while remembered.
- Within a call, a map metric's unexpected rows are filtered from the domain's columns only.

Installed once per process by `credit.validation.gx.context()`, each only when `gx_patches.enabled(name)`
(its name in `credit.validation.gx_patches.PATCHES`); `tests/test_gx_patches.py` checks that the fast path
returns what GX's own function returns and that verdicts are the same without any of them.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import Any

from credit.validation.gx_patches import enabled

_state = threading.local()
_installed = False
_original_convert = None


def _fast_convert(data: Any) -> Any:
    """GX's `convert_to_json_serializable`, with plain JSON values answered without GX's type tests."""
    if data is None:
        return None
    t = type(data)
    if t is str or t is int or t is bool:
        return data
    if t is dict:
        return {str(k): _fast_convert(v) for k, v in data.items()}
    if t is list or t is tuple:
        return [_fast_convert(v) for v in data]
    return _original_convert(data)


def _memo() -> dict | None:
    return getattr(_state, "memo", None)


@contextlib.contextmanager
def per_call() -> Iterator[None]:
    """Memos for one validation call (this thread only)."""
    outer = _memo()
    _state.memo = {} if outer is None else outer
    try:
        yield
    finally:
        _state.memo = outer


def install() -> None:
    """The enabled per-call speed-ups, once per process (GX imported)."""
    global _installed
    if _installed:
        return
    for name, patch in _PATCHES.items():
        if enabled(name):
            patch()
    _installed = True


def _fast_json() -> None:
    global _original_convert
    import great_expectations.util as gx_util

    _original_convert = gx_util.convert_to_json_serializable
    # GX modules import the function by name: rebind it wherever it was imported (the original's own
    # recursion goes through the module global, so nested values take the fast path too).
    for name, module in list(sys.modules.items()):
        if (
            name.startswith("great_expectations")
            and getattr(module, "convert_to_json_serializable", None) is _original_convert
        ):
            module.convert_to_json_serializable = _fast_convert


def _id_memo() -> None:
    from great_expectations.core.id_dict import IDDict

    to_id = IDDict.to_id

    def memo_to_id(self, id_keys=None, id_ignore_keys=None):
        memo = _memo()
        if memo is None:
            return to_id(self, id_keys, id_ignore_keys)
        values = tuple(self.items())
        key = (
            "id",
            type(self),
            tuple((k, id(v)) for k, v in values),
            None if id_keys is None else tuple(id_keys),
            None if id_ignore_keys is None else tuple(id_ignore_keys),
        )
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = (values, to_id(self, id_keys, id_ignore_keys))  # values keep the ids alive
        return hit[1]

    IDDict.to_id = memo_to_id


def _domain_columns_only() -> None:
    # A map metric's unexpected rows are found by filtering the whole batch (`records[failing]`), once per
    # expectation and metric, though only the domain's columns and the index are read: each filter copied the
    # failing rows of every column (≈ 0.3 s of a 100k-row run). Within a call the records are the domain's
    # columns only; `include_unexpected_rows` (never asked for here) would then show just those columns.
    from great_expectations.execution_engine import PandasExecutionEngine

    get_records = PandasExecutionEngine.get_domain_records

    def domain_columns_only(self, domain_kwargs):
        data = get_records(self, domain_kwargs)
        if _memo() is None:
            return data
        if "column" in domain_kwargs:
            names = [domain_kwargs["column"]]
        elif "column_list" in domain_kwargs:
            names = list(domain_kwargs["column_list"])
        elif "column_A" in domain_kwargs and "column_B" in domain_kwargs:
            names = [domain_kwargs["column_A"], domain_kwargs["column_B"]]
        else:
            return data
        columns = data.columns
        if len(set(names)) != len(names) or not all(type(n) is str and n in columns for n in names):
            return data
        return data[names]

    PandasExecutionEngine.get_domain_records = domain_columns_only


_PATCHES = {
    "fast_json": _fast_json,
    "id_memo": _id_memo,
    "domain_columns_only": _domain_columns_only,
}
