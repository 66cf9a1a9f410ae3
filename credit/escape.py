"""One escaping rule per output kind: whatever a unit sent (values, file names, sheet names, document numbers)
is shown to people as text, never as markup, a formula, a terminal command or a second log line.

Every rule masks ID numbers first (docs/standard.md §7, `credit.masking.mask_ids`) and then makes
invisible characters visible: C0 controls as their Control Pictures (ESC as ␛, LF as ␊), DEL as ␡, C1
controls, bidirectional overrides and isolates, line and paragraph separators and lone surrogates (bytes of
an undecodable file name) as `[U+202E]`. Then, per kind:

- `html`: `&`, `<`, `>`, `"` and `'` as entities (Data Docs, any HTML page).
- `markdown`: every ASCII punctuation character backslash-escaped, so that nothing is a link, an image,
  emphasis, a heading, a list, a table or raw HTML (Prefect markdown artifacts; the cells of table artifacts,
  which the Prefect UI renders as Markdown; any .md written).
- `xlsx_cell` / `xlsx_row`: a string is always a string cell (openpyxl's explicit data type `s`: never a
  formula), shown with a quote prefix when it starts with = + - @ or a tab or CR; line feeds and tabs inside
  a cell are kept (wrapped text).
- `log_line`: nothing but the visible characters, so that one event is one line (the logging record factory
  installed by `escape_log_records` applies it to every record of the project's loggers, tracebacks' exception
  lines included).
- `document`: docx/pdf text, taken literally (never Markdown or HTML); controls as `[U+0007]`, which every
  font can draw and an XML part can hold.
- `terminal` / `terminal_json`: command-line output, line by line as a log line; JSON keeps its values
  exact but escapes every control and format character (`\\u001b`, `\\u202e`).

Masking can be left out only for the 问题数据 workbook's own cell values (`xlsx_cell(..., mask_ids=False)`):
docs/standard.md §7 lets the unit that sent them get them back as sent.
"""

from __future__ import annotations

import html as _html
import logging
import re
import traceback
from collections.abc import Iterable
from typing import Any

# Characters never shown as they are: C0 and C1 controls, DEL, bidirectional formatting (they reorder what
# follows: `invoice[U+202E]fdp.exe`), the Unicode line and paragraph separators, lone surrogates.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
_INVISIBLE_IN_CELL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character (CommonMark)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _picture(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"[U+{code:04X}]"


def _code_point(ch: str) -> str:
    return f"[U+{ord(ch):04X}]"


def _text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


# credit.masking.mask_ids, imported on first use: it imports numpy and pyarrow (credit.identifiers, ≈ 0.26 s)
# and every `import credit` imports this module (the log record factory). Kept here after the first call: an
# import statement per call costs ≈ 2 µs, ten times the masking of a short value.
_mask_ids = None


def mask(value: Any) -> str:
    """ID numbers masked, nothing else changed."""
    global _mask_ids
    if _mask_ids is None:
        from credit.masking import mask_ids

        _mask_ids = mask_ids
    return _mask_ids(_text(value))


def visible(value: Any) -> str:
    """Invisible characters made visible (no masking)."""
    return _INVISIBLE.sub(lambda m: _picture(m.group(0)), _text(value))


def log_line(value: Any) -> str:
    """One log line (also one line of terminal output): masked, every control character visible."""
    return visible(mask(value))


def html(value: Any, *, mask_ids: bool = True) -> str:
    """Text for an HTML page (`mask_ids=False`: the caller masked it already, per field)."""
    return _html.escape(visible(mask(value) if mask_ids else value), quote=True)


def markdown(value: Any) -> str:
    """Text inside Markdown, shown literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", visible(mask(value)))


def markdown_table(rows: Iterable[dict]) -> list[dict]:
    """A table artifact's rows: headers and string cells as Markdown text; numbers kept as numbers."""
    return [{markdown(k): markdown(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]


def document(value: Any) -> str:
    """Text for a docx or pdf document, taken literally."""
    return _INVISIBLE.sub(lambda m: _code_point(m.group(0)), mask(value))


def xlsx_text(value: Any, *, mask_ids: bool = True) -> str:
    """A string as a worksheet cell holds it: line feeds and tabs kept, other controls visible."""
    text = mask(value) if mask_ids else _text(value)
    return _INVISIBLE_IN_CELL.sub(lambda m: _picture(m.group(0)), text)


def xlsx_cell(ws, row: int, column: int, value: Any, *, mask_ids: bool = True):
    """Write `value` into a worksheet cell: a string as text, never as a formula (numbers stay numbers)."""
    cell = ws.cell(row=row, column=column)
    _put(cell, value, mask_ids)
    return cell


def xlsx_row(ws, values: Iterable[Any], *, mask_ids: bool = True) -> list:
    """Cells for `ws.append(...)` (openpyxl appends Cell objects as they are): strings as text."""
    from openpyxl.cell.cell import Cell

    cells = []
    for value in values:
        cell = Cell(ws)
        _put(cell, value, mask_ids)
        cells.append(cell)
    return cells


def _put(cell, value: Any, mask_ids: bool) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        cell.value = value
        return
    text = xlsx_text(value, mask_ids=mask_ids)
    cell.value = text
    cell.data_type = "s"  # openpyxl would store "=…" as a formula
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True  # Excel shows it, and keeps it on editing, as text


def each_string(obj: Any, rule) -> Any:
    """A JSON-like document with `rule` applied to every string value in it (keys and other values as they
    are): how a rule of this module reaches a payload or a printed document."""
    if isinstance(obj, str):
        return rule(obj)
    if isinstance(obj, dict):
        return {k: each_string(v, rule) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [each_string(v, rule) for v in obj]
    return obj


def terminal(text: Any) -> str:
    """Command-line output: each line escaped as a log line (the line breaks we put there are kept)."""
    return "\n".join(log_line(line) for line in _text(text).split("\n"))


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def terminal_json(text: str) -> str:
    """JSON text (json.dumps with ensure_ascii=False) with the control and format characters JSON leaves
    raw escaped as \\uXXXX: the same values when parsed, nothing a terminal acts on."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


# --- logs ---------------------------------------------------------------------------------------------------

_log_prefixes: set[str] = set()
_installed = False


def escape_log_records(*prefixes: str) -> None:
    """Apply `log_line` to every log record of the loggers named `prefix` or `prefix.*`: its message, and the
    exception lines of its traceback (the frames are our own code). Installed through logging's LogRecord
    factory, which wraps (and keeps) any factory set before; idempotent."""
    global _installed
    _log_prefixes.update(prefixes)
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(name, *args, **kwargs):
        record = previous(name, *args, **kwargs)
        if name in _log_prefixes or name.startswith(tuple(p + "." for p in _log_prefixes)):
            _escape_record(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def _escape_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call (args not matching the format): show what was given
        message = f"{record.msg} {record.args}"
    record.msg, record.args = log_line(message), None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        record.exc_text = _traceback_text(record.exc_info[1])


def _traceback_text(exc: BaseException) -> str:
    """The traceback as logging formats it, each exception's own line(s) escaped into one line."""
    te = traceback.TracebackException.from_exception(exc)
    text = "".join(te.format()).rstrip("\n")
    seen: set[int] = set()
    while te is not None and id(te) not in seen:
        seen.add(id(te))
        raw = "".join(te.format_exception_only()).rstrip("\n")
        if raw:
            text = text.replace(raw, log_line(raw))
        te = te.__cause__ or (None if te.__suppress_context__ else te.__context__)
    return text
