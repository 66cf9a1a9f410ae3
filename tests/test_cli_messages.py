"""What the command line tells a person: why nothing was generated, where the sandbox listens and with which
demo credentials."""

from __future__ import annotations

import os
import subprocess
import time

import requests

from cli.main import main
from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET
from tests.harness import BIN, PROJECT


def test_generate_counts_working_days_and_says_why_on_a_rest_day(home, capsys):
    # Saturday 2026-12-05: no unit reports on it; the two working days before it are generated.
    assert main(["generate", "--date", "2026-12-05", "--days", "2"]) == 0
    out = capsys.readouterr().out
    assert "2026-12-05 是休息日" in out
    assert "2026-12-03：" in out and "2026-12-04：" in out
    assert sorted(p.stem for p in (home / "generated").glob("*.json")) == ["2026-12-03", "2026-12-04"]


def test_generate_refuses_a_count_that_is_not_positive(home, capsys):
    assert main(["generate", "--date", "2026-12-04", "--days", "0"]) == 2
    assert "正整数" in capsys.readouterr().err


def test_sandbox_prints_its_url_and_the_demo_credentials(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_")}
    env["CREDIT_HOME"] = str(tmp_path)
    proc = subprocess.Popen(
        [str(BIN / "credit"), "sandbox", "--port", "0"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        assert first.startswith("信用湛江模拟接口已启动：http://127.0.0.1:")
        url = first.split("：", 1)[1].strip()
        lines = [proc.stdout.readline() for _ in range(5)]
        assert f"CREDIT_PLATFORM_APP_KEY={DEMO_APP_KEY}\n" in [line.lstrip() for line in lines]
        assert f"CREDIT_PLATFORM_APP_SECRET={DEMO_APP_SECRET}\n" in [line.lstrip() for line in lines]
        deadline = time.monotonic() + 10
        while True:  # it really listens there
            try:
                requests.get(f"{url}/api/v1/batches/none", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
