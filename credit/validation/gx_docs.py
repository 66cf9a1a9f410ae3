"""Data Docs of validations: a page per validation, failing values masked and escaped (STANDARD.md §7).

Stock (every GX patch off): the masked result replaces the stored one and GX's documented `build_data_docs`
builds the page and the site index. With the `docs_pages` patch (`credit.validation.gx_patches`), the page is
rendered from the result in hand by a SiteBuilder kept per site (GX instantiates one per `build_data_docs`),
the results store keeps a slim entry for the index, and the index (which GX rebuilds by deserialising every
result of the process and re-rendering them all, O(n²) over a day of 49 units) is rebuilt at the first
validation of a site, then at most every DOCS_INDEX_INTERVAL seconds, on `refresh_docs_index()` and when the
process exits.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import hashlib
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from credit import escape
from credit.identifiers import mask_id
from credit.validation.gx_patches import enabled
from credit.validation.messages import HIDDEN, mask_value

_lock = threading.RLock()


def install(ctx: Any) -> None:
    """The enabled Data Docs and results-store patches, once per context."""
    if enabled("jinja_bytecode"):
        _share_jinja_bytecode()
    if enabled("results_as_objects"):
        _keep_results_as_objects(ctx.validation_results_store)


def _keep_results_as_objects(store: Any) -> None:
    """The ephemeral context's validation results store (in memory) keeps result objects as they are: GX
    serialises every result to a JSON string on `set` (≈ 25 % of a small validation) and parses it again
    for each Data Docs index build."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult

    deserialize = store.deserialize

    def _deserialize(value):
        return value if isinstance(value, ExpectationSuiteValidationResult) else deserialize(value)

    store.serialize = lambda value: value
    store.deserialize = _deserialize


def _share_jinja_bytecode() -> None:
    """GX builds a new jinja Environment per rendered page and compiles every template again (≈ 35 ms per
    Data Docs page here); one bytecode cache for all of them keeps the output and drops the compiling."""
    import jinja2
    from great_expectations.render.view.view import DefaultJinjaView

    if getattr(DefaultJinjaView.__init__, "_credit_shared", False):
        return

    class Cache(jinja2.BytecodeCache):
        def __init__(self) -> None:
            self.store: dict[str, bytes] = {}

        def load_bytecode(self, bucket) -> None:
            code = self.store.get(bucket.key)
            if code is not None:
                bucket.bytecode_from_string(code)

        def dump_bytecode(self, bucket) -> None:
            self.store[bucket.key] = bucket.bytecode_to_string()

    cache_ = Cache()
    original = DefaultJinjaView.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.env.bytecode_cache = cache_

    __init__._credit_shared = True
    DefaultJinjaView.__init__ = __init__


# --- masking --------------------------------------------------------------------------------------------------
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


# --- sites ----------------------------------------------------------------------------------------------------
@dataclass
class Site:
    name: str
    builder: Any = None  # GX SiteBuilder, built once (docs_pages patch only)
    static_copied: bool = False
    suites_rendered: frozenset[str] = frozenset()


@cache
def docs_site(ctx: Any, docs_dir: str) -> Site:
    """A Data Docs site with a fixed folder (an ephemeral context's default is a random temp dir)."""
    name = "credit_" + hashlib.sha256(docs_dir.encode()).hexdigest()[:12]
    config = {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": docs_dir},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    ctx.add_data_docs_site(site_name=name, site_config=config)
    site = Site(name)
    if enabled("docs_pages"):
        site.builder = ctx._init_site_builder_for_data_docs_site_creation(
            site_name=name, site_config=ctx.variables.data_docs_sites[name]
        )
    return site


DOCS_INDEX_INTERVAL = 30.0
_index_built: dict[str, float] = {}  # site name -> monotonic time of the last index build
_stale: dict[str, tuple[Any, Site]] = {}  # site name -> (context, site) whose index lacks pages


def _build_index(ctx: Any, site: Site) -> None:
    site.builder.target_store.copy_static_assets()
    site.static_copied = True
    suites = frozenset(key.name for key in ctx.expectations_store.list_keys())
    if suites != site.suites_rendered:  # the suites' own pages, which the index links to
        site.builder.site_section_builders["expectations"].build()
        site.suites_rendered = suites
    site.builder.site_index_builder.build(build_index=True)
    _index_built[site.name] = time.monotonic()
    _stale.pop(site.name, None)


def refresh_docs_index(docs_dir: Path | None = None) -> None:
    """Bring the Data Docs index of `docs_dir` (default: every site with new pages) up to date."""
    with _lock:
        for ctx, site in list(_stale.values()):
            if docs_dir is None or site is docs_site(ctx, str(Path(docs_dir).resolve())):
                _build_index(ctx, site)


@atexit.register
def _flush_index() -> None:
    with contextlib.suppress(Exception):  # the interpreter is going away; the pages themselves are written
        refresh_docs_index()


def publish(ctx: Any, suite_name: str, result: Any, run_id: Any, docs_dir: Path) -> Path:
    """The Data Docs page of `result` (masked); its path, or the site index when GX gives no file URL."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    docs_dir.mkdir(parents=True, exist_ok=True)
    with _lock:
        site = docs_site(ctx, str(docs_dir.resolve()))
        identifier = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
            run_id=run_id,
            batch_identifier=result.batch_id,
        )
        if site.builder is None:  # stock: the masked result replaces the stored one, GX builds page and index
            ctx.validation_results_store.set(identifier, shown_for_docs(result))
            ctx.build_data_docs(site_names=[site.name], resource_identifiers=[identifier])
            urls = ctx.get_docs_sites_urls(resource_identifier=identifier, site_name=site.name)
            url = (urls[0].get("site_url") if urls else None) or ""
        else:
            url = _render_page(ctx, site, result, identifier)
    page = Path(url.removeprefix("file://")) if url.startswith("file://") else None
    return page or docs_dir / "index.html"


def _render_page(ctx: Any, site: Site, result: Any, identifier: Any) -> str:
    """What SiteBuilder.build does for one resource, without listing and fetching the store; the store keeps
    a slim entry (success, meta) for the index."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
    from great_expectations.data_context.types.resource_identifiers import SiteSectionIdentifier

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
    entry = ExpectationSuiteValidationResult(
        success=result.success,
        results=[],
        suite_name=result.suite_name,
        statistics=result.statistics,
        meta=result.meta,
        batch_id=result.batch_id,
    )
    ctx.validation_results_store.set(identifier, entry)
    if not site.static_copied:
        builder.target_store.copy_static_assets()
        site.static_copied = True
    last = _index_built.get(site.name)
    if last is None or time.monotonic() - last >= DOCS_INDEX_INTERVAL:
        _build_index(ctx, site)
    else:
        _stale[site.name] = (ctx, site)
    return builder.get_resource_url(resource_identifier=identifier) or ""
