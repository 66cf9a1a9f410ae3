"""Input as an attack: unit codes and file names cannot leave their folders, the sandbox binds to
loopback by default and survives malformed requests. (SQL-looking values: test_hostile_files.)"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import subprocess
import sys

import pytest
import requests

from credit.collect import collect_unit
from credit.files import free_name, move_into, quarantine, safe_unit_dir
from tests.reliability import common

pytestmark = pytest.mark.reliability

BAD_UNITS = [
    "../scjgj",
    "..",
    "/etc",
    "scjgj/../..",
    "scjgj/x",
    "SCJGJ",
    "",
    "a" * 40,
    "scjgj\x00",
    "scjgj\n",
]


@pytest.mark.parametrize("unit", BAD_UNITS)
def test_unit_code_cannot_escape(settings, unit):
    with pytest.raises(ValueError, match="单位代码不合法"):
        safe_unit_dir(settings.inbox, unit)
    with pytest.raises(ValueError):
        collect_unit(settings, unit, dt.date(2026, 11, 26))
    assert not any(settings.home.parent.glob("etc*"))


def test_check_refuses_a_unit_code_that_is_a_path(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("x\n", encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "cli", "check", str(f), "--unit", "../../etc"],
        capture_output=True,
        text=True,
        cwd=common.PROJECT,
        timeout=60,
    )
    assert res.returncode not in (0, 1), res.stdout


@pytest.mark.parametrize(
    "name",
    ["../../evil.csv", "/etc/passwd", "..", ".", "a/../../b.csv", "\\..\\..\\c.csv", "长" * 200 + ".csv"],
)
def test_stored_names_stay_in_their_folder(tmp_path, name):
    folder = tmp_path / "q"
    folder.mkdir()
    target = free_name(folder, name, "deadbeef")
    assert target.parent == folder and target.name not in ("", ".", "..")
    assert len(target.name.encode()) + len(".reason.txt") <= 255
    src = tmp_path / "src.csv"
    src.write_text("x", encoding="utf-8")
    moved = quarantine(src, folder, "deadbeef", "测试原因", "test reason")
    assert moved.parent == folder and moved.with_name(moved.name + ".reason.txt").is_file()


def test_same_long_name_twice_gets_a_tag_and_never_overwrites(tmp_path):
    folder = tmp_path / "a"
    paths = []
    for i in range(3):
        src = tmp_path / ("长" * 83 + ".csv")
        src.write_text(str(i), encoding="utf-8")
        paths.append(move_into(src, folder, f"{i:08d}"))
    assert len(set(paths)) == 3 and sorted(p.read_text() for p in paths) == ["0", "1", "2"]


def test_sandbox_binds_to_loopback_by_default():
    from cli.main import build_parser
    from credit.sandbox import serve_forever, start_sandbox

    assert build_parser().parse_args(["sandbox"]).host == "127.0.0.1"
    assert serve_forever.__defaults__[0] == "127.0.0.1"
    with start_sandbox() as handle:
        assert handle._server.socket.getsockname()[0] == "127.0.0.1"
        assert handle.url.startswith("http://127.0.0.1:")


def test_sandbox_survives_malformed_requests():
    from credit.sandbox import start_sandbox

    with start_sandbox() as handle:
        raw = [
            b"GARBAGE\r\n\r\n",
            b"POST /api/v1/datasets/xzcf/batches HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
            b"POST /api/v1/datasets/xzcf/batches HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            b"POST /api/v1/datasets/xzcf/batches HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n",
            b"GET /api/v1/batches/..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\n\r\n",
            b"POST /__admin/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{bad js",
            b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
        ]
        for payload in raw:
            with socket.create_connection(("127.0.0.1", handle.port), timeout=3) as s:
                s.sendall(payload)
                with contextlib.suppress(TimeoutError, ConnectionResetError):
                    s.recv(4096)
        r = requests.post(f"{handle.url}/api/v1/datasets/xzcf/batches", data="{}", timeout=5)
        assert r.status_code == 401  # unsigned: refused, as before
        r = requests.get(f"{handle.url}/__admin/state", timeout=5)
        assert r.status_code == 200 and json.loads(r.text)["accepted_total"] == 0
