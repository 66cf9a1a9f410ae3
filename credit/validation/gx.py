"""The Great Expectations side: one ephemeral context per process, suites loaded from `expectations/`.

Costs avoided (FIELD-NOTES.md): GX hashes the whole DataFrame on every run unless the private
`HASH_THRESHOLD` of its pandas execution engine is lowered; progress bars are switched off; per-row
verdicts use positional unexpected index lists (the frame is given a RangeIndex), never
`unexpected_index_column_names` (a per-row Python loop inside GX).

Fixed costs per call (a day makes ~100 calls on small frames; issue 7): the suite, batch and validation
definitions are built once per process and run through GX's Validator directly (`_validate`: no freshness
check, no JSON serialisation of the result into the in-memory results store); a Data Docs page is rendered from
the result in hand by a SiteBuilder kept per site, and the store keeps only a slim entry for the site index;
`gx_speedups` trims GX's per-metric bookkeeping. The suites stay the single source of truth.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import datetime
import gc
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

from credit import escape
from credit.identifiers import mask_id
from credit.validation import gx_speedups
from credit.validation.messages import HIDDEN, mask_value
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
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    import credit.validation.gx_expectations  # noqa: F401  registers the custom expectation types

    # Private setting: GX md5-hashes every DataFrame smaller than this on each run (≈ 4 s at 1M rows).
    pandas_execution_engine.HASH_THRESHOLD = 0
    _share_jinja_bytecode()
    gx_speedups.install()
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    ctx.data_sources.add_pandas("credit")
    _keep_results_as_objects(ctx.validation_results_store)
    # GX and what it imports are ≈ 280k objects that live as long as the process; a full collection
    # re-scanned them all (≈ 0.15 s, often inside a validation). Frozen, collections skip them.
    gc.freeze()
    return ctx


def _keep_results_as_objects(store: Any) -> None:
    """The ephemeral context's validation results store (in memory) keeps result objects as they are: GX
    serialises every result to a JSON string on `set` (≈ 25 % of a small validation) and parses it again
    for each Data Docs index build. Only slim index entries are stored here (`_index_entry`)."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult

    deserialize = store.deserialize

    def _deserialize(value):
        return value if isinstance(value, ExpectationSuiteValidationResult) else deserialize(value)

    store.serialize = lambda value: value
    store.deserialize = _deserialize


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
    context()  # imports GX (under the lock) and registers the custom expectations
    import great_expectations as gx

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


def _validate(lo: Loaded, frame: pd.DataFrame, params: dict, run_id: Any = None) -> Any:
    """What `ValidationDefinition.run` does, without its per-call freshness check (a lookup and a deep
    comparison of the stored definition, suite included) and without storing the full result (serialised
    to JSON): the suite and the definition are built once per process and never changed."""
    from great_expectations.constants import DATAFRAME_REPLACEMENT_STR
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.validator.v1_validator import Validator

    validator = Validator(
        batch_definition=lo.batch_definition,
        batch_parameters={"dataframe": frame},
        result_format=RESULT_FORMAT,
    )
    with gx_speedups.per_call():
        result = validator.validate_expectation_suite(lo.suite, params)
    _forget_batch(validator)
    run_id = run_id or RunIdentifier(run_time=datetime.datetime.now(datetime.UTC))
    result.meta.update(
        validation_id=lo.validation_definition.id,
        checkpoint_id=None,
        run_id=run_id,
        validation_time=run_id.run_time,
        batch_parameters={"dataframe": DATAFRAME_REPLACEMENT_STR},
    )
    return result


def _forget_batch(validator: Any) -> None:
    """The datasource's execution engine keeps the last validated frame until the next validation (≈ 0.7 GB
    at 1M rows, alive through storage and statistics): let it go once the results are in."""
    manager = validator._wrapped_validator.execution_engine.batch_manager
    manager.reset_batch_cache()
    manager._batch_data_cache.clear()


@dataclass
class Site:
    name: str
    builder: Any  # GX SiteBuilder, built once (GX instantiates one per build_data_docs/get_docs_sites_urls)
    static_copied: bool = False
    suites_rendered: frozenset[str] = frozenset()


@cache
def docs_site(docs_dir: str) -> Site:
    """A Data Docs site with a fixed folder (an ephemeral context's default is a random temp dir)."""
    ctx = context()
    name = _site_name(docs_dir)
    config = {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": docs_dir},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    ctx.add_data_docs_site(site_name=name, site_config=config)
    builder = ctx._init_site_builder_for_data_docs_site_creation(
        site_name=name, site_config=ctx.variables.data_docs_sites[name]
    )
    return Site(name, builder)


# Data Docs: a page per validation, written at once; the site index (which GX rebuilds by deserialising every
# validation result of the process and re-rendering them all, O(n) per build and O(n²) over a day of 49 units)
# is rebuilt at the first validation of a site, then at most every DOCS_INDEX_INTERVAL seconds, on
# `refresh_docs_index()` and when the process exits.
DOCS_INDEX_INTERVAL = 30.0
_index_built: dict[str, float] = {}  # site name -> monotonic time of the last index build
_index_stale: set[str] = set()
_sites: dict[str, Site] = {}


def _build_index(name: str) -> None:
    site = _sites[name]
    site.builder.target_store.copy_static_assets()
    site.static_copied = True
    suites = frozenset(key.name for key in context().expectations_store.list_keys())
    if suites != site.suites_rendered:  # the suites' own pages, which the index links to
        site.builder.site_section_builders["expectations"].build()
        site.suites_rendered = suites
    site.builder.site_index_builder.build(build_index=True)
    _index_built[name] = time.monotonic()
    _index_stale.discard(name)


def _index_entry(result: Any) -> Any:
    """What the site index reads of a stored result (success, meta); the page itself is written at once."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult

    return ExpectationSuiteValidationResult(
        success=result.success,
        results=[],
        suite_name=result.suite_name,
        statistics=result.statistics,
        meta=result.meta,
        batch_id=result.batch_id,
    )


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


_RESULT_LISTS = ("partial_unexpected_list", "unexpected_list")


def _shown(keys: list[str], value: Any) -> Any:
    """A failing value as a Data Docs page may show it: masked (STANDARD.md §7), then HTML-escaped. GX puts
    these values into the page as they are (the unexpected-values table cells are not escaped): `escape.html`
    is the one rule that makes them text."""
    if isinstance(value, dict):
        return {k: _shown([k] if k in keys else keys, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_shown(keys, v) for v in value]
    if not isinstance(value, str):
        return value
    if "legal_rep_id_no" in keys:
        return HIDDEN
    if "id_no" in keys:
        return escape.html(mask_id(value.strip()), mask_ids=False)
    return escape.html(mask_value(keys[0] if len(keys) == 1 else "", value), mask_ids=False)


def shown_for_docs(result: Any) -> Any:
    """A copy of a validation result whose failing values are masked and escaped; verdicts keep using the
    original."""
    shown = copy.deepcopy(result)
    for item in shown.results:
        kwargs = item.expectation_config.kwargs if item.expectation_config else {}
        keys = [kwargs["column"]] if kwargs.get("column") else list(kwargs.get("column_list") or [])
        data = item.result or {}
        for name in _RESULT_LISTS:
            if data.get(name):
                data[name] = _shown(keys, data[name])
        for count in data.get("partial_unexpected_counts") or []:
            if isinstance(count, dict) and "value" in count:
                count["value"] = _shown(keys, count["value"])
    return shown


def _run_with_docs(dataset: str, frame: pd.DataFrame, params: dict, docs_dir: Path):
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        SiteSectionIdentifier,
        ValidationResultIdentifier,
    )

    lo = loaded(dataset)
    docs_dir.mkdir(parents=True, exist_ok=True)
    site = docs_site(str(docs_dir.resolve()))
    _sites[site.name] = site
    run_id = RunIdentifier(run_time=datetime.datetime.now(datetime.UTC))
    result = _validate(lo, frame, params, run_id)
    identifier = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=lo.suite.name),
        run_id=run_id,
        batch_identifier=result.batch_id,
    )
    # The page, rendered from the result in hand (what SiteBuilder.build does for one resource, without
    # listing and fetching the store); the store keeps a slim entry for the index.
    builder = site.builder
    section = builder.site_section_builders["validations"]
    viewable = section.view_class.render(
        section.renderer_class.render(shown_for_docs(result)),
        data_context_id=section.data_context_id,
        show_how_to_buttons=section.show_how_to_buttons,
    )
    section.target_store.set(
        SiteSectionIdentifier(site_section_name="validations", resource_identifier=identifier), viewable
    )
    lo.context.validation_results_store.set(identifier, _index_entry(result))
    if not site.static_copied:
        builder.target_store.copy_static_assets()
        site.static_copied = True
    due = site.name not in _index_built or time.monotonic() - _index_built[site.name] >= DOCS_INDEX_INTERVAL
    if due:
        _build_index(site.name)
    else:
        _index_stale.add(site.name)
    url = builder.get_resource_url(resource_identifier=identifier) or ""
    page = Path(url.removeprefix("file://")) if url.startswith("file://") else None
    return result, page or docs_dir / "index.html"


def run_suite(
    dataset: str, frame: pd.DataFrame, params: dict[str, str], *, docs_dir: Path | None = None
) -> tuple[list[np.ndarray], list[str], list[str], list[str], Path | None]:
    """Validate a prepared frame (RangeIndex); per (expectation, flagged key): failing row positions."""
    with _lock:  # one context per process; GX's stores are not made for concurrent runs
        lo = loaded(dataset)
        if docs_dir is not None:
            result, page = _run_with_docs(dataset, frame, params, Path(docs_dir))
        else:
            result = _validate(lo, frame, params)
            page = None
    found = FailingRows()
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
        found.add(cfg.type, cfg.kwargs, cfg.meta, failing, frame, params)
    return found.result(page)
