"""The reader child contains what native code does to it: a real abort and a real panic of python_calamine on
files no guard looked at, memory beyond the child's limit, a parse that never ends, a reader bug. Each becomes an
UnreadableFile with a Chinese and English reason; this process goes on, and the next file is read."""

from __future__ import annotations

import os
import time

import pytest

from credit.readers import UnreadableFile, contained, read_unit_file
from tests.reliability import crashers, hostile
from tests.rows import write_csv

pytestmark = pytest.mark.reliability


def _refused(fn, *args, **limits) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as refused:
        contained.run_contained(fn, *args, **limits)
    exc = refused.value
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.reason_zh) and "the" in exc.reason_en.lower(), exc
    return exc


def test_an_abort_of_native_code_is_contained(tmp_path):
    path = tmp_path / "声明计数.xlsx"
    path.write_bytes(hostile.shared_strings_xlsx(10**11))  # calamine: "memory allocation … failed", abort
    exc = _refused(crashers.calamine_unguarded, str(path))
    assert "异常退出" in exc.reason_zh and "SIGABRT" in exc.reason_en


def test_a_panic_of_native_code_is_contained(tmp_path):
    path = tmp_path / "panic.xls"
    path.write_bytes(hostile.xls_empty_bof())  # pyo3_runtime.PanicException: a BaseException
    exc = _refused(crashers.calamine_unguarded, str(path))
    assert "读取程序内部错误" in exc.reason_zh and "PanicException" in exc.reason_en


def test_memory_beyond_the_limit_is_refused_in_the_child():
    exc = _refused(crashers.allocate, 4, memory=1 << 30)
    assert "内存" in exc.reason_zh


def test_a_parse_that_never_ends_is_stopped():
    started = time.monotonic()
    exc = _refused(crashers.never_ends, seconds=2)
    assert "超时" in exc.reason_zh and time.monotonic() - started < 30


def test_a_reader_bug_is_a_reason_not_a_crash():
    exc = _refused(crashers.reader_bug)
    assert exc.reason_zh == "文件无法读取（TypeError）"


def _scratch_entries() -> set[str]:
    return {n for n in os.listdir(contained._scratch()) if n.startswith("credit-read-")}


def test_the_run_goes_on_reading(tmp_path):
    """After every kind of death above, the fork server still forks, and a good file is read; no result file
    is left behind."""
    before_run = _scratch_entries()
    for fn, args in ((crashers.never_ends, ()), (crashers.reader_bug, ())):
        with pytest.raises(UnreadableFile):
            contained.run_contained(fn, *args, seconds=1)
    result, out_path = contained.run_contained(crashers.fine)
    contained.cleanup(out_path)
    assert result == "read"
    good = write_csv(tmp_path / "good.csv", hostile.rows(3))
    before = good.read_bytes()
    (sheet,) = read_unit_file(good).sheets
    assert len(sheet.data) == 3 and good.read_bytes() == before
    assert _scratch_entries() <= before_run
