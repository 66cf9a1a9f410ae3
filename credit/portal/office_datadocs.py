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
load: the pages are then plain but still readable. The pages are already masked (credit.validation.gx_docs).

The site's `static/` folder holds GX's own style sheets, images and fonts (no data): a sandboxed page asks
for them without the session cookie, so those few file types are served from that folder without a login.
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
# What GX keeps in the site's static/ folder (served without the session: see above).
PUBLIC_STATIC = {".css", ".svg", ".png", ".gif", ".ico", ".woff", ".woff2", ".ttf", ".otf"}


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


def public_static(requested: str) -> bool:
    """A GX asset of the site's static/ folder a sandboxed page loads without the session."""
    parts = segments(requested)
    return bool(parts) and parts[0] == "static" and Path(parts[-1]).suffix.lower() in PUBLIC_STATIC


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    return TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
