"""Parsing a unit's file in a child process, so that native code crashing on it cannot take the run down.

An abort (a Rust allocation failure), a panic (pyo3's PanicException is a BaseException), an exhausted memory
or a parser that never ends kills or stops the child; the run gets an UnreadableFile that says so, in Chinese and
English, and the file is quarantined with that reason. The child:

- is forked by a fork server started once per process with the readers imported (credit.readers.forker; the
  run itself is never forked: it has threads), so a file costs a fork, not an interpreter;
- may use MEMORY_BYTES of address space above what it starts with (60 % of the machine's memory; RLIMIT_AS:
  an allocation beyond fails inside the child) and TIME_SECONDS of CPU, and the run stops waiting for it after
  TIME_SECONDS;
- is the first the kernel's OOM killer takes (oom_score_adj 1000), and ignores Ctrl-C (the run handles that);
- hands the sheets back through shared memory (credit.readers.transfer): one copy of the columns.

A child that cannot be started at all is the machine's fault, not the file's: ReaderUnavailable, the file
stays where it is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import re
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable

from credit.readers.base import UnreadableFile
from credit.readers.forker import Server
from credit.readers.transfer import scratch_dir

log = logging.getLogger(__name__)


def _memory_budget() -> int:
    """60 % of the machine's memory (at least 4 GiB): a legitimate workbook of a million rows needs several GB;
    an allocation beyond is a file's attack, refused inside the child instead of starving the machine."""
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        physical = 8 << 30
    return max(4 << 30, physical * 6 // 10)


MEMORY_BYTES = _memory_budget()
TIME_SECONDS = 300
_STALE_SECONDS = 2 * TIME_SECONDS  # a result folder older than this belongs to a run that died
# Imported once by the fork server, so that each child starts with them (the parsers, numpy, pyarrow, pandas,
# python_calamine and the header tables).
PRELOAD = ["credit.readers.unit_file"]
WARM = "credit.readers.warm:warm_up"
_STDERR_KEPT = 4096
_KEPT_RECORDS, _KEPT_CHARS = 20, 1000  # log records a child sends back, and characters of each

_lock = threading.Lock()
_server: Server | None = None
_server_owner = 0  # the pid that started it (a process forked from the run starts its own)


class ReaderUnavailable(RuntimeError):
    """No child could be started to read the file (the machine's resources, not the file): try again later."""


def _sweep() -> None:
    """Remove result folders a run killed mid-read left in shared memory (no read lasts _STALE_SECONDS)."""
    folder = _scratch()
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith("credit-read-") and now - entry.stat().st_mtime > _STALE_SECONDS:
                shutil.rmtree(entry.path, ignore_errors=True)


def _running_server(restart: bool = False) -> Server:
    global _server, _server_owner
    with _lock:
        if _server is not None and _server_owner != os.getpid():
            _server = None  # inherited through a fork: its server belongs to the parent
        if restart and _server is not None:
            _server.stop()
            _server = None
        if _server is None or not _server.alive():
            _sweep()
            _server, _server_owner = Server.start(PRELOAD, WARM), os.getpid()
        return _server


def warm_up() -> None:
    """Start the fork server now (it imports the readers while the caller goes on)."""
    with contextlib.suppress(OSError):  # the first file will say so
        _running_server()


def _vm_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _limit(memory: int, seconds: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with open("/proc/self/oom_score_adj", "w", encoding="ascii") as fh:
            fh.write("1000")
    except OSError:
        pass
    limit = _vm_size() + memory
    for kind, value in ((resource.RLIMIT_AS, limit), (resource.RLIMIT_CPU, seconds)):
        try:
            _, hard = resource.getrlimit(kind)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(kind, (value, hard))
        except (ValueError, OSError):
            pass


class _Kept(logging.Handler):
    """The readers' log records in the child (escaped when made), sent back with its answer: the parent logs
    them, as the child's stderr is read only when it fails."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < _KEPT_RECORDS:
            self.records.append((record.name, record.levelno, record.getMessage()[:_KEPT_CHARS]))


def _child(fn: Callable, args: tuple, out_path: str, err_path: str, memory: int, seconds: int) -> tuple:
    """What the child runs: the limits, then fn(*args); its answer as a message, never an exception, with the
    readers' log records (name, level, message) as its last item."""
    try:
        fd = os.open(err_path, os.O_WRONLY | os.O_TRUNC)
        os.dup2(fd, 2)
        os.close(fd)
    except OSError:
        pass
    _limit(memory, seconds)
    kept = _Kept()
    readers = logging.getLogger("credit.readers")
    readers.addHandler(kept)
    if readers.getEffectiveLevel() > logging.INFO:
        readers.setLevel(logging.INFO)  # this process ends with the file: the parent's loggers decide
    return (*_answer(fn, args, out_path), kept.records)


def _answer(fn: Callable, args: tuple, out_path: str) -> tuple:
    try:
        return ("ok", fn(*args, out_path=out_path))
    except UnreadableFile as exc:
        return ("unreadable", exc.reason_zh, exc.reason_en)
    except MemoryError:
        return ("memory",)
    except Exception as exc:  # a reader bug: its type for the run, where it happened for the log
        # The frames only, never the message: it may quote a cell (an ID number, a name).
        sys.stderr.write("".join(traceback.format_tb(exc.__traceback__)) + type(exc).__name__ + "\n")
        return ("error", type(exc).__name__)
    except BaseException as exc:  # a panic in native code (pyo3 PanicException), a stray SystemExit
        return ("panic", type(exc).__name__)


def _signal_name(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit {code}"


def died(what: str) -> UnreadableFile:
    return UnreadableFile(
        f"文件解析时读取程序异常退出（{what}），已隔离：文件可能已损坏或被构造为攻击数据，请用Excel重新保存后再报送",
        f"the reader process died while parsing the file ({what}); the file was quarantined: it may be damaged "
        "or crafted to crash readers; save it again with Excel",
    )


def _timed_out(seconds: int) -> UnreadableFile:
    return UnreadableFile(
        f"文件解析超时（超过{seconds}秒），已隔离；请检查文件（是否过大或已损坏）后重新报送",
        f"parsing the file took more than {seconds} s; quarantined (too large or damaged?)",
    )


def _out_of_memory(memory: int) -> UnreadableFile:
    gib = memory / (1 << 30)
    return UnreadableFile(
        f"文件解析所需内存超过上限（{gib:.0f} GiB），已隔离；请拆分文件或重新保存后再报送",
        f"parsing the file needs more than {gib:.0f} GiB of memory; quarantined: split it or save it again",
    )


def internal_error(kind: str) -> UnreadableFile:
    return UnreadableFile(
        f"文件解析时读取程序内部错误（{kind}），已隔离；请用Excel重新保存后再报送",
        f"the reader failed while parsing the file ({kind}); quarantined: save it again with Excel",
    )


_DIGITS = re.compile(r"[0-9０-９]{6,}[0-9０-９Xx]*")


def _stderr_head(err_path: str) -> str:
    """What the child wrote to stderr (a Rust abort or panic message, a traceback's frames), for the log; long
    digit runs masked (a message never quotes an ID number into the log)."""
    try:
        with open(err_path, "rb") as fh:
            return _DIGITS.sub("…", fh.read(_STDERR_KEPT).decode("utf-8", "replace"))
    except OSError:
        return ""


def _fork(request: bytes):
    """A child for the request, restarting the fork server once if it is gone."""
    for attempt in range(2):
        try:
            return _running_server(restart=attempt > 0).fork(request)
        except OSError as exc:
            error = exc
    raise ReaderUnavailable(f"cannot start a reader process: {error}") from error


def _exit_status(child) -> str:
    """How the child ended, as the server saw it."""
    try:
        if child.status.poll(10):
            kind, status = child.status.recv()
            if kind == "exit":
                return _signal_name(os.waitstatus_to_exitcode(status))
    except (EOFError, OSError, ValueError):
        pass
    return "unknown"


def run_contained(
    fn: Callable, *args, seconds: int = TIME_SECONDS, memory: int = MEMORY_BYTES
) -> tuple[object, str]:
    """fn(*args, out_path=…) run in a child: (its result, the out_path it may have written; the caller reads it
    and then calls `cleanup`). Raises UnreadableFile for a file the child could not read, whatever happened to
    it, and ReaderUnavailable when no child could be started."""
    folder = tempfile.mkdtemp(prefix="credit-read-", dir=_scratch())
    out_path, err_path = os.path.join(folder, "result"), os.path.join(folder, "stderr")
    open(err_path, "wb").close()
    answered = False
    try:
        child = _fork(pickle.dumps((_child, (fn, args, out_path, err_path, memory, seconds))))
        try:
            started = time.monotonic()
            if not child.result.poll(seconds):
                with contextlib.suppress(OSError):
                    os.kill(child.pid, signal.SIGKILL)
                log.warning("reader process stopped after %.0f s", time.monotonic() - started)
                raise _timed_out(seconds)
            try:
                message = child.result.recv()
            except (EOFError, OSError):
                message = None  # the child died before its answer was whole
            if message is None:
                what = _exit_status(child)
                log.warning("reader process died (%s): %r", what, _stderr_head(err_path)[:300])
                raise died(what)
        finally:
            child.close()
        *message, logged = message
        for name, level, text in logged:
            logging.getLogger(name).log(level, "(in the reader process) %s", text)
        kind = message[0]
        if kind == "ok":
            answered = True
            return message[1], out_path
        if kind == "unreadable":
            raise UnreadableFile(message[1], message[2])
        if kind == "memory":
            raise _out_of_memory(memory)
        if kind == "error":
            log.error("reader failed in its process (%s): %r", message[1], _stderr_head(err_path)[-1500:])
            raise UnreadableFile(
                f"文件无法读取（{message[1]}）", f"The file could not be read ({message[1]})."
            )
        log.warning("reader process raised %s: %r", message[1], _stderr_head(err_path)[:300])
        raise internal_error(message[1])
    finally:
        with contextlib.suppress(OSError):
            os.unlink(err_path)
        if not answered:
            cleanup(out_path)


def cleanup(out_path: str) -> None:
    """Remove a result file and its folder (a mapping of it stays valid)."""
    with contextlib.suppress(OSError):
        os.unlink(out_path)
    with contextlib.suppress(OSError):
        os.rmdir(os.path.dirname(out_path))


def _scratch() -> str:
    return scratch_dir()
