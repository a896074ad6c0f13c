"""The upload check's probe process: tenant code loaded in a disposable workerd, with bounds.

Before the dispatcher stores a tenant's code it loads it once (``dispatcher/tenants.py``
``probe``). On Cloudflare that load is bounded by the platform: 1 s of CPU for a worker's
start-up and 128 MB of memory per isolate. Local workerd bounds nothing: its limit enforcer
is a null one (no CPU, start-up or heap limit for any worker; ``limits`` of a Worker Loader
``WorkerCode`` are dropped), and every worker of a dev server, each tenant's dynamic worker
included, runs on the one thread of one workerd process. A tenant whose top level never
returns would hang that process, and one that allocates without end would abort it (or take
the machine's memory: a ``Uint8Array`` loop is not V8 heap and reached 16 GB here).

So the dev tooling runs this: a small workerd of its own (``probe.js``, a Worker Loader) in
a process that nothing else uses, behind an HTTP front in this Python process. The
dispatcher of a local run (``DW_UPLOAD_PROBE_URL``) sends the ``WorkerCode`` it would load;
the front loads it in that process while watching the process from outside, and kills it
(SIGKILL: a spinning workerd does not handle SIGTERM) when the load passes a bound:

* CPU: ``ProbeLimits.cpu_s`` (1 s, Cloudflare's start-up limit) beyond what an empty tenant
  of the same kind costs in the same process (measured once per process and kind: a Python
  tenant's runtime start is most of its load);
* memory: ``ProbeLimits.memory_mib`` (128 MiB, Cloudflare's per-isolate memory) of resident
  memory beyond what loading an empty tenant of the same kind adds;
* time: ``ProbeLimits.wall_s`` for anything else (a process starved of CPU).

A killed or crashed process is started again for the next probe. Probes run one at a time
(each owns the process while it runs); the dispatcher waits for its answer asynchronously,
so its other requests are served meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tools.offline_runtime.ports import free_port
from tools.offline_runtime.processes import spawn

WRAPPER = Path(__file__).with_name("workerd")
PROBE_WORKER = Path(__file__).with_name("probe.js")
#: The entrypoint and the method the probe calls: no tenant has the method, so a load that
#: works answers "does not implement the method" (see dispatcher/tenants.py).
PROBE_CALL = {"entrypoint": "TenantWorkflow", "method": "dispatcherLoadProbe"}
#: What "an empty tenant" is, per kind, for the baselines.
EMPTY_TENANT = {
    "js": (
        "import { WorkflowEntrypoint } from 'cloudflare:workers';\n"
        "export class TenantWorkflow extends WorkflowEntrypoint {}\n"
        "export default {};\n"
    ),
    "python": (
        "from workers import WorkflowEntrypoint\n\n\n"
        "class TenantWorkflow(WorkflowEntrypoint):\n    pass\n"
    ),
}
_CONFIG = """using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "probe", worker = .probe)],
  sockets = [(name = "http", address = "127.0.0.1:%d", http = (), service = "probe")],
);
const probe :Workerd.Worker = (
  modules = [(name = "probe.js", esModule = embed "%s")],
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["experimental"],
  bindings = [(name = "LOADER", workerLoader = ())],
);
"""
_FATAL = re.compile(r"fatal: (.*)")
#: workerd's own handler for a fatal signal prints this, then exits with code 1.
_SIGNAL = re.compile(r"\*\*\* Received signal #([0-9]+): (.*)")
_POLL_S = 0.02


@dataclass(frozen=True, slots=True)
class ProbeLimits:
    """What one upload's load may take in the probe process (see the module docstring)."""

    cpu_s: float = 1.0
    memory_mib: int = 128
    wall_s: float = 30.0
    #: Restart the process between probes once it holds this much (loaded isolates add up).
    recycle_mib: int = 768


class ProbeUnavailable(RuntimeError):
    """The probe process could not load even an empty tenant."""


@dataclass(slots=True)
class _Run:
    """One load in the probe process, as watched from outside."""

    answer: dict[str, Any] | None = None
    stopped: str | None = None  # "cpu", "memory", "wall", "crash"
    cpu_s: float = 0.0
    grew_mib: float = 0.0
    wall_s: float = 0.0
    crash: str = ""


@dataclass(slots=True)
class _Baseline:
    cpu_s: float
    grew_mib: float


@dataclass
class ProbeStats:
    """Counters for the tests and ``make dev``'s log."""

    probes: int = 0
    loaded: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    restarts: int = 0


class _Process:
    """One workerd running probe.js, started with its own config and port."""

    def __init__(self, directory: Path, environment: dict[str, str]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.log_path = directory / f"upload-probe-{self.port}.log"
        config = directory / f"upload-probe-{self.port}.capnp"
        # capnp embeds files by paths relative to the config: the worker goes next to it.
        (directory / PROBE_WORKER.name).write_text(PROBE_WORKER.read_text())
        config.write_text(_CONFIG % (self.port, PROBE_WORKER.name))
        with self.log_path.open("wb") as log:
            self.popen = spawn(
                [str(WRAPPER), "serve", str(config), "--experimental"],
                cwd=directory,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.baselines: dict[str, _Baseline] = {}
        try:
            self._wait_ready()
        except BaseException:
            self.kill()
            raise

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise ProbeUnavailable(f"the probe process exited: {self.log_tail()[-500:]}")
            try:
                with urllib.request.urlopen(self.url, timeout=5):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        raise ProbeUnavailable(f"the probe process did not answer within {timeout:.0f}s")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def kill(self) -> None:
        if self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-2000:]
        except FileNotFoundError:
            return ""

    def crash_reason(self) -> str:
        """Why the process ended: the signal (as workerd reported it, or as it ended the
        process) and workerd's fatal line, if it wrote one."""
        code, log = self.popen.returncode, self.log_tail()
        caught = _SIGNAL.findall(log)
        if caught:
            how = f"signal {caught[-1][0]}, {caught[-1][1].strip()}"
        else:
            how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        fatal = _FATAL.findall(log)
        return f"{how}: {fatal[-1].strip()}" if fatal else how


class UploadProbe:
    """The probe process and the HTTP front the dispatcher calls (``url``)."""

    def __init__(
        self,
        directory: Path,
        *,
        limits: ProbeLimits | None = None,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.limits = limits or ProbeLimits()
        self.environment = dict(os.environ if environment is None else environment)
        self.environment.pop("DW_ASYNC_TRACE", None)  # the benchmarks trace the dev server only
        self.stats = ProbeStats()
        self._process: _Process | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._port = 0  # the front's port once started: a restart keeps the dispatcher's URL

    @property
    def url(self) -> str:
        if not self._port:
            raise RuntimeError("the upload probe was never started")
        return f"http://127.0.0.1:{self._port}/probe"

    @property
    def process_pid(self) -> int | None:
        """The pid of the current probe process (None between a kill and the next probe)."""
        process = self._process
        return process.popen.pid if process is not None and process.alive() else None

    def start(self) -> UploadProbe:
        """Start the process and the front (once: a started probe is returned as it is)."""
        if self._server is not None:
            return self
        with self._lock:
            self._ensure_process()
        server = ThreadingHTTPServer(("127.0.0.1", self._port), _handler(self))
        server.daemon_threads = True
        self._port = int(server.server_address[1])
        threading.Thread(target=server.serve_forever, name="upload-probe", daemon=True).start()
        self._server = server
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        with self._lock:
            process, self._process = self._process, None
            if process is not None:
                process.kill()

    def __enter__(self) -> UploadProbe:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def check(self, code: dict[str, Any], tenant_modules: list[str]) -> dict[str, Any]:
        """Load ``code`` (a WorkerCode as JSON) within the limits; the dispatcher's answer.

        ``{"error": null | message}`` when the load ran to its end (the message is
        workerd's), ``{"refused": why}`` when it was stopped, ``{"unavailable": why}`` when
        not even an empty tenant loads here.
        """
        with self._lock:
            self.stats.probes += 1
            try:
                process = self._ensure_process()
                kind = "python" if str(code.get("mainModule", "")).endswith(".py") else "js"
                baseline = self._baseline(process, kind, code, tenant_modules)
                run = self._run(process, code, baseline)
            except ProbeUnavailable as exc:
                return {"unavailable": str(exc)}
            if run.stopped is None and run.answer is not None:
                self.stats.loaded += 1
                return {**run.answer, "cpuMs": round(run.cpu_s * 1000), "wallMs": _ms(run.wall_s)}
            reason = run.stopped or "crash"
            self.stats.refused[reason] = self.stats.refused.get(reason, 0) + 1
            return {"refused": self._why(reason, run, baseline), "stopped": reason}

    def _why(self, reason: str, run: _Run, baseline: _Baseline) -> str:
        limits = self.limits
        if reason == "cpu":
            own = run.cpu_s - baseline.cpu_s
            return (
                f"its top level ran past {limits.cpu_s:g} s of CPU while loading (Cloudflare "
                f"stops a worker's start-up at 1 s): stopped after {own:.1f} s beyond the "
                f"{baseline.cpu_s:.2f} s an empty tenant takes here"
            )
        if reason == "memory":
            return (
                f"its top level took more than {limits.memory_mib} MiB of memory while loading "
                f"(Cloudflare gives an isolate 128 MB): stopped at "
                f"{run.grew_mib - baseline.grew_mib:.0f} MiB beyond what an empty tenant takes"
            )
        if reason == "wall":
            return f"it did not finish loading within {limits.wall_s:g} s: stopped"
        return f"loading it ended the runtime's process ({run.crash})"

    def _ensure_process(self) -> _Process:
        process = self._process
        if process is not None and process.alive():
            if process.rss_mib() < self.limits.recycle_mib:
                return process
            process.kill()
        if process is not None:
            self.stats.restarts += 1
        self._process = _Process(self.directory, self.environment)
        return self._process

    def _baseline(
        self, process: _Process, kind: str, code: dict[str, Any], tenant_modules: list[str]
    ) -> _Baseline:
        """What loading an empty tenant of this kind costs in this process (measured once)."""
        if kind in process.baselines:
            return process.baselines[kind]
        own = set(tenant_modules)
        empty = dict(code)
        empty["modules"] = {k: v for k, v in code["modules"].items() if k not in own}
        empty["modules"][code["mainModule"]] = EMPTY_TENANT[kind]
        unbounded = _Baseline(cpu_s=float("inf"), grew_mib=float("inf"))
        runs = []
        for _ in range(2):  # the first load in a process also compiles the runtime: not counted
            run = self._run(process, empty, unbounded)
            if run.stopped is not None or run.answer is None or not _loaded(run.answer):
                detail = run.crash or (run.answer or {}).get("error") or run.stopped
                process.kill()
                raise ProbeUnavailable(f"an empty {kind} tenant does not load here: {detail}")
            runs.append(run)
        baseline = _Baseline(cpu_s=runs[-1].cpu_s, grew_mib=max(0.0, runs[-1].grew_mib))
        process.baselines[kind] = baseline
        return baseline

    def _run(self, process: _Process, code: dict[str, Any], baseline: _Baseline) -> _Run:
        """Load ``code`` once, stopping the process when it passes a limit."""
        body = json.dumps({**code, **PROBE_CALL}).encode()
        run = _Run()
        done = threading.Event()

        def send() -> None:
            request = urllib.request.Request(process.url, data=body, method="POST")
            try:
                timeout = self.limits.wall_s + 30
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    run.answer = json.loads(response.read())
            except (urllib.error.URLError, OSError, ValueError):
                run.answer = None
            finally:
                done.set()

        cpu_before, rss_before, began = process.cpu_s(), process.rss_mib(), time.monotonic()
        threading.Thread(target=send, name="upload-probe-load", daemon=True).start()
        self._watch(process, run, done, baseline, (cpu_before, rss_before, began))
        done.wait(30)
        run.wall_s = time.monotonic() - began
        if run.stopped is None:
            self._settle(process, run, cpu_before, rss_before)
        return run

    def _watch(
        self,
        process: _Process,
        run: _Run,
        done: threading.Event,
        baseline: _Baseline,
        before: tuple[float, float, float],
    ) -> None:
        """Sample the process until the load is done, killing it past a limit."""
        cpu_before, rss_before, began = before
        cpu_limit = baseline.cpu_s + self.limits.cpu_s
        memory_limit = baseline.grew_mib + self.limits.memory_mib
        while not done.wait(_POLL_S) and process.alive():
            run.wall_s = time.monotonic() - began
            try:
                run.cpu_s = process.cpu_s() - cpu_before
                run.grew_mib = max(run.grew_mib, process.rss_mib() - rss_before)
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue  # ended meanwhile: the loop's condition sees it
            if run.cpu_s > cpu_limit:
                run.stopped = "cpu"
            elif run.grew_mib > memory_limit:
                run.stopped = "memory"
            elif run.wall_s > self.limits.wall_s:
                run.stopped = "wall"
            if run.stopped is not None:
                process.kill()
                return

    @staticmethod
    def _settle(process: _Process, run: _Run, cpu_before: float, rss_before: float) -> None:
        """After a load that was not stopped: its figures, or why the process ended."""
        if run.answer is None and process.alive():
            # The connection ended without an answer: the process is on its way out.
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=10)
        if not process.alive():
            process.popen.wait(timeout=30)
            run.stopped, run.crash = "crash", process.crash_reason()
            return
        run.cpu_s = process.cpu_s() - cpu_before
        run.grew_mib = max(run.grew_mib, process.rss_mib() - rss_before)
        if run.answer is None:  # alive but not answering: not to be trusted again
            process.kill()
            run.stopped, run.crash = "crash", "the probe process stopped answering"


def _loaded(answer: dict[str, Any]) -> bool:
    error = answer.get("error")
    return error is None or PROBE_CALL["method"] in str(error)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _handler(probe: UploadProbe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            try:
                body = json.loads(self.rfile.read(length))
                answer = probe.check(body["code"], list(body.get("tenantModules") or []))
            except (ValueError, KeyError, TypeError) as exc:
                answer = {"unavailable": f"the probe could not read the request: {exc}"}
            self._send(answer)

        def do_GET(self) -> None:
            stats = probe.stats
            self._send(
                {
                    "probes": stats.probes,
                    "loaded": stats.loaded,
                    "refused": stats.refused,
                    "restarts": stats.restarts,
                    "pid": probe.process_pid,
                }
            )

        def _send(self, answer: dict[str, Any]) -> None:
            data = json.dumps(answer).encode()
            try:
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the dispatcher gave up waiting (its deadline); nobody to answer

        def log_message(self, *_: Any) -> None:
            return None  # the dev server's log has the dispatcher's side

    return Handler


__all__ = ["ProbeLimits", "ProbeUnavailable", "UploadProbe"]
