"""Which dataset a header row belongs to, and which column holds which field (docs/standard.md §2.4)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from credit.datasets import Catalogue, catalogue
from credit.normalise import derivable
from credit.readers.base import HEADER_SCAN_ROWS, MIN_HEADER_FIELDS, UnreadableFile
from credit.standard import DATASET_NAMES, dataset, header_aliases, header_form

# Templates mark required columns with a star or a "(必填)" suffix; neither is part of the name.
_MARKERS = re.compile(r"^[*※★☆]+|[*※★☆]+$|\((?:必填|选填|非必填|可选|可填)项?\)")


def clean_header(text: object) -> str:
    """`header_form` without required/optional markers."""
    return _MARKERS.sub("", header_form(text))


def _distinctive() -> dict[str, frozenset[str]]:
    """dataset -> header forms that only that dataset knows (行政处罚决定书文号 vs 行政许可决定文书号)."""
    return _distinctive_in(catalogue())


@cache
def _distinctive_in(cat: Catalogue) -> dict[str, frozenset[str]]:
    table = cat.header_aliases
    out = {}
    for ds, forms in table.items():
        others = set().union(*(t.keys() for o, t in table.items() if o != ds))
        out[ds] = frozenset(f for f in forms if f not in others)
    return out


@dataclass
class HeaderMatch:
    dataset: str
    positions: dict[str, int]  # field key -> column position, in column order
    unknown: list[str]  # non-blank headers that map to no field, as written
    derive: list[str] = field(
        default_factory=list
    )  # keys the file lacks that its rows give (derivations.csv)


def _score(forms: list[str]) -> dict[str, tuple[int, int]]:
    """dataset -> (distinctive headers matched, distinct fields matched)."""
    table, distinctive = header_aliases(), _distinctive()
    return {
        ds: (sum(f in distinctive[ds] for f in forms), len({table[ds][f] for f in forms if f in table[ds]}))
        for ds in table
    }


def _quote(items) -> str:
    return "、".join(f"“{i}”" for i in items)


def match_headers(headers: list[object], dataset_id: str | None = None) -> HeaderMatch:
    """Recognise the dataset and map every column; raises UnreadableFile (never guesses).

    With `dataset_id` (a source that says which dataset it holds) nothing is recognised: the columns are
    that dataset's field keys (`counterpart_name`, in any case) or its headers and aliases."""
    texts = ["" if h is None else str(h) for h in headers]
    forms = [clean_header(t) for t in texts]
    if dataset_id is not None:
        table = {header_form(k): k for k in dataset(dataset_id).keys} | header_aliases()[dataset_id]
        return _map_columns(dataset_id, table, texts, forms)
    scores = _score(forms)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best, (hits, _) = ranked[0]
    if hits == 0:
        names = "、".join(DATASET_NAMES.values())
        raise UnreadableFile(
            f"无法识别数据集：表头中没有任何数据集（{names}）特有的列，请使用对应数据集的标准模板",
            "cannot tell the dataset: no header specific to any dataset was found",
        )
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        both = "和".join(DATASET_NAMES[ds] for ds, _ in ranked[:2])
        raise UnreadableFile(
            f"无法识别数据集：表头同时像{both}，请使用标准模板",
            f"cannot tell the dataset: the headers fit both {ranked[0][0]} and {ranked[1][0]}; use the standard template",
        )
    return _map_columns(best, header_aliases()[best], texts, forms)


def _map_columns(best: str, table: dict[str, str], texts: list[str], forms: list[str]) -> HeaderMatch:
    """Every column of dataset `best` through `table` (header form -> field key); duplicates and missing
    required columns refused."""
    seen: dict[str, list[int]] = {}
    unknown = []
    for i, form in enumerate(forms):
        if form in table:
            seen.setdefault(table[form], []).append(i)
        elif form:
            unknown.append(texts[i])
    ds = dataset(best)
    dups = {k: idx for k, idx in seen.items() if len(idx) > 1}
    if dups:
        zh = "；".join(
            f"{_quote(texts[i] for i in idx)}都对应“{ds.field(k).header}”" for k, idx in dups.items()
        )
        en = "; ".join(f"{' and '.join(texts[i] for i in idx)} all map to {k}" for k, idx in dups.items())
        raise UnreadableFile(f"重复的列：{zh}，请只保留一列", f"duplicate columns: {en}; keep one")
    derive = derivable(best, set(seen))
    missing = [f for f in ds.fields if f.required == "yes" and f.key not in seen and f.key not in derive]
    if missing:
        raise _missing_columns(best, missing, unknown)
    positions = {k: idx[0] for k, idx in sorted(seen.items(), key=lambda kv: kv[1][0])}
    return HeaderMatch(best, positions, unknown, derive)


def _missing_columns(ds_id: str, missing, unknown: list[str]) -> UnreadableFile:
    """The refusal of a file lacking required columns that its rows cannot give: which, and why (an earlier
    national layout such as 2016's has no such columns; 处罚类别1/处罚类别2 are one column now)."""
    names = _quote(f.header for f in missing)
    zh = (
        f"{DATASET_NAMES[ds_id]}表缺少必填列：{names}。"
        f"这些信息无法从文件中的其他列推断（早期版本的模板和部分系统导出的表没有这些列），请按现行模板增加这些列并填写后重新报送"
    )
    split = [h for h in unknown if re.fullmatch(r".*类别[12]", clean_header(h))]
    if split:
        zh += f"；{_quote(split)}请合并为一列（多个类别用“;”分隔）"
    return UnreadableFile(
        zh,
        f"{ds_id} file lacks required columns: {', '.join(f'{f.header} ({f.key})' for f in missing)};"
        " they cannot be derived from the other columns",
    )


def detect_dataset(headers: list[str]) -> tuple[str, dict[str, str]]:
    """(dataset, {field key: header as written}); raises UnreadableFile."""
    m = match_headers(headers)
    return m.dataset, {k: str(headers[i]) for k, i in m.positions.items()}


def _mapped_count(row: list[object]) -> int:
    forms = [clean_header(c) for c in row if c is not None and c != ""]
    return max(s[1] for s in _score(forms).values()) if forms else 0


def find_header(rows: list[list[object]]) -> int | None:
    """0-based index of the header row among the first rows (the most mapped cells), None if none looks like one."""
    best, best_count = None, MIN_HEADER_FIELDS - 1
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        count = _mapped_count(row)
        if count > best_count:
            best, best_count = i, count
    return best


def merge_sub_header(top: list[object], below: list[object]) -> list[object] | None:
    """A two-row header (a merged group cell such as 行政相对人代码 above sub-headers): the combined row, or None.

    The row below counts as a sub-header only when it is blank under every column the top row already maps
    and adds at least one field; a data row always has values under mapped columns.
    """
    table_all = header_aliases()
    width = max(len(top), len(below))
    top = list(top) + [None] * (width - len(top))
    below = list(below) + [None] * (width - len(below))
    known = set().union(*(t.keys() for t in table_all.values()))
    merged, added = list(top), 0
    for i, (t, b) in enumerate(zip(top, below, strict=True)):
        b_form = clean_header(b) if b not in (None, "") else ""
        if clean_header(t) in known if t not in (None, "") else False:
            if b_form:
                return None
        elif b_form in known:
            merged[i], added = b, added + 1
        elif b_form:
            return None
    return merged if added else None
