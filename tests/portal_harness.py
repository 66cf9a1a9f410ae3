"""The portal served by a real uvicorn on a free loopback port (in a thread), browsers as httpx clients
with their own cookie jars, and the accounts the portal tests use."""

from __future__ import annotations

import re
import secrets
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from credit.portal import accounts
from credit.portal.app import create_app
from credit.settings import Settings
from credit.store import session_scope
from tests.harness import free_port

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def portal_settings(home: Path, **overrides) -> Settings:
    values = {"home": home, "portal_secret": secrets.token_urlsafe(48), **overrides}
    settings = Settings(**values)
    settings.ensure_dirs()
    return settings


def add_account(settings: Settings, login: str, role: str, unit: str | None = None) -> None:
    with session_scope(settings.database_url) as db:
        accounts.add(db, login, role, unit, PASSWORD, by="test")


@contextmanager
def serve(settings: Settings, launcher=None):
    """The portal on http://127.0.0.1:<free port>, stopped afterwards; `launcher`: the office's reruns."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, launcher), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the portal did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def browser(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, follow_redirects=False, timeout=60)


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def log_in(client: httpx.Client, login: str, password: str = PASSWORD) -> httpx.Response:
    token = csrf_of(client.get("/login"))
    return client.post("/login", data={"login": login, "password": password, "csrf": token})


def logged_in(url: str, login: str) -> httpx.Client:
    client = browser(url)
    answer = log_in(client, login)
    assert answer.status_code == 303, answer.text
    return client
