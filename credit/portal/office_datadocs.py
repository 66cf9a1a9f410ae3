"""The GX Data Docs site the daily run builds (`<CREDIT_HOME>/out/data_docs`, credit.steps.validate), served
behind the office's login at /office/datadocs/.

A requested path is resolved inside the site folder only: no `..` or `.` segment, no empty segment, no
backslash or NUL, no absolute path, no symbolic link anywhere below the site folder, only regular files
that exist; each served with its content type.

Its own Content-Security-Policy (only on this path; `credit.portal.security` keeps the portal's everywhere
else): GX's pages carry inline scripts and styles and load jQuery, Bootstrap and bootstrap-table from the
CDNs below. They are served *sandboxed*: `sandbox allow-scripts allow-popups` without `allow-same-origin`
runs them in an opaque origin, so a script on a Data Docs page can neither read a portal page nor send a
request with the session (SameSite cookies are not sent from an opaque origin), and the pages cannot post
forms (no `allow-forms`). Scripts and styles come only from inline code and those CDN hosts, nothing can
be fetched (`connect-src 'none'`), and no page may frame them. Without internet access the CDN files do not
load: the pages are then plain, and the site's index (a table GX fills by script) is empty, while each
validation page stays readable. GX's logo is an image on Amazon S3 (with the build time in its address):
`img-src 'self' data:` keeps it, and any other beacon, from loading. The pages are already masked
(credit.validation.gx_docs).

Every file, GX's own static/ assets included, needs an office login. A sandboxed page's requests for its
subresources carry no session cookie (it has an opaque origin), so the only one GX's pages ask for from the
site itself, the favicon, is not shown: nothing else depends on it.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

PREFIX = "/office/datadocs/"
CDN = (
    "https://cdn.jsdelivr.net https://cdnjs.cloudflare.com https://code.jquery.com https://maxcdn.bootstrapcdn.com "
    "https://stackpath.bootstrapcdn.com https://unpkg.com"
)
CSP = (
    "sandbox allow-scripts allow-popups; default-src 'none'; "
    f"script-src 'unsafe-inline' {CDN}; style-src 'self' 'unsafe-inline' {CDN}; "
    f"img-src 'self' data:; font-src 'self' data: {CDN}; connect-src 'none'; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}


def site(settings) -> Path:
    return settings.out / "data_docs"


def segments(requested: str) -> list[str] | None:
    """The path's segments, or None when it is not a plain relative path inside the site. An empty path and
    a trailing slash mean the folder's index.html."""
    if "\\" in requested or "\x00" in requested or requested.startswith("/"):
        return None
    parts = requested.split("/")
    if parts[-1] == "":
        parts[-1] = "index.html"
    if any(p in ("", ".", "..") or ":" in p for p in parts):
        return None
    return parts


def resolve(settings, requested: str) -> Path | None:
    """The file a request names inside the Data Docs site, or None (refused or not there)."""
    parts = segments(requested)
    root = site(settings)
    if parts is None or not root.is_dir():
        return None
    path = root.resolve()
    for part in parts:
        path = path / part
        if path.is_symlink():  # a link below the site folder could point anywhere: never followed
            return None
    if not path.is_file():
        return None
    real = path.resolve()
    return real if real.is_relative_to(root.resolve()) else None


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    return TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
