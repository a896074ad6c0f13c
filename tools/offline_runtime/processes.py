"""Child processes that end when the Python process that started them ends, however it ends.

A dev server or a probe process left behind by a ``make dev`` that was killed (even with
``kill -9``) keeps its port and its memory. Each child here is started under ``setpriv
--pdeathsig`` (util-linux), so the kernel signals it when its parent dies. The kernel ties
that signal to the parent *thread*, so every child is started from one long-lived thread of
this module, not from whichever short-lived thread (an HTTP handler, a test's pool) asked.
"""

from __future__ import annotations

import contextlib
import queue
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from typing import Any

SETPRIV = shutil.which("setpriv")

_requests: queue.Queue[tuple[list[str], dict[str, Any], Future[subprocess.Popen[bytes]]]] = (
    queue.Queue()
)
_spawner: list[threading.Thread] = []
_lock = threading.Lock()


def spawn(
    command: Sequence[str], *, death_signal: int = signal.SIGKILL, **popen: Any
) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(command, **popen)``, signalled ``death_signal`` when this process dies.

    Without ``setpriv`` on the machine the child is started as is (it then outlives a
    parent that is killed without cleaning up).
    """
    full = list(command)
    if SETPRIV is not None:
        name = signal.Signals(death_signal).name
        full = [SETPRIV, f"--pdeathsig={name}", "--", *full]
    result: Future[subprocess.Popen[bytes]] = Future()
    with signals_deferred():  # a child started for a caller that was interrupted would leak
        _requests.put((full, popen, result))
        _ensure_spawner()
        return result.result()


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP held back (in the main thread) until the block ends, so that
    their handlers (KeyboardInterrupt, SystemExit) cannot cut it short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _ensure_spawner() -> None:
    with _lock:
        if not _spawner:
            thread = threading.Thread(target=_serve, name="child-spawner", daemon=True)
            thread.start()
            _spawner.append(thread)


def _serve() -> None:
    while True:
        command, popen, result = _requests.get()
        try:
            result.set_result(subprocess.Popen(command, **popen))
        except BaseException as exc:  # handed to the caller, who raises it
            result.set_exception(exc)
