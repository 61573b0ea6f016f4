"""The PDF reader's worker processes: each PDF read under limits, in a process that dies with us.

Not ProcessPoolExecutor, for three reasons:

- its workers were forked from the indexer, so they held its open descriptors (the writer
  lock's flock among them) and outlived a killed indexer, which locked out every later run.
  Ours are started by exec with none of the indexer's files (Python opens files
  non-inheritable, and only the worker's own socket is passed), and the kernel kills each
  one when the indexer dies, whatever killed it (PR_SET_PDEATHSIG).
- it cannot stop one task. A PDF over its time limit is stopped here by killing its worker:
  a SIGALRM handler in the worker would only run once PDFium returned from the C call it is
  stuck in, and a page's whole content stream is parsed in one such call.
- one dead worker breaks the whole pool (BrokenProcessPool), so every later PDF was
  "crashed". Here a dead worker costs only the file it was reading, retried once in a fresh
  worker.

Not multiprocessing's spawn or forkserver either: both import the caller's __main__ again in
every worker, which a script without a ``__name__ == "__main__"`` guard does not survive, and
which costs each worker whatever that script imports. A worker is ``python -c`` importing
this module only (about 0.2 s, once per worker per run).
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from search_service.corpus.pdf import limits
from search_service.corpus.pdf.limits import ENV, PdfLimits
from search_service.corpus.pdf.report import PdfError, PdfLimitError

# Jobs a worker holds at once: the next waits in its socket when one finishes, so workers
# keep reading while the indexer is busy with the results they sent.
_DEPTH = 2
# Results read ahead of the one the caller waits for, per worker: memory stays flat however
# slow one early PDF is.
_AHEAD = 4
# Workers dying outside any file (at start, between files) more often than this in one run
# mean they cannot work at all (a memory limit too low to run Python, say): stop and say so.
_MAX_STRAY_DEATHS = 3
# The folder holding this package, put first on the worker's path so it imports this copy.
_ROOT = str(Path(__file__).resolve().parents[3])
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from search_service.corpus.pdf.workers import serve; serve(int(sys.argv[2]), int(sys.argv[3]))"
)
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    # The few lines of index/whoosh_internals._die_with_parent, repeated because corpus/ may
    # not import index/: ask the kernel for SIGKILL when the indexer dies (strictly, when the
    # thread that started us ends: extract_many's caller, which outlives its workers).
    # Checking the parent after prctl catches an indexer that died before it took effect.
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return  # not Linux: an idle worker still ends with its socket, a busy one after its file
    if os.getppid() != parent:
        os._exit(1)


def _limit_memory(mebibytes: int) -> None:
    # Address space, not resident memory: PDFium's and Python's allocations past it fail at
    # once (MemoryError, or PDFium aborting) instead of pushing the machine into swap.
    if not mebibytes:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = mebibytes << 20
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft == resource.RLIM_INFINITY or soft > wanted:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def serve(parent: int, fd: int) -> None:
    """A worker's life: run each job from the socket, send back its result, until told to stop."""
    _die_with_parent(parent)
    # Ctrl-C reaches the whole process group: the indexer stops its workers, one by one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(fd)
    target, run_limits = conn.recv()
    limits.install(run_limits)
    _limit_memory(run_limits.memory_mb)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return  # the indexer is gone
        if job is None:
            return
        index, args = job
        conn.send(("start", index, time.monotonic()))
        result = target(*args)
        try:
            conn.send(("done", index, result))
        except MemoryError:  # pickling a huge result: the result itself was over the limit
            conn.send(("done", index, PdfLimitError(run_limits.memory_reason())))


@dataclass
class _Job:
    index: int
    args: tuple
    attempts: int = 0


class _Worker:
    """One worker process, its socket, and the jobs it holds (it is reading the first)."""

    def __init__(self, target: Callable, run_limits: PdfLimits):
        ours, theirs = socket.socketpair()
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _BOOT, _ROOT, str(os.getpid()), str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),  # and no other descriptor of ours
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # the indexer's output is its own
            )
        self.conn = Connection(ours.detach())
        self.conn.send((target, run_limits))
        self.jobs: deque[_Job] = deque()
        # When it started its first job (CLOCK_MONOTONIC is one clock for all processes).
        self.started: float | None = None
        self.alive = True

    def give(self, job: _Job) -> None:
        self.jobs.append(job)
        with suppress(OSError):  # it died: reading its socket says so, and the job is requeued
            self.conn.send((job.index, job.args))

    def read(self, done: dict[int, object]) -> None:
        """Take every message the worker has sent (a result goes into ``done``), or its end."""
        try:
            while self.conn.poll():
                kind, index, value = self.conn.recv()
                if kind == "start":
                    self.started = value
                else:
                    self.jobs.popleft()
                    self.started = None
                    done[index] = value
        except (EOFError, OSError):
            self.alive = False  # it died, perhaps mid-message

    def exit_code(self) -> int | None:
        """The dead worker's exit code (negative: the signal that killed it)."""
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # its socket closed but it lingers: end it
            self.kill()
            return self.process.returncode

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.conn.close()


class ReaderPool(AbstractContextManager):
    """Up to ``procs`` worker processes running ``target(*job)`` under ``run_limits``."""

    def __init__(self, target: Callable, procs: int, run_limits: PdfLimits):
        self.target = target
        self.procs = max(1, procs)
        self.limits = run_limits
        self.workers: list[_Worker] = []
        self.stray_deaths = 0

    def results(self, jobs: Sequence[tuple]) -> Iterator[object]:
        """target(*job) for each job, in order; a PdfError for one over time or crashing twice."""
        todo = deque(_Job(i, tuple(args)) for i, args in enumerate(jobs))
        done: dict[int, object] = {}
        for wanted in range(len(todo)):
            while wanted not in done:
                self._dispatch(todo, horizon=wanted + _AHEAD * self.procs)
                self._collect(todo, done)
            yield done.pop(wanted)

    def grow(self, jobs: int) -> None:
        """Start workers for this many jobs now (up to procs), to import while the caller works."""
        while len(self.workers) < min(self.procs, jobs):
            self._start()

    def _start(self) -> _Worker:
        worker = _Worker(self.target, self.limits)
        self.workers.append(worker)
        return worker

    def _dispatch(self, todo: deque[_Job], horizon: int) -> None:
        while todo and todo[0].index < horizon:
            worker = min(self.workers, key=lambda w: len(w.jobs), default=None)
            if (worker is None or worker.jobs) and len(self.workers) < self.procs:
                worker = self._start()
            # A second job waits behind a first only while there is work for every worker:
            # at the end of a run it goes to whichever worker is free first.
            if len(worker.jobs) >= _DEPTH or (worker.jobs and len(todo) < len(self.workers)):
                return
            worker.give(todo.popleft())

    def _collect(self, todo: deque[_Job], done: dict[int, object]) -> None:
        """Wait for a message, a death or a deadline, and act on what happened."""
        limit = self.limits.time_limit
        starts = [w.started for w in self.workers if w.started is not None]
        timeout = max(0.0, min(starts) + limit - time.monotonic()) if limit and starts else None
        # A worker that dies closes its socket, which wakes us as a message would.
        wait([w.conn for w in self.workers], timeout)
        for worker in list(self.workers):
            worker.read(done)
            if not worker.alive:
                self._lost(worker, todo, done)
            elif limit and worker.started is not None and _overdue(worker.started, limit):
                done[worker.jobs.popleft().index] = PdfLimitError(self.limits.time_reason())
                self._retire(worker, todo)

    def _retire(self, worker: _Worker, todo: deque[_Job]) -> None:
        """Stop a worker; the jobs it held but had not started go back to the front of todo."""
        worker.kill()
        self.workers.remove(worker)
        # They were given out before anything still in todo, so they go first again.
        todo.extendleft(reversed(worker.jobs))
        worker.jobs.clear()

    def _lost(self, worker: _Worker, todo: deque[_Job], done: dict[int, object]) -> None:
        """A worker died: the file it was reading gets one more try in a fresh worker."""
        code = worker.exit_code()
        held = bool(worker.jobs)
        crashed = worker.jobs.popleft() if worker.started is not None else None
        self._retire(worker, todo)
        if crashed is None:
            # Died idle (the OOM killer's pick, say) or between files: no file to blame.
            self.stray_deaths += held
            if self.stray_deaths > _MAX_STRAY_DEATHS:
                raise RuntimeError(
                    f"PDF reader processes keep dying before they read a file ({_how(code)}); "
                    f"is {ENV['memory_mb']}={self.limits.memory_mb} too low?"
                )
        elif crashed.attempts == 0:
            crashed.attempts = 1
            self._start().give(crashed)
        else:
            done[crashed.index] = PdfError(self._crash_reason(code))

    def _crash_reason(self, code: int | None) -> str:
        reason = f"the PDF reader crashed on this file twice ({_how(code)}"
        if code is not None and code < 0 and self.limits.memory_mb:
            # PDFium aborts when an allocation fails; the OOM killer sends SIGKILL.
            reason += (
                f"; it may need more memory than the {self.limits.memory_mb} MiB "
                f"{ENV['memory_mb']} allows"
            )
        return reason + ")"

    def close(self) -> None:
        """Stop every worker: idle ones are told to, busy ones (the caller gave up) killed."""
        for worker in self.workers:
            if worker.jobs:
                worker.process.kill()
            else:
                with suppress(OSError):
                    worker.conn.send(None)
        for worker in self.workers:
            try:
                worker.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                worker.kill()
            worker.conn.close()
        self.workers.clear()

    def __exit__(self, *exc) -> None:
        self.close()


def _overdue(started: float, limit: float) -> bool:
    return time.monotonic() - started >= limit


def _how(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
