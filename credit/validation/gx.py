"""The Great Expectations side: one ephemeral context per process, suites loaded from `expectations/`.

Costs avoided (FIELD-NOTES.md): GX hashes the whole DataFrame on every run unless the private
`HASH_THRESHOLD` of its pandas execution engine is lowered; progress bars are switched off; per-row
verdicts use positional unexpected index lists (the frame is given a RangeIndex), never
`unexpected_index_column_names` (a per-row Python loop inside GX).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import hashlib
import os
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from credit.validation.suites import load_suite_json, meta_fields

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


@cache
def context() -> Any:
    """The process's ephemeral GX context, with the custom expectations registered."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    import expectations.custom  # noqa: F401  registers the custom expectation types

    # Private setting: GX md5-hashes every DataFrame smaller than this on each run (≈ 4 s at 1M rows).
    pandas_execution_engine.HASH_THRESHOLD = 0
    _share_jinja_bytecode()
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    ctx.data_sources.add_pandas("credit")
    return ctx


class _MemoryBytecodeCache:
    """Compiled Data Docs templates kept for the process (jinja2 BytecodeCache protocol)."""

    def __init__(self) -> None:
        import jinja2

        class Cache(jinja2.BytecodeCache):
            def __init__(self) -> None:
                self.store: dict[str, bytes] = {}

            def load_bytecode(self, bucket) -> None:
                code = self.store.get(bucket.key)
                if code is not None:
                    bucket.bytecode_from_string(code)

            def dump_bytecode(self, bucket) -> None:
                self.store[bucket.key] = bucket.bytecode_to_string()

        self.cache = Cache()


def _share_jinja_bytecode() -> None:
    """GX builds a new jinja Environment per rendered page and compiles every template again (≈ 35 ms per
    Data Docs page here); one bytecode cache for all of them keeps the output and drops the compiling."""
    from great_expectations.render.view.view import DefaultJinjaView

    if getattr(DefaultJinjaView.__init__, "_credit_shared", False):
        return
    cache = _MemoryBytecodeCache().cache
    original = DefaultJinjaView.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.env.bytecode_cache = cache

    __init__._credit_shared = True
    DefaultJinjaView.__init__ = __init__


def build_suite(dataset: str) -> Any:
    """The dataset's suite as a GX object; fails when GX dropped an expectation (unknown type)."""
    import great_expectations as gx

    context()  # registers custom expectations
    raw = load_suite_json(dataset)
    suite = gx.ExpectationSuite(
        name=raw["name"], expectations=[dict(e) for e in raw["expectations"]], meta=raw.get("meta")
    )
    if len(suite.expectations) != len(raw["expectations"]):
        known = {e.expectation_type for e in suite.expectations}
        missing = sorted({e["type"] for e in raw["expectations"]} - known)
        raise SuiteLoadError(
            f"expectations/{dataset}.json: GX dropped {len(raw['expectations']) - len(suite.expectations)} "
            f"expectation(s) of unknown type {missing}"
        )
    return suite


@cache
def loaded(dataset: str) -> Loaded:
    import great_expectations as gx

    ctx = context()
    suite = ctx.suites.add(build_suite(dataset))
    source = ctx.data_sources.get("credit")
    batch_definition = source.add_dataframe_asset(dataset).add_batch_definition_whole_dataframe(dataset)
    vd = ctx.validation_definitions.add(
        gx.ValidationDefinition(name=dataset, data=batch_definition, suite=suite)
    )
    return Loaded(ctx, vd, suite)


@cache
def docs_site(docs_dir: str) -> str:
    """A Data Docs site with a fixed folder (an ephemeral context's default is a random temp dir)."""
    ctx = context()
    name = _site_name(docs_dir)
    ctx.add_data_docs_site(
        site_name=name,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": docs_dir},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return name


# Data Docs: a page per validation, written at once; the site index (which GX rebuilds by deserialising every
# validation result of the process and re-rendering them all, O(n) per build and O(n²) over a day of 49 units)
# is rebuilt at the first validation of a site, then at most every DOCS_INDEX_INTERVAL seconds, on
# `refresh_docs_index()` and when the process exits.
DOCS_INDEX_INTERVAL = 30.0
_index_built: dict[str, float] = {}  # site name -> monotonic time of the last index build
_index_stale: set[str] = set()


def _build_index(site: str) -> None:
    context().build_data_docs(site_names=[site], build_index=True)
    _index_built[site] = time.monotonic()
    _index_stale.discard(site)


def refresh_docs_index(docs_dir: Path | None = None) -> None:
    """Bring the Data Docs index of `docs_dir` (default: every site with new pages) up to date."""
    with _lock:
        sites = list(_index_stale)
        if docs_dir is not None:
            name = _site_name(str(Path(docs_dir).resolve()))
            sites = [s for s in sites if s == name]
        for site in sites:
            _build_index(site)


@atexit.register
def _flush_index() -> None:
    with contextlib.suppress(Exception):  # the interpreter is going away; the pages themselves are written
        refresh_docs_index()


def _site_name(docs_dir: str) -> str:
    return "credit_" + hashlib.sha256(docs_dir.encode()).hexdigest()[:12]


def _run_with_docs(dataset: str, frame: pd.DataFrame, params: dict, docs_dir: Path):
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    lo = loaded(dataset)
    docs_dir.mkdir(parents=True, exist_ok=True)
    site = docs_site(str(docs_dir.resolve()))
    run_id = RunIdentifier(run_time=datetime.datetime.now(datetime.UTC))
    result = lo.validation_definition.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=params,
        result_format=RESULT_FORMAT,
        run_id=run_id,
    )
    identifier = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=lo.suite.name),
        run_id=run_id,
        batch_identifier=result.batch_id,
    )
    due = site not in _index_built or time.monotonic() - _index_built[site] >= DOCS_INDEX_INTERVAL
    lo.context.build_data_docs(site_names=[site], resource_identifiers=[identifier], build_index=due)
    if due:
        _index_built[site] = time.monotonic()
        _index_stale.discard(site)
    else:
        _index_stale.add(site)
    urls = lo.context.get_docs_sites_urls(resource_identifier=identifier, site_names=[site])
    page = None
    for entry in urls:
        url = entry.get("site_url") or ""
        if url.startswith("file://"):
            page = Path(url.removeprefix("file://"))
    return result, page or docs_dir / "index.html"


def run_suite(
    dataset: str, frame: pd.DataFrame, params: dict[str, str], *, docs_dir: Path | None = None
) -> tuple[list[np.ndarray], list[str], list[str], list[str], Path | None]:
    """Validate a prepared frame (RangeIndex); per (expectation, flagged key): failing row positions."""
    from expectations.custom import attribute

    with _lock:  # one context per process; GX's stores are not made for concurrent runs
        lo = loaded(dataset)
        if docs_dir is not None:
            result, page = _run_with_docs(dataset, frame, params, Path(docs_dir))
        else:
            result = lo.validation_definition.run(
                batch_parameters={"dataframe": frame},
                expectation_parameters=params,
                result_format=RESULT_FORMAT,
            )
            page = None
    positions: list[np.ndarray] = []
    rules: list[str] = []
    keys: list[str] = []
    sevs: list[str] = []
    for er in result.results:
        cfg = er.expectation_config
        if er.exception_info and er.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"GX expectation {cfg.type} ({cfg.meta.get('rule_id')}) failed to run: "
                f"{er.exception_info.get('exception_message')}"
            )
        if er.success:
            continue
        failing = np.asarray(er.result.get("unexpected_index_list") or [], dtype=np.int64)
        if not len(failing):
            continue
        meta = cfg.meta
        fields = meta_fields(meta)
        if len(fields) == 1:
            per_key = {fields[0]: failing}
        else:
            masks = attribute(cfg.type, cfg.kwargs, frame.iloc[failing], params)
            per_key = {k: failing[m] for k, m in masks.items() if k in fields and m.any()}
        for key, rows in per_key.items():
            positions.append(rows)
            rules.append(meta["rule_id"])
            keys.append(key)
            sevs.append(meta["severity"])
    return positions, rules, keys, sevs, page
