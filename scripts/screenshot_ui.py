"""Screenshots of what an operator sees in the Prefect UI, for a person to look at: the daily deployment's
custom-run form and, after one generated day has run, that run's artifacts.

    .venv/bin/python scripts/screenshot_ui.py [OUT_DIR]      # default: var/out/screenshots

Starts its own Prefect server on a free loopback port with a temporary PREFECT_HOME and CREDIT_HOME, deploys
with `credit deploy`, runs one day of three units against it in this process, and drives headless Chromium
(Debian's `chromium`, installed by scripts/setup-system.sh). Nothing outside the temporary folders changes.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DAY = dt.date(2026, 11, 26)
UNITS = ["scjgj", "gaj", "leicheng"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def screenshot(url: str, target: Path, size: str = "1400,1100") -> Path:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("chromium is missing: run scripts/setup-system.sh as root")
    subprocess.run(
        [
            browser,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--run-all-compositor-stages-before-draw",
            "--lang=zh-CN",
            f"--window-size={size}",
            "--virtual-time-budget=40000",
            f"--screenshot={target}",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return target


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="credit-ui-"))
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CREDIT_"))}
    env.update(
        PREFECT_HOME=str(tmp / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_API_URL=api,  # the browser asks the API where the server says it is
        DO_NOT_TRACK="1",
        GX_ANALYTICS_ENABLED="false",
        CREDIT_HOME=str(tmp / "home"),
    )
    log = open(tmp / "server.log", "wb")  # noqa: SIM115  (lives as long as the server)
    server = subprocess.Popen(
        [
            str(BIN / "prefect"),
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--analytics-off",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"{api}/health", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the Prefect server did not start; see {tmp / 'server.log'}")
            time.sleep(1)
        env["PREFECT_API_URL"] = api
        subprocess.run([str(BIN / "credit"), "deploy"], env=env, check=True, capture_output=True)
        run = subprocess.run(
            [sys.executable, "-c", _RUN_DAY],
            env=env,
            cwd=PROJECT,
            check=True,
            capture_output=True,
            text=True,
        )
        flow_run_id = run.stdout.strip().splitlines()[-1]
        deployment = requests.get(f"{api}/deployments/name/daily-pipeline/daily", timeout=10).json()["id"]
        ui = f"http://127.0.0.1:{port}"
        artifacts = requests.post(
            f"{api}/artifacts/filter",
            json={"flow_runs": {"id": {"any_": [flow_run_id]}}},
            timeout=10,
        ).json()
        shots = [
            screenshot(f"{ui}/deployments/deployment/{deployment}/run", out / "custom-run-form.png"),
            screenshot(f"{ui}/runs/flow-run/{flow_run_id}", out / "run-logs.png", "1400,1600"),
        ]
        shots += [
            screenshot(f"{ui}/artifacts/artifact/{a['id']}", out / f"artifact-{a['key']}.png", "1400,1600")
            for a in artifacts
            if a.get("key")
        ]
        for shot in shots:
            print(shot)
    finally:
        os.killpg(server.pid, 15)
        server.wait(30)
        log.close()


_RUN_DAY = f"""
import datetime as dt
from samples.generator import generate_day
from credit.settings import load_settings
from flows.daily import daily_pipeline
s = load_settings(); s.ensure_dirs()
generate_day(s.home, dt.date.fromisoformat("{DAY.isoformat()}"), units={UNITS!r}, seed=7, defect_rate=0.2)
state = daily_pipeline(report_date=dt.date.fromisoformat("{DAY.isoformat()}"), units={UNITS!r}, return_state=True)
print(state.state_details.flow_run_id)
"""


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT / "var" / "out" / "screenshots")
