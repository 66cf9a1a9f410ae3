"""Two ASGI middlewares every response passes: the security headers (a CSP without inline scripts, no
framing, no sniffing, no caching of pages, which carry personal data) and a cap on a request's body, so an
upload larger than the limits is refused while it arrives, not after it fills the disk."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
STATIC_PREFIX = "/static/"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https: bool = False, policies: dict[str, str] | None = None) -> None:
        self.app = app
        self.https = https
        # Another CSP for the paths under these prefixes only (the Data Docs site, credit.portal.office_datadocs).
        self.policies = {prefix: csp.encode() for prefix, csp in (policies or {}).items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith(STATIC_PREFIX)
        policy = next((p for prefix, p in self.policies.items() if scope["path"].startswith(prefix)), None)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                headers += HEADERS if policy is None else _with_csp(policy)
                # Pages show units' data and people's names: never kept by a browser or a proxy.
                headers.append((b"cache-control", b"private, max-age=3600" if static else b"no-store"))
                if self.https:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _with_csp(policy: bytes) -> list[tuple[bytes, bytes]]:
    return [(k, policy if k == b"content-security-policy" else v) for k, v in HEADERS]


class _TooLarge(HTTPException):
    """An HTTPException, so that the form parser lets it through as a 413 (FastAPI turns others into 400)."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodyLimit:
    """Refuse (413) a request whose body exceeds `limit` bytes, by its Content-Length or as it streams."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await _refuse(send)
                return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _refuse(send)


async def _refuse(send: Send) -> None:
    body = "上传内容过大，已拒收。".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *HEADERS,
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
