"""Serve with several processes on one listening socket: search is CPU-bound and Python
threads share one core, so one waitress process per core is how a machine's cores are used.

The parent binds the socket, forks the workers (each builds its own app, index handle and
caches after the fork: threads and open searchers do not survive a fork), restarts a worker
that dies, and stops them all on SIGTERM or SIGINT. The kernel spreads connections over the
workers' accept() calls.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Callable

# A worker that exits by itself sooner than this after starting is not restarted (it would
# only fail again); one killed by a signal always is.
MIN_LIFETIME = 5.0


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket the workers share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def _start(run: Callable[[socket.socket], None], sock: socket.socket) -> int:
    pid = os.fork()
    if pid == 0:  # the worker
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with SIGTERM
        code = 0
        try:
            run(sock)
        except BaseException:  # noqa: BLE001 - a worker must never return into the parent's code
            code = 1
        os._exit(code)
    return pid


def serve_workers(run: Callable[[socket.socket], None], sock: socket.socket, workers: int) -> int:
    """Run `run(sock)` in `workers` forked processes until signalled; return an exit code."""
    started: dict[int, float] = {}
    for _ in range(workers):
        started[_start(run, sock)] = time.monotonic()
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    while started:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        born = started.pop(pid, None)
        if born is None or stopping:
            continue
        failed_at_start = os.WIFEXITED(status) and time.monotonic() - born < MIN_LIFETIME
        if failed_at_start:
            code = 1  # it gave up at start (bad index folder...): restarting would only repeat it
            stop(signal.SIGTERM, None)
            continue
        started[_start(run, sock)] = time.monotonic()
    sock.close()
    return code
