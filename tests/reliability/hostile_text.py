"""The one list of hostile strings every human output is tried with (issue 13 §3), and what "shown safely"
means for each output kind. The checks look at the outputs only (they never call credit.escape)."""

from __future__ import annotations

import html.parser
import re
import unicodedata

# name -> string. Markup, spreadsheet formulas, Markdown, terminal and log control, an ID number four ways.
HOSTILE: dict[str, str] = {
    "script": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(1)>",
    "hyperlink": '=HYPERLINK("http://x","y")',
    "plus": "+1+1",
    "at": "@SUM(A1)",
    "minus": "-2+3",
    "md_link": "[x](javascript:alert(1))",
    "md_bold": "**bold**",
    "md_pipes": "| a | b |",
    "md_code": "`rm -rf`",
    "ansi": "\x1b[31mred\x1b[0m",
    "crlf": "ok\r\n2026-11-26 18:00:00 INFO forged line",
    "nul_bel": "a\x00b\x07c",
    "rtl": "abc\u202egnp.exe",
    "id_plain": "440882199001011234",
    "id_spaces": "440882 1990 0101 1234",
    "id_hyphens": "440882-19900101-1234",
    "id_fullwidth": "４４０８８２１９９００１０１１２３４",
}
ID_FORMS = [HOSTILE[k] for k in ("id_plain", "id_spaces", "id_hyphens", "id_fullwidth")]
ID_MASKED = "440882********1234"
FORGED = "INFO forged line"

# A file name can hold anything but "/" and NUL.
FILE_NAME = (
    "\x1b[31m<img src=x onerror=alert(1)>\r\n2026-11-26 18:00:00 INFO forged line 440882 1990 0101 1234"
)

CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CONTROLS_OR_LINE_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def full_ids_in(text: str) -> list[str]:
    """The hostile ID number found in `text` in any written form (spaces, hyphens, full-width digits)."""
    found = [form for form in ID_FORMS if form in text]
    if "440882199001011234" in re.sub(r"[\s\-\u3000]", "", unicodedata.normalize("NFKC", text)):
        found.append("its digits")
    return found


def assert_masked(where: str, text: str) -> None:
    leaks = full_ids_in(text)
    assert not leaks, f"an ID number in full in {where}: {leaks}"


class _Page(html.parser.HTMLParser):
    """Live elements of an HTML page: scripts with their text, elements with event handlers, images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.images: list[dict] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append((tag, f"{name}={value}"))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def parse_page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def assert_no_live_markup(where: str, page: _Page) -> None:
    from_data = [h for h in page.handlers if "alert(" in h[1]]  # GX's own pages have onclick handlers
    assert not from_data, f"{where}: event handler attributes from the data {from_data[:3]}"
    assert not [s for s in page.scripts if "alert(" in s], f"{where}: a script from the data runs"
    assert not [i for i in page.images if i.get("src") == "x"], f"{where}: an image from the data"


def rendered_markdown(text: str) -> str:
    """Markdown rendered to HTML (CommonMark, as the Prefect UI renders artifacts)."""
    import mistune

    return mistune.create_markdown(escape=False, plugins=["table", "strikethrough", "url"])(text)


def assert_markdown_is_text(where: str, source: str) -> None:
    """Rendered, a Markdown text made of escaped values holds no element from the data."""
    out = rendered_markdown(source)
    for tag in ("<script", "<img", "<a ", "<code", "<table", "<em", "<del"):
        assert tag not in out, f"{where}: {tag}… rendered from the data:\n{out[:2000]}"
    page = parse_page(out)
    assert_no_live_markup(where, page)
    strong = re.findall(r"<strong>(.*?)</strong>", out)
    assert all("bold" not in s for s in strong), f"{where}: **bold** rendered as emphasis"
