"""`pharos up`'s process supervisor: keep the job worker(s) and the web process running.

A child that dies is started again after a back-off: PHAROS_RESTART_BACKOFF_SECONDS, doubled for
each further crash that follows a short run (less than STABLE_SECONDS), capped at
PHAROS_RESTART_BACKOFF_MAX_SECONDS. The other children keep serving meanwhile: a dead worker
costs no web request, and its leased job items are taken over once their short leases run out.

Each child runs in a process group of its own: the web process has server workers of its own,
and when it dies they are killed with it (else they would keep the port). Ctrl-C in a terminal
therefore reaches only the supervisor, which stops every child: SIGTERM to each group, SIGKILL
for what is left after `stop_seconds`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import psutil

STABLE_SECONDS = 60.0
TICK_SECONDS = 0.2


@dataclass
class Child:
    """One supervised command; `proc` is its current process, if any."""

    name: str
    argv: list[str]
    env: dict[str, str]
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_crashes: int = 0
    restart_at: float | None = None
    restarts: int = 0

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None


class StopFlag(Protocol):
    """What `run` needs of its stop signal (a `threading.Event` in tests, a lock-free flag under signals)."""

    def is_set(self) -> bool: ...

    def wait(self, seconds: float) -> Any: ...


def _say(message: str) -> None:
    print(f"PharOS: {message}", file=sys.stderr, flush=True)


class Supervisor:
    def __init__(
        self,
        children: list[Child],
        *,
        backoff: float,
        backoff_max: float,
        stop_seconds: float = 15.0,
        say: Callable[[str], None] = _say,
    ):
        self.children = children
        self.backoff = backoff
        self.backoff_max = max(backoff, backoff_max)
        self.stop_seconds = stop_seconds
        self.say = say

    def start_all(self) -> None:
        for child in self.children:
            self._start(child)

    def _start(self, child: Child) -> None:
        child.proc = subprocess.Popen(child.argv, env=child.env, start_new_session=True)
        child.started_at = time.monotonic()
        child.restart_at = None
        self.say(f"{child.name} started (pid {child.proc.pid})")

    def exited(self) -> list[Child]:
        """Children whose process has ended (start-up uses this to fail fast)."""
        return [c for c in self.children if c.proc is not None and c.proc.poll() is not None]

    def delay_for(self, child: Child, ran_seconds: float) -> float:
        """Back-off before the next start: reset after a stable run, doubled per quick crash."""
        if ran_seconds >= STABLE_SECONDS:
            child.quick_crashes = 0
        delay = min(self.backoff_max, self.backoff * (2**child.quick_crashes))
        child.quick_crashes += 1
        return delay

    def check(self) -> None:
        """Notice dead children and restart them when their back-off has passed."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self._start(child)
                continue
            if child.proc is None or child.proc.poll() is None:
                continue
            status = child.proc.returncode
            _kill_group(child.proc.pid, signal.SIGKILL)  # what it left behind (server workers)
            delay = self.delay_for(child, now - child.started_at)
            child.restart_at = now + delay
            self.say(f"{child.name} (pid {child.proc.pid}) exited with status {status}; restarting in {delay:.1f} s")

    def run(self, stop: StopFlag) -> None:
        """Supervise until `stop` is set (the caller's signal handler sets it: app/cli/run.py SignalFlag)."""
        while not stop.is_set():
            self.check()
            stop.wait(TICK_SECONDS)

    def stop_all(self) -> None:
        """SIGTERM every child's group, wait up to `stop_seconds`, SIGKILL what is left."""
        trees: list[psutil.Process] = []
        for child in self.children:
            child.restart_at = None
            if child.proc is None:
                continue
            trees += _tree(child.proc.pid)
            _kill_group(child.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_seconds
        for child in self.children:
            if child.proc is None:
                continue
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{child.name} (pid {child.proc.pid}) did not stop in time; killing it")
        _wait_gone(trees, deadline)
        for child in self.children:
            if child.proc is not None:
                _kill_group(child.proc.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.proc.wait(timeout=5)
        for proc in trees:  # a descendant that left its group (setsid) is still ours to stop
            with contextlib.suppress(psutil.Error):
                proc.kill()


def _kill_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _tree(pid: int) -> list[psutil.Process]:
    try:
        leader = psutil.Process(pid)
        return [leader, *leader.children(recursive=True)]
    except psutil.Error:
        return []


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _wait_gone(procs: list[psutil.Process], deadline: float) -> None:
    while any(_alive(p) for p in procs) and time.monotonic() < deadline:
        time.sleep(0.05)
