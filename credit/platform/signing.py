"""Request signing for the 信用湛江 endpoint (docs/contracts.md, "The 信用湛江 endpoint").

X-Signature = hex HMAC-SHA256(app secret, "METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODYHASH") where PATH is the
path as sent without the query string, TIMESTAMP Unix milliseconds, NONCE random and single use, and
BODYHASH hex SHA-256 of the body bytes. The contract says "an empty body hashes as the empty string":
read to the letter, the hash of an empty body is "" (not hex SHA-256 of b"", e3b0c442…). That reading is
isolated in `body_hash` so it changes in one place if the real platform reads it otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import urlsplit

EMPTY_BODY_HASH = ""


def body_hash(body: bytes | None) -> str:
    """hex SHA-256 of the body; the empty string for an empty (or absent) body."""
    if not body:
        return EMPTY_BODY_HASH
    return hashlib.sha256(body).hexdigest()


def request_path(url_or_path: str) -> str:
    """The path as sent, without the query string (and without scheme/host if a URL is given)."""
    path = urlsplit(url_or_path).path if "://" in url_or_path else url_or_path.split("?", 1)[0]
    return path or "/"


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes | None) -> str:
    return "\n".join((method.upper(), request_path(path), str(timestamp), nonce, body_hash(body)))


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes | None) -> str:
    message = string_to_sign(method, path, timestamp, nonce, body).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def new_nonce() -> str:
    return secrets.token_hex(16)


def signed_headers(
    app_key: str,
    secret: str,
    method: str,
    path: str,
    body: bytes | None,
    *,
    timestamp_ms: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four auth headers for one attempt (a retry must call this again: fresh nonce and time)."""
    ts = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    nonce = nonce or new_nonce()
    return {
        "X-App-Key": app_key,
        "X-Timestamp": ts,
        "X-Nonce": nonce,
        "X-Signature": signature(secret, method, path, ts, nonce, body),
    }
