"""Which transport the settings ask for. Apart from the interface (`credit.platform`), which both transports
import."""

from __future__ import annotations

from typing import Any

from credit.platform import Transport
from credit.platform.client import ApiClient
from credit.platform.frontdb import FrontDbTransport


def make_transport(settings: Any) -> Transport | None:
    """The transport Settings ask for: the API when CREDIT_PLATFORM_URL is set, else the 前置库 when
    CREDIT_FRONTDB_URL is set, else None (nothing is pushed; records stay queued)."""
    if getattr(settings, "platform_url", None):
        return ApiClient.from_settings(settings)
    frontdb = getattr(settings, "frontdb_url", None)
    if frontdb:
        url = frontdb.get_secret_value() if hasattr(frontdb, "get_secret_value") else str(frontdb)
        return FrontDbTransport(url)
    return None
