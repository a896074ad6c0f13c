"""``make dev`` stopped at any point, by any signal, leaves no process and a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.chaos.conftest import record
from tools.offline_runtime.ports import check_port_free, free_port, port_holder

pytestmark = pytest.mark.workerd

ROOT = Path(__file__).resolve().parents[2]


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(proc.name))
    return children


def _command(pid: int) -> str:
    try:
        return (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")).decode()
    except OSError:
        return ""


def _running(pid: int) -> bool:
    """Alive and not a zombie (a zombie's parent died too; init reaps it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@dataclass
class MakeDev:
    """``make dev`` (or ``tools/dev.py``) on a free port, every descendant it ever had recorded."""

    via_make: bool
    state: Path
    port: int
    seen: dict[int, str] = field(default_factory=dict)
    output: list[str] = field(default_factory=list)
    _done: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        if self.via_make:
            command = ["make", "--no-print-directory", "dev", f"PORT={self.port}"]
        else:
            command = [str(ROOT / ".venv" / "bin" / "python"), "tools/dev.py"]
        env = {**os.environ, "PORT": str(self.port), "DW_DEV_STATE": str(self.state)}
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._watch, daemon=True).start()
        threading.Thread(target=self._read, daemon=True).start()

    def _watch(self) -> None:
        while not self._done.is_set():
            todo, children = [self.process.pid], _children()
            while todo:
                for child in children.get(todo.pop(), []):
                    if child not in self.seen:
                        self.seen[child] = _command(child)
                    todo.append(child)
            time.sleep(0.01)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, "".join(self.output)
            assert time.monotonic() < deadline, "".join(self.output)
            time.sleep(0.01)

    def has(self, text: str) -> bool:
        return any(text in command for command in self.seen.values())

    def serving(self) -> bool:
        return any("Ctrl-C to stop" in line for line in self.output)

    def stop_and_check(self, sig: int, *, pid: int | None = None) -> dict[str, object]:
        """Send ``sig``; then every process it started must end and the port be free."""
        os.kill(pid or self.process.pid, sig)
        self.process.wait(timeout=60)
        deadline = time.monotonic() + 30
        while any(_running(p) for p in self.seen) and time.monotonic() < deadline:
            time.sleep(0.1)
        self._done.set()
        left = {p: c for p, c in self.seen.items() if _running(p)}
        assert not left, f"left running: {left}"
        assert port_holder(self.port) is None
        check_port_free(self.port)  # a dev server could listen on it (TIME_WAIT aside)
        return {"processes_started": len(self.seen), "left": len(left), "port_free": True}


Start = Callable[..., MakeDev]


@pytest.fixture
def make_dev(tmp_path: Path) -> Iterator[Start]:
    started: list[MakeDev] = []

    def start(via_make: bool = False, port: int | None = None) -> MakeDev:
        run = MakeDev(via_make, tmp_path / "dev-state", port or free_port())
        run.start()
        started.append(run)
        return run

    yield start
    for run in started:  # a failed test must not leave its make dev behind either
        if run.process.poll() is None:
            os.killpg(run.process.pid, signal.SIGKILL)


POINTS = {
    "before wrangler starts": lambda run: run.has("upload-probe") and not run.has("wrangler"),
    "while wrangler starts": lambda run: run.has("--binary"),  # miniflare's workerd, not ready
    "once serving": MakeDev.serving,
}


@pytest.mark.parametrize(
    ("point", "sig"),
    [
        ("before wrangler starts", signal.SIGINT),
        ("while wrangler starts", signal.SIGTERM),
        ("while wrangler starts", signal.SIGHUP),
        ("once serving", signal.SIGINT),
        ("once serving", signal.SIGKILL),
    ],
)
def test_stopping_make_dev_leaves_no_process_and_a_free_port(
    make_dev: Start, point: str, sig: int
) -> None:
    run = make_dev()
    run.wait_for(lambda: POINTS[point](run))
    figures = run.stop_and_check(sig)
    record(f"make dev stopped {point} by {signal.Signals(sig).name}", **figures)


def test_stopping_make_itself_stops_the_dev_server(make_dev: Start) -> None:
    run = make_dev(via_make=True)
    run.wait_for(lambda: POINTS["while wrangler starts"](run))
    figures = run.stop_and_check(signal.SIGTERM)  # make only: it does not pass it on
    record("make dev: make stopped by SIGTERM while wrangler starts", **figures)


def test_a_taken_port_is_refused_naming_it_and_its_holder(make_dev: Start) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        run = make_dev(port=holder.getsockname()[1])
        assert run.process.wait(timeout=60) == 1
        time.sleep(0.2)  # the reader's last lines
        said = "".join(run.output)
    assert f"port {run.port} is taken by pid {os.getpid()}" in said, said
    assert not [p for p in run.seen if _running(p)], run.seen


def test_a_dev_server_interrupted_while_starting_stops_what_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a process that lives on (a test session), not only when make dev exits."""
    from tools.offline_runtime.devserver import DevServer  # noqa: PLC0415

    started: list[int] = []

    def interrupted(self: DevServer) -> None:
        assert self.process is not None and self.probe is not None
        started.extend([self.process.pid, self.probe.process_pid or 0])
        raise KeyboardInterrupt  # as Ctrl-C while waiting for wrangler

    monkeypatch.setattr(DevServer, "_wait_ready", interrupted)
    server = DevServer(ROOT, persist_dir=tmp_path / "state", upload_probe=True)
    with pytest.raises(KeyboardInterrupt):
        server.start()
    assert all(started) and not any(_running(pid) for pid in started)
    assert port_holder(server.port) is None
