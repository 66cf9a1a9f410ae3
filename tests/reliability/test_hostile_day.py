"""No file can stop the day for other units (issue 13 §2).

A hostile file in one unit's inbox beside its good files, through the real day (collect → validate → push to the
sandbox → statistics, `tests.reliability.driver.run_day`): no step fails, the file is quarantined with its reason
in Chinese and English, `stats.json`, the records stored and every record the platform publishes are exactly
those of the run without it (the `clean` fixture), no file is lost, and memory (this process and its reader
processes) stays bounded. `credit check` (the real command) exits 2 on each. And each file is really hostile:
python_calamine, run on it in a subprocess with no guard, aborts, panics or never ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from credit.sandbox import start_sandbox
from tests.reliability import common, hostile
from tests.reliability.driver import run_day

pytestmark = pytest.mark.reliability

UNIT = "scjgj"
CLASSES = [*hostile.NATIVE_KINDS, "wide_csv_100mib_no_header", "wide_csv_100mib_revocation_list"]
RSS_BUDGET = 1536 << 20


class TreeRSS:
    """Peak RSS of this process and all its descendants (the fork server and its reader children)."""

    def __init__(self, every: float = 0.01):
        self.proc = psutil.Process()
        self.every = every

    def _now(self) -> int:
        total = self.proc.memory_info().rss
        for child in self.proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # it ended meanwhile
                total += child.memory_info().rss
        return total

    def __enter__(self):
        self.base = self.peak = self._now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._now())
            time.sleep(self.every)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.base


def _build(kind: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return hostile.KINDS[kind][2](folder)


def _same_as_clean(result: dict, clean: dict, extra_files: int) -> None:
    for key in ("stats", "held", "accepted", "valid", "push_states", "records", "versions"):
        assert result[key] == clean[key], key
    assert result["files"] == clean["files"] + extra_files, "a file was lost or duplicated"


@pytest.mark.parametrize("kind", CLASSES)
def test_the_day_goes_on_around_a_hostile_file(template, clean, tmp_path, kind):
    home = common.new_home(template, tmp_path / "home")
    with start_sandbox(app_key=common.KEY, app_secret=common.SECRET) as sandbox:
        settings = common.make_settings(home, sandbox.url)
        path = _build(kind, settings.inbox / UNIT)
        with TreeRSS() as rss:
            out = run_day(settings, common.DAY, common.UNITS)
        assert out["errors"] == []
        result = common.summary(settings, sandbox)
    assert out["collect"][UNIT]["files"].get("quarantined") == 1, out["collect"][UNIT]
    _same_as_clean(result, clean, extra_files=1)
    [kept] = [p for p in (settings.quarantine / UNIT).rglob("*") if p.name == path.name]
    zh, en = Path(f"{kept}.reason.txt").read_text(encoding="utf-8").splitlines()[:2]
    assert zh.startswith("原因：") and en.startswith("Reason: ") and re.search("[a-z]{4,} [a-z]{2,}", en)
    assert hostile.KINDS[kind][1] in zh, zh
    assert rss.growth < RSS_BUDGET, f"peak RSS of the run and its readers grew by {rss.growth >> 20} MiB"


def test_a_linked_unit_folder_is_not_followed(template, clean, tmp_path):
    """inbox/gaj is a symbolic link to a folder elsewhere holding a delivery: nothing there is read or moved,
    and the day is what it is without it."""
    home = common.new_home(template, tmp_path / "home")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    source = next((template / "inbox" / UNIT).glob("*.csv"))
    shutil.copy(source, elsewhere / source.name)
    with start_sandbox(app_key=common.KEY, app_secret=common.SECRET) as sandbox:
        settings = common.make_settings(home, sandbox.url)
        os.symlink(elsewhere, settings.inbox / "gaj")
        out = run_day(settings, common.DAY, [*common.UNITS, "gaj"])
        assert out["errors"] == []
        result = common.summary(settings, sandbox)
    assert out["collect"]["gaj"]["files"] == {"skipped": 1}
    assert [p.name for p in elsewhere.iterdir()] == [source.name]
    assert (elsewhere / source.name).read_bytes() == source.read_bytes()
    assert not (settings.archive / "gaj").exists() and not (settings.quarantine / "gaj").exists()
    _same_as_clean(result, clean, extra_files=0)


def test_a_linked_archive_folder_moves_nothing_out_of_the_tree(settings, tmp_path):
    from credit.collect import collect_unit
    from tests.rows import write_csv

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    settings.archive.mkdir(parents=True, exist_ok=True)
    os.symlink(elsewhere, settings.archive / UNIT)
    path = write_csv(settings.inbox / UNIT / "good.csv", hostile.rows(2))
    [f] = collect_unit(settings, UNIT, common.DAY).files
    assert f.outcome == "skipped" and "LinkedFolder" in f.reason
    assert path.exists() and list(elsewhere.iterdir()) == []


def _check(path: Path, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_")}
    env.update(CREDIT_HOME=str(home), PYTHONPATH=str(common.PROJECT), GX_ANALYTICS_ENABLED="false")
    return subprocess.run(
        [sys.executable, "-m", "cli", "check", str(path), "--unit", UNIT, "--json"],
        cwd=common.PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("kind", CLASSES)
def test_credit_check_exits_2(tmp_path, kind):
    path = _build(kind, tmp_path / "files")
    proc = _check(path, tmp_path / "home")
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-1000:], proc.stderr[-3000:])
    error = json.loads(proc.stdout)["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["zh"]) and re.search(
        "[a-z]{4,} [a-z]{2,}", error["en"]
    ), error
    if kind in hostile.NATIVE_KINDS:  # the same reason the pipeline gives (a 撤销清单 is a pipeline matter)
        assert hostile.KINDS[kind][1] in error["zh"], error


# What python_calamine 0.9.1 does with the file when nothing stands in front of it.
NATIVE = {
    "shared_strings_count_1e11_xlsx": "abort",
    "shared_strings_count_u64_max_xlsx": "panic",
    "xls_dimensions_4g_rows": "abort",
    "xls_cell_at_column_65535": "abort",
    "xls_empty_bof_record_panic": "panic",
    "xls_difat_chain_loop": "no end",
    "far_cell_zip_behind_a_prefix_xlsx": "abort",
    "far_cell_main_document_outside_xl": "abort",
    "far_cell_backslash_part_name_xlsx": "abort",
}
_UNGUARDED = """
import io, sys, python_calamine
try:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(open(sys.argv[1], "rb").read()))
    book.get_sheet_by_index(0).to_python()
    print("read")
except Exception as exc:
    print("error", type(exc).__name__)
except BaseException as exc:
    print("escaped", type(exc).__name__)
"""


@pytest.mark.parametrize("kind", list(NATIVE))
def test_the_file_is_hostile_to_the_native_reader(tmp_path, kind):
    path = _build(kind, tmp_path)
    env = {"PATH": os.environ.get("PATH", ""), "RUST_BACKTRACE": "0"}
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _UNGUARDED, str(path)], env=env, capture_output=True, text=True, timeout=10
        )
    except subprocess.TimeoutExpired:
        assert NATIVE[kind] == "no end"
        return
    if NATIVE[kind] == "abort":
        assert proc.returncode == -signal.SIGABRT, (proc.returncode, proc.stdout, proc.stderr[-500:])
    else:
        assert proc.stdout.split() == ["escaped", "PanicException"], (proc.returncode, proc.stdout)
