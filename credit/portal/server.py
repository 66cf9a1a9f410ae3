"""Serving the portal with uvicorn: loopback by default, behind the office's HTTPS reverse proxy, whose
X-Forwarded-For is trusted only from the proxy's own address (loopback)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI


def serve(app: FastAPI, host: str = "127.0.0.1", port: int = 8300) -> None:
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
        log_level="info",
    )
