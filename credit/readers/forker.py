"""A fork server: one single-threaded process, started once per run with the readers imported, that forks a
child for each file to parse.

multiprocessing's "forkserver" would do the forking, but each of its children re-imports the parent's main
module (`python -m prefect.engine`: all of Prefect, for every file). This one runs nothing but what it is asked.
The run itself is never forked (it has threads).

    Server.start() -> Server            the server process (`python -c …serve(fd)`), its imports done there
    server.fork(request) -> Child       a child running `run_request(request)`; its answer on `child.result`,
                                        its pid and then its exit status on `child.status`

Requests and answers are pickles between processes of this project only (over socket pairs this process
created; nothing else can reach them).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import pickle
import select
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection

_REQUEST_BYTES = 1 << 16
_REAP_EVERY = 0.02  # seconds between looks for children that ended, while any runs


@dataclass
class Child:
    pid: int
    result: Connection  # the child's answer (EOF when it ends)
    status: Connection  # ("exit", wait status) from the server once the child has ended

    def close(self) -> None:
        self.result.close()
        self.status.close()


class Server:
    def __init__(self, proc: subprocess.Popen, sock: socket.socket):
        self.proc, self.sock = proc, sock
        self._lock = threading.Lock()

    @classmethod
    def start(cls, preload: list[str], warm: str = "") -> Server:
        """`preload`: modules the server imports; `warm`: "module:function" it then calls once (to fill the
        caches its children inherit)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        code = (
            "import sys, json; sys.path[:] = json.loads(sys.argv[1]); "
            "from credit.readers.forker import serve; "
            "serve(int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4])"
        )
        # BLAS threads are of no use to a reader, and a process that forks had better have no threads.
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        try:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    code,
                    json.dumps(sys.path),
                    str(theirs.fileno()),
                    json.dumps(preload),
                    warm,
                ],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env=env,
                close_fds=True,
            )
        finally:
            theirs.close()
        return cls(proc, ours)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fork(self, request: bytes) -> Child:
        """A child running the request; OSError if the server cannot be reached or cannot fork."""
        result_r, result_w = socket.socketpair()
        status_r, status_w = socket.socketpair()
        try:
            with self._lock:
                socket.send_fds(self.sock, [request], [result_w.fileno(), status_w.fileno()])
        finally:
            result_w.close()
            status_w.close()
        result, status = Connection(result_r.detach()), Connection(status_r.detach())
        try:
            if not status.poll(60):
                raise OSError("the fork server does not answer")
            kind, pid = status.recv()
        except (EOFError, OSError) as exc:
            result.close()
            status.close()
            raise OSError(f"the fork server could not start a child: {exc}") from None
        if kind != "pid":
            result.close()
            status.close()
            raise OSError(f"the fork server could not start a child: {pid}")
        return Child(pid, result, status)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def run_request(request: bytes, result: Connection) -> None:
    """In the child: unpickle (fn, args), run it, send what it returns; exits the process (never returns)."""
    code = 0
    try:
        fn, args = pickle.loads(request)
        result.send(fn(*args))
    except BaseException:  # fn answers for itself; this is a failure to unpickle or send
        code = 70
    finally:
        with contextlib.suppress(Exception):
            result.close()
        os._exit(code)


def _reap(children: dict[int, Connection]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = children.pop(pid, None)
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.send(("exit", status))
            conn.close()


def serve(fd: int, preload: list[str], warm: str = "") -> None:
    """The server's loop: a request (and its two sockets) in, a fork out, exit statuses back; ends when the run
    that started it closes its end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    for name in preload:
        importlib.import_module(name)
    if warm:
        module, _, function = warm.partition(":")
        getattr(importlib.import_module(module), function)()
    gc.collect()
    gc.freeze()  # the children's collections then leave the inherited objects (and their pages) alone
    sock = socket.socket(fileno=fd)
    children: dict[int, Connection] = {}
    while True:
        ready, _, _ = select.select([sock], [], [], _REAP_EVERY if children else None)
        _reap(children)
        if not ready:
            continue
        try:
            request, fds, _, _ = socket.recv_fds(sock, _REQUEST_BYTES, 2)
        except OSError:
            break
        if not request:
            break  # the run is gone
        if len(fds) != 2:
            for extra in fds:
                os.close(extra)
            continue
        result_fd, status_fd = fds
        status = Connection(status_fd)
        try:
            pid = os.fork()
        except OSError as exc:
            with contextlib.suppress(OSError):
                status.send(("error", exc.strerror))
            status.close()
            os.close(result_fd)
            continue
        if pid == 0:  # the child: only its own socket stays open
            sock.close()
            status.close()
            for conn in children.values():
                conn.close()
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            run_request(request, Connection(result_fd))
        os.close(result_fd)
        with contextlib.suppress(OSError):
            status.send(("pid", pid))
        children[pid] = status
    for pid in list(children):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    sys.exit(0)
