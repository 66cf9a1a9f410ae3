"""The Great Expectations side: one ephemeral context per process, suites loaded from `expectations/`.

Costs avoided (docs/field-notes.md): progress bars are switched off; per-row verdicts use positional unexpected index
lists (the frame is given a RangeIndex), never `unexpected_index_column_names` (a per-row Python loop inside GX).
The suite, batch and validation definitions are built once per process. Everything else that makes a run
cheaper changes GX internals and is named in `credit.validation.gx_patches` (one switch,
`CREDIT_GX_PATCHES=off`); with every patch off this module uses GX's public API only
(`ValidationDefinition.run`). Data Docs: `credit.validation.gx_docs`.

GX is imported inside functions on purpose: importing it costs ≈ 3 s, which `credit check` (no Data Docs: the
GX-free runner `credit.validation.direct`) and every other command that never validates must not pay.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from credit.validation import gx_docs, gx_speedups
from credit.validation.gx_docs import shown_for_docs  # noqa: F401  re-exported
from credit.validation.gx_patches import enabled
from credit.validation.suites import FailingRows, load_suite_json

# COMPLETE for positional unexpected index lists; GX's "unexpected index query" (for pandas: every failing row
# of the whole frame taken again, per expectation) is not used here.
RESULT_FORMAT = {"result_format": "COMPLETE", "return_unexpected_index_query": False}
_lock = threading.RLock()


class SuiteLoadError(RuntimeError):
    pass


@dataclass
class Loaded:
    context: Any
    validation_definition: Any
    suite: Any
    batch_definition: Any = None


def context() -> Any:
    """The process's ephemeral GX context, with the custom expectations registered."""
    with _lock:  # built once, also when `warm_up()` builds it on another thread
        return _context()


@cache
def _context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    import credit.validation.gx_expectations  # noqa: F401  registers the custom expectation types

    if enabled("hash_threshold"):
        # Private setting: GX md5-hashes every DataFrame smaller than this on each run (≈ 4 s at 1M rows).
        pandas_execution_engine.HASH_THRESHOLD = 0
    gx_speedups.install()
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    ctx.data_sources.add_pandas("credit")
    return ctx


def build_suite(dataset: str) -> Any:
    """The dataset's suite as a GX object; fails when GX dropped an expectation (unknown type)."""
    context()  # imports GX (under the lock) and registers the custom expectations
    import great_expectations as gx

    from credit.validation.gx_expectations import gx_kwargs

    raw = load_suite_json(dataset)
    suite = gx.ExpectationSuite(
        # Copies: GX writes into what it is given (its version into `meta`), and the composed suite is cached.
        name=raw["name"],
        expectations=[
            copy.deepcopy({**e, "kwargs": gx_kwargs(e["type"], e["kwargs"])}) for e in raw["expectations"]
        ],
        meta=copy.deepcopy(raw.get("meta")),
    )
    if len(suite.expectations) != len(raw["expectations"]):
        known = {e.expectation_type for e in suite.expectations}
        missing = sorted({e["type"] for e in raw["expectations"]} - known)
        raise SuiteLoadError(
            f"expectations/{dataset}.json: GX dropped {len(raw['expectations']) - len(suite.expectations)} "
            f"expectation(s) of unknown type {missing}"
        )
    return suite


def loaded(dataset: str) -> Loaded:
    with _lock:
        return _loaded(dataset)


_warming: threading.Thread | None = None


def warm_up(datasets: tuple[str, ...] = ("xzcf", "xzxk")) -> threading.Thread:
    """Import GX and build the context and suites on a background thread (≈ 3–4 s), once per process: the
    daily flow starts it while Prefect starts its server, so that the first validation does not pay it.
    A failure here is left to the first validation to raise."""
    global _warming

    def work() -> None:
        with contextlib.suppress(Exception):
            for dataset in datasets:
                loaded(dataset)

    with _lock:
        if _warming is None:
            _warming = threading.Thread(target=work, name="credit-gx-warm-up", daemon=True)
            _warming.start()
        return _warming


@cache
def _loaded(dataset: str) -> Loaded:
    import great_expectations as gx

    ctx = context()
    suite = ctx.suites.add(build_suite(dataset))
    source = ctx.data_sources.get("credit")
    batch_definition = source.add_dataframe_asset(dataset).add_batch_definition_whole_dataframe(dataset)
    vd = ctx.validation_definitions.add(
        gx.ValidationDefinition(name=dataset, data=batch_definition, suite=suite)
    )
    return Loaded(ctx, vd, suite, batch_definition)


def _validate(lo: Loaded, frame: pd.DataFrame, params: dict, run_id: Any) -> Any:
    with gx_speedups.per_call():
        return lo.validation_definition.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=params,
            result_format=RESULT_FORMAT,
            run_id=run_id,
        )


def _raised(info: Any) -> str | None:
    """The message of an exception GX caught running an expectation: at the top of `exception_info`, or
    (a metric that failed to resolve) under each metric's id, where a run's `success` hides it."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    nested = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    return str(nested[0].get("exception_message")) if nested else None


def run_suite(
    dataset: str, frame: pd.DataFrame, params: dict[str, str], *, docs_dir: Path | None = None
) -> tuple[list[np.ndarray], list[str], list[str], list[str], Path | None]:
    """Validate a prepared frame (RangeIndex); per (expectation, flagged key): failing row positions."""
    from great_expectations.core.run_identifier import RunIdentifier

    with _lock:  # one context per process; GX's stores are not made for concurrent runs
        lo = loaded(dataset)
        run_id = RunIdentifier(run_time=datetime.datetime.now(datetime.UTC))
        result = _validate(lo, frame, params, run_id)
        page = None
        if docs_dir is not None:
            page = gx_docs.publish(lo.context, lo.suite.name, result, run_id, Path(docs_dir))
    found = FailingRows()
    for er in result.results:
        cfg = er.expectation_config
        if (failure := _raised(er.exception_info)) is not None:
            raise RuntimeError(
                f"GX expectation {cfg.type} ({cfg.meta.get('rule_id')}) failed to run: {failure}"
            )
        if er.success:
            continue
        failing = np.asarray(er.result.get("unexpected_index_list") or [], dtype=np.int64)
        if not len(failing):
            continue
        found.add(cfg.type, cfg.kwargs, cfg.meta, failing, frame, params)
    return found.result(page)
