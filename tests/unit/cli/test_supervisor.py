"""The supervisor of `pharos up` with real processes: a SIGKILLed child is restarted (its
leftovers killed with it) while the others keep running, back-off doubles and is capped, and
stopping leaves no process behind, grandchildren included."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import psutil
import pytest

from app.cli.supervisor import STABLE_SECONDS, Child, Supervisor

# a child that starts a grandchild of its own (as the web process starts server workers)
PARENT = (
    "import subprocess, sys, time; "
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
    "time.sleep(600)"
)
SLEEPER = "import time; time.sleep(600)"


def _child(name: str, code: str) -> Child:
    return Child(name, [sys.executable, "-c", code], dict(os.environ))


def _grandchildren(pid: int, timeout: float = 20.0) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = psutil.Process(pid).children()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"pid {pid} started no child within {timeout} s")


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _wait_for(predicate, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def running():
    """Start a supervisor on a thread; stop it (and every child) at the end whatever happens."""
    started: list[tuple[Supervisor, threading.Event, threading.Thread]] = []

    def start(children: list[Child], **options) -> Supervisor:
        sup = Supervisor(children, backoff=options.pop("backoff", 0.1), backoff_max=options.pop("backoff_max", 1.0),
                         say=lambda _m: None, **options)  # fmt: skip
        sup.start_all()
        stop = threading.Event()
        thread = threading.Thread(target=sup.run, args=(stop,), daemon=True)
        thread.start()
        started.append((sup, stop, thread))
        return sup

    yield start
    for sup, stop, thread in started:
        stop.set()
        thread.join(timeout=10)
        sup.stop_all()


def test_a_killed_child_is_restarted_and_its_leftovers_killed_while_the_other_keeps_running(running):
    web, worker = _child("web", PARENT), _child("worker-1", SLEEPER)
    sup = running([worker, web])
    first_web, worker_pid = web.pid, worker.pid
    assert first_web and worker_pid
    orphan = _grandchildren(first_web)[0]

    os.kill(first_web, signal.SIGKILL)
    _wait_for(lambda: web.pid not in (None, first_web), "a new web process")

    assert web.restarts == 1
    assert worker.pid == worker_pid  # untouched
    _wait_for(lambda: not _alive(orphan), "the dead web process's own child to be killed")
    assert sup.exited() == []


def test_stop_all_leaves_no_process_behind(running):
    web, worker = _child("web", PARENT), _child("worker-1", SLEEPER)
    sup = running([web, worker])
    tree = [psutil.Process(web.pid), psutil.Process(worker.pid), *_grandchildren(web.pid)]

    sup.stop_all()

    assert [p.pid for p in tree if _alive(p)] == []
    assert web.proc.returncode is not None and worker.proc.returncode is not None


def test_a_child_that_ignores_sigterm_is_killed_after_the_stop_delay(running, tmp_path):
    ready = tmp_path / "ready"
    stubborn = _child(
        "stubborn",
        "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"pathlib.Path({str(ready)!r}).touch(); time.sleep(600)",
    )
    sup = running([stubborn], stop_seconds=0.5)
    proc = psutil.Process(stubborn.pid)
    _wait_for(ready.exists, "the child to ignore SIGTERM")

    sup.stop_all()

    assert not _alive(proc)
    assert stubborn.proc.returncode == -signal.SIGKILL


def test_backoff_doubles_per_quick_crash_is_capped_and_resets_after_a_stable_run():
    sup = Supervisor([], backoff=0.5, backoff_max=4.0, say=lambda _m: None)
    child = _child("worker-1", SLEEPER)
    quick = [sup.delay_for(child, ran_seconds=1.0) for _ in range(6)]
    assert quick == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert sup.delay_for(child, ran_seconds=STABLE_SECONDS) == 0.5
    assert sup.delay_for(child, ran_seconds=2.0) == 1.0
