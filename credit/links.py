"""Absolute links to the portal's pages (issue #17 item 5), for what the office and the units read outside
the portal: alerts, robot messages, Prefect artifacts. The paths are docs' fixed list (the portal's
routes serve them); the base is `CREDIT_PORTAL_URL` (`settings.portal_url`), with any path prefix the
reverse proxy adds. No URL set: `portal_links()` is None and the messages keep naming files.

Pure Python: credit.alerts imports it without the web stack (FastAPI, Starlette, Jinja2).
Each variable part is percent-encoded as one path segment (or query value), dates and months in ISO form;
the result holds no space, quote, bracket or parenthesis, so it is one token in a text message and a
Markdown link target as it stands."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from credit.settings import Settings

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_UNSAFE = re.compile(r"[\s\"'<>()\[\]`\\]")


class PortalUrlError(ValueError):
    """CREDIT_PORTAL_URL is not an http(s) address (the Chinese reason)."""


def _segment(value: str) -> str:
    """One path segment: `/`, `?`, `#`, `..` and everything not plain ASCII percent-encoded."""
    text = str(value)
    if text in ("", ".", ".."):
        raise ValueError(f"not a path segment: {text!r}")
    return quote(text, safe="")


def _day(value: dt.date | str) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return (value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))).isoformat()


def _month(value: str | dt.date) -> str:
    text = f"{value.year:04d}-{value.month:02d}" if isinstance(value, dt.date) else str(value)
    if not MONTH.fullmatch(text):
        raise ValueError(f"not a month YYYY-MM: {text!r}")
    return text


@dataclass(frozen=True)
class PortalLinks:
    """The portal's pages as absolute URLs under `base` (no trailing slash)."""

    base: str

    def page(self, path: str) -> str:
        return self.base + path

    # --- office (operators, admins) ---
    def day(self, day: dt.date | str) -> str:
        """Every unit's day."""
        return self.page(f"/office?day={_day(day)}")

    def unit_day(self, unit: str, day: dt.date | str) -> str:
        return self.page(f"/office/units/{_segment(unit)}?day={_day(day)}")

    def unit_feedback(self, unit: str, day: dt.date | str) -> str:
        """The office's (masked) copy of a unit's 问题数据 workbook of a day."""
        return self.page(f"/office/units/{_segment(unit)}/feedback/{_day(day)}")

    def quarantine(self, day: dt.date | str) -> str:
        return self.page(f"/office/quarantine?day={_day(day)}")

    def month(self, month: str | dt.date) -> str:
        return self.page(f"/office/month/{_month(month)}")

    def bulletins(self) -> str:
        return self.page("/office/bulletins")

    def bulletin(self, month: str | dt.date, kind: str) -> str:
        """A month's bulletin to download, `kind` "docx" or "pdf"."""
        if kind not in ("docx", "pdf"):
            raise ValueError(f"a bulletin is docx or pdf, not {kind!r}")
        return self.page(f"/office/bulletins/{_month(month)}.{kind}")

    def datadocs(self, page: str = "index.html") -> str:
        """A page of the Data Docs site, `page` relative to its root (forward slashes)."""
        parts = [p for p in page.split("/") if p]
        return self.page("/office/datadocs/" + "/".join(_segment(p) for p in parts))

    def reruns(self) -> str:
        return self.page("/office/reruns")

    # --- a clerk (always the logged-in account's own unit: no unit in these paths) ---
    def clerk_home(self) -> str:
        return self.page("/unit")

    def clerk_history(self) -> str:
        return self.page("/unit/history")

    def clerk_duties(self) -> str:
        return self.page("/unit/duties")

    def clerk_feedback(self, day: dt.date | str) -> str:
        return self.page(f"/unit/feedback/{_day(day)}")

    def clerk_numbers(self, month: str | dt.date) -> str:
        return self.page(f"/unit/numbers?month={_month(month)}")


def check_base(url: str) -> str:
    """`CREDIT_PORTAL_URL` as the base of every link: http(s), a host, no query or fragment, no character
    that would end a link in a text message or Markdown; the trailing slash dropped."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or _UNSAFE.search(text)
    ):
        raise PortalUrlError(
            "CREDIT_PORTAL_URL 应为门户的 http(s) 网址（如 https://credit.example.gov.cn），"
            "不含空格、引号、括号、查询参数或 # 片段"
        )
    return text.rstrip("/")


def portal_links(settings: Settings) -> PortalLinks | None:
    """The links under `CREDIT_PORTAL_URL`; None when it is not set (messages then name files)."""
    if not settings.portal_url or not settings.portal_url.strip():
        return None
    return PortalLinks(check_base(settings.portal_url))
