"""Data Docs of validations: a page per validation, failing values masked and escaped (docs/standard.md §7).

The masked copy of a result replaces the one `ValidationDefinition.run` stored, and GX's documented
`build_data_docs` builds its page and the site index, on a site configured the documented way
(`add_data_docs_site`). Rendering pages by hand from a kept SiteBuilder and rebuilding the index less often,
a shared jinja bytecode cache, and a results store keeping objects instead of JSON bought under 10 % of a day's
validation (bench/gx_patches.py; a day's validation is ≈ 1.3 s of a ≈ 15 s daily run): they were removed.
"""

from __future__ import annotations

import copy
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from credit import escape
from credit.datasets import catalogue
from credit.identifiers import mask_id
from credit.validation.messages import HIDDEN, mask_value

# --- masking --------------------------------------------------------------------------------------------------
_RESULT_LISTS = ("partial_unexpected_list", "unexpected_list")


def _shown(keys: list[str], value: Any) -> Any:
    """A failing value as a Data Docs page may show it: masked (docs/standard.md §7), then HTML-escaped. GX puts
    these values into the page as they are (the unexpected-values table cells are not escaped): `escape.html`
    is the one rule that makes them text."""
    if isinstance(value, dict):
        return {k: _shown([k] if k in keys else keys, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_shown(keys, v) for v in value]
    if not isinstance(value, str):
        return value
    if catalogue().hidden_keys.intersection(keys):
        return HIDDEN
    if catalogue().masked_keys.intersection(keys):
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
@cache
def docs_site(ctx: Any, docs_dir: str) -> str:
    """The name of a Data Docs site with a fixed folder (an ephemeral context's default is a random temp dir)."""
    name = "credit_" + hashlib.sha256(docs_dir.encode()).hexdigest()[:12]
    config = {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": docs_dir},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    ctx.add_data_docs_site(site_name=name, site_config=config)
    return name


def publish(ctx: Any, suite_name: str, result: Any, run_id: Any, docs_dir: Path) -> Path:
    """The Data Docs page of `result` (masked); its path, or the site index when GX gives no file URL."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    docs_dir.mkdir(parents=True, exist_ok=True)
    site = docs_site(ctx, str(docs_dir.resolve()))
    identifier = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
        run_id=run_id,
        batch_identifier=result.batch_id,
    )
    ctx.validation_results_store.set(identifier, shown_for_docs(result))
    ctx.build_data_docs(site_names=[site], resource_identifiers=[identifier])
    urls = ctx.get_docs_sites_urls(resource_identifier=identifier, site_name=site)
    url = (urls[0].get("site_url") if urls else None) or ""
    page = Path(url.removeprefix("file://")) if url.startswith("file://") else None
    return page or docs_dir / "index.html"
