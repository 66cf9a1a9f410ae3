"""Screenshots of the portal on the demo's data, for a person to look at and for the README: what the demo's
operator and one of its clerks see, page by page.

    make demo                                                  # prepares CREDIT_HOME and the demo accounts
    .venv/bin/python scripts/screenshot_portal.py [OUT_DIR]    # default: $CREDIT_HOME/out/screenshots/portal

Reads the settings as `credit demo` did (CREDIT_HOME from the environment or .env) and the demo's accounts
from `$CREDIT_HOME/portal/demo.json` (samples/demo_portal.py); serves the portal on a free loopback port in
this process and drives headless Chromium (Debian's, through Playwright). A page the portal does not serve
(yet), or a download rather than a page, is skipped and said so. Only the screenshot folder changes (and the
audit log gets the logins)."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright
from pydantic import SecretStr

from credit.portal.app import create_app
from credit.settings import load_settings
from samples.demo_portal import OPERATOR

CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), None)
SIZE = {"width": 1400, "height": 1000}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(settings) -> tuple[uvicorn.Server, str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the portal did not start")
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def pages(day: str, month: str, unit: str) -> dict[str, list[tuple[str, str]]]:
    """(file name, path) per role, in the order a person walks through them."""
    return {
        "operator": [
            ("office-day", f"/office?day={day}"),
            ("office-unit", f"/office/units/{unit}?day={day}"),
            ("office-month", f"/office/month/{month}"),
            ("office-quarantine", f"/office/quarantine?day={day}"),
            ("office-bulletins", "/office/bulletins"),
            ("office-datadocs", "/office/datadocs/index.html"),
            ("office-reruns", "/office/reruns"),
        ],
        "clerk": [
            ("unit-home", "/unit"),
            ("unit-history", "/unit/history"),
            ("unit-numbers", f"/unit/numbers?month={month}"),
            ("unit-duties", "/unit/duties"),
        ],
    }


def shoot(
    browser, url: str, login: str, password: str, wanted: list[tuple[str, str]], out: Path
) -> list[Path]:
    context = browser.new_context(viewport=SIZE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/login" in page.url:
        raise SystemExit(f"{login} could not log in: run the demo again (it sets the printed passwords)")
    saved = []
    for name, path in wanted:
        probe = context.request.get(url + path)  # the session's cookie, without following a download
        kind = probe.headers.get("content-type", "")
        if probe.status != 200 or not kind.startswith("text/html"):
            print(f"skipped {path}: {probe.status} {kind}", file=sys.stderr)
            continue
        page.goto(url + path)
        target = out / f"{name}.png"
        page.screenshot(path=target, full_page=True)
        saved.append(target)
    context.close()
    return saved


def main(out: Path | None) -> None:
    settings = load_settings()
    kept_path = settings.home / "portal" / "demo.json"
    if not kept_path.is_file():
        raise SystemExit(f"no demo accounts in {kept_path}: run `make demo` (or `credit demo`) first")
    kept = json.loads(kept_path.read_text(encoding="utf-8"))
    if settings.portal_secret is None:
        settings = settings.model_copy(update={"portal_secret": SecretStr(kept["portal_secret"])})
    days = sorted(p.name for p in (settings.out / "daily").glob("????-??-??") if p.is_dir())
    if not days:
        raise SystemExit(f"no day in {settings.out / 'daily'}: run the demo first")
    day, passwords = days[-1], kept["passwords"]
    clerk = next(login for login in passwords if login != OPERATOR)
    unit = clerk.removeprefix("demo_")
    out = out or settings.out / "screenshots" / "portal"
    out.mkdir(parents=True, exist_ok=True)
    wanted = pages(day, day[:7], unit)
    server, url = serve(settings)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--lang=zh-CN"])
            shots = shoot(browser, url, OPERATOR, passwords[OPERATOR], wanted["operator"], out)
            shots += shoot(browser, url, clerk, passwords[clerk], wanted["clerk"], out)
            browser.close()
    finally:
        server.should_exit = True
    for shot in shots:
        print(shot)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
