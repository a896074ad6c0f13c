"""A dispatcher dev server in real workerd, for the tests, ``make dev`` and the benchmarks.

``runtime="offline"`` runs ``wrangler dev`` with workerd wrapped to load the
development Pyodide bundle built here, adding the development flags on the command
line only (the deployable config never carries them). ``runtime="official"`` runs
``pywrangler dev`` on Cloudflare's released bundle, for machines that can download it.
The default (or ``DW_RUNTIME``) is ``offline``, the runtime the tests were run on here;
``auto`` (only when asked for) picks official when the bundle's host answers.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from tools.offline_runtime.flag_reports import STARTED
from tools.offline_runtime.pins import NODE, NPM, PYODIDE, ROOT, WRANGLER
from tools.offline_runtime.ports import check_port_free, free_port
from tools.offline_runtime.processes import signals_deferred, spawn
from tools.offline_runtime.snapshot import ensure_snapshot, snapshot_wanted
from tools.offline_runtime.upload_probe import UploadProbe

WRAPPER = Path(__file__).with_name("workerd")
#: ``npx`` as pywrangler runs it, on the offline runtime (see ``activate``).
OFFLINE_BIN = Path(__file__).with_name("bin")
#: Where workerd downloads the released bundle for the project's compatibility date.
OFFICIAL_BUNDLE = "https://pyodide-capnp-bin.edgeworker.net/pyodide_314.0.6_2026-08-17_11.capnp.bin"
DEV_FLAGS = (
    "python_workers",
    "python_workers_development",
    "experimental",
    "disable_python_dedicated_snapshot",
)


#: A line where workerd (or wrangler) reports on a compatibility flag: a flag the date already
#: enables ("became the default as of"), an experimental one, an unknown one. Cloudflare may
#: refuse what these say, so the tests fail on any of them (tests/conftest.py).


class DevServerError(RuntimeError):
    """The dev server did not become ready; the message ends with its log tail."""


def config_flags(root: Path) -> list[str]:
    """The compatibility flags of ``root``'s wrangler.jsonc (its ``//`` comment lines dropped)."""
    text = (root / "wrangler.jsonc").read_text()
    config = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.MULTILINE))
    return [str(flag) for flag in config.get("compatibility_flags", [])]


def official_bundle_reachable(timeout: float = 5.0) -> bool:
    request = urllib.request.Request(OFFICIAL_BUNDLE, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def choose_runtime(requested: str | None = None) -> str:
    runtime = requested or os.environ.get("DW_RUNTIME") or "offline"
    if runtime == "auto":
        return "official" if official_bundle_reachable() else "offline"
    if runtime not in ("offline", "official"):
        raise ValueError(f"DW_RUNTIME must be auto, offline or official, not {runtime!r}")
    return runtime


#: The variables the dispatcher reads for its dev-only routes and checks (dispatcher/config.py):
#: the probe process's URL (dispatcher/probe_elsewhere.py), the test-only /admin/debug/* routes,
#: and the wake-up route after a restart (dispatcher/wake.py).
PROBE_VARIABLE = "DW_UPLOAD_PROBE_URL"
DEBUG_ROUTES_VARIABLE = "DW_DEBUG_ROUTES"
WAKE_VARIABLE = "DW_DEV_WAKE"


def _signal_group(pgid: int, sig: int) -> bool:
    """Signal a process group; False when no process is left in it."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group led by ``process``, then SIGKILL what is left of it."""
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    # workerd children may outlive wrangler: give them a moment, then end the group.
    deadline = time.monotonic() + 5
    while _signal_group(process.pid, 0) and time.monotonic() < deadline:
        time.sleep(0.1)
    _signal_group(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


class DevServer:
    """One dispatcher under ``wrangler dev``/``pywrangler dev``, stopped with its process group."""

    def __init__(
        self,
        root: Path = ROOT,
        *,
        persist_dir: Path,
        port: int | None = None,
        runtime: str | None = None,
        debug_routes: bool = False,
        variables: dict[str, str] | None = None,
        extra_env: dict[str, str] | None = None,
        startup_timeout: float = 180.0,
        launcher: list[str] | None = None,
        upload_probe: bool = False,
        wake_stalled: bool = False,
    ) -> None:
        """``launcher``: the command to run ``dev ...`` with instead of the default, e.g.
        ``["uv", "run", "pywrangler"]``; offline, it runs as after ``. activate``.
        ``upload_probe``: give the dispatcher the bounded upload check (``UploadProbe``, a
        workerd process of its own, started and stopped with the server; offline only).
        ``wake_stalled``: once it answers, have the dispatcher wake the instances the local
        engine left stalled at the last stop (``POST /admin/dev/wake``, with the
        ``ADMIN_TOKEN`` of ``variables`` or ``.dev.vars``); its answer is ``woken``."""
        self.root = root
        self.persist_dir = Path(persist_dir)
        self.port = port or free_port()
        self.runtime = choose_runtime(runtime)
        self.launcher = launcher
        self.variables = dict(variables or {})
        if debug_routes:
            self.variables[DEBUG_ROUTES_VARIABLE] = "1"
        if wake_stalled:
            self.variables[WAKE_VARIABLE] = "1"  # the route; this server calls it once started
        self.extra_env = dict(extra_env or {})
        self.startup_timeout = startup_timeout
        self.log_path = self.persist_dir.parent / f"devserver-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.started_in: float | None = None
        self.wake_stalled = wake_stalled
        self.woken: dict[str, int] | None = None
        self.probe: UploadProbe | None = None
        if upload_probe and self.runtime == "offline":
            self.probe = UploadProbe(self.persist_dir.parent / "upload-probe")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def mode(self) -> str:
        if self.runtime == "official":
            return "official Python runtime (pywrangler dev, Cloudflare's released Pyodide bundle)"
        snapshot = "" if snapshot_wanted(self.environment()) else ", no memory snapshot"
        return (
            f"offline development runtime (npm pyodide {PYODIDE}, "
            f"workerd {NPM['@cloudflare/workerd-linux-64']}, wrangler {NPM['wrangler']}"
            f"{snapshot})"
        )

    def command(self) -> list[str]:
        args = ["dev", "--ip", "127.0.0.1", "--port", str(self.port)]
        args += ["--inspector-port", str(free_port()), "--persist-to", str(self.persist_dir)]
        args += ["--show-interactive-dev-session=false", "--log-level", "info"]
        if self.runtime == "offline" and self.launcher is None:
            # On the command line this replaces the config's flags, so it repeats them.
            flags = dict.fromkeys([*config_flags(self.root), *DEV_FLAGS])
            args += [f"--compatibility-flags={flag}" for flag in flags]
        for name, value in self.variables.items():
            args += ["--var", f"{name}:{value}"]
        if self.launcher is not None:
            return [*self.launcher, *args]
        if self.runtime == "official":
            return [str(ROOT / ".venv" / "bin" / "pywrangler"), *args]
        return [str(NODE), str(WRANGLER), *args]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(CI="true", WRANGLER_SEND_METRICS="false", NO_COLOR="1")
        # pywrangler (official) runs uv from the project's venv, and wrangler needs Node 22.
        venv_bin = ROOT / ".venv" / "bin"
        env["PATH"] = os.pathsep.join([str(NODE.parent), str(venv_bin), env.get("PATH", "")])
        if self.runtime == "offline":
            env["MINIFLARE_WORKERD_PATH"] = str(WRAPPER)
            if self.launcher is not None:  # as `. tools/offline_runtime/activate` sets it up
                env["PATH"] = os.pathsep.join([str(OFFLINE_BIN), env["PATH"]])
                env["UV_PYTHON_DOWNLOADS"] = "never"
        env.update(self.extra_env)
        return env

    def start(self) -> DevServer:
        """Start and wait until the dispatcher answers; on any failure or interruption
        (Ctrl-C, SIGTERM turned into SystemExit) everything started so far is stopped first."""
        check_port_free(self.port)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.persist_dir.mkdir(parents=True, exist_ok=True)
        if self.runtime == "offline" and snapshot_wanted(self.environment()):
            ensure_snapshot()  # saved once per bundle and workerd; the wrapper loads it
        if self.probe is not None:
            self.variables[PROBE_VARIABLE] = self.probe.start().url
        began, started_at = time.monotonic(), time.time()
        with self.log_path.open("ab") as log:
            STARTED.append((self.log_path, log.tell()))
            # Its own process group (stopped as a whole), and SIGTERM when this process
            # dies without stopping it (wrangler then stops its workerd).
            self.process = spawn(
                self.command(),
                death_signal=signal.SIGTERM,
                cwd=self.root,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()
        self.started_in = time.monotonic() - began
        if self.wake_stalled:
            self.woken = self._wake(started_at)

    def _wake(self, started_at: float) -> dict[str, int]:
        """The dispatcher's wake-up of stalled instances (``dispatcher/wake.py``); creates
        reserved before ``started_at`` were cut off by the last stop."""
        request = urllib.request.Request(
            f"{self.url}/admin/dev/wake",
            data=json.dumps({"startedAt": int(started_at * 1000)}).encode(),
            method="POST",
            headers={
                "authorization": f"Bearer {self.admin_token()}",
                "content-type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as exc:
            self._fail(f"could not wake stalled instances: {exc.code} {exc.read()[:300]!r}")
            raise  # unreachable: _fail raises

    def admin_token(self) -> str:
        """The dispatcher's ADMIN_TOKEN: a variable given to it, or the one in .dev.vars."""
        if "ADMIN_TOKEN" in self.variables:
            return self.variables["ADMIN_TOKEN"]
        dev_vars = self.root / ".dev.vars"
        for line in dev_vars.read_text().splitlines() if dev_vars.is_file() else []:
            if line.startswith("ADMIN_TOKEN="):
                return line.split("=", 1)[1].strip().strip('"')
        raise DevServerError("no ADMIN_TOKEN to wake stalled instances with (.dev.vars)")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                self._fail(f"exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/", timeout=30):
                    return
            except urllib.error.HTTPError as exc:
                if exc.code < 500:  # the dispatcher answered (404 on /)
                    return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.25)
        self._fail(f"not ready after {self.startup_timeout:.0f}s")

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.is_file():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def _fail(self, why: str) -> None:
        self.stop()
        raise DevServerError(
            f"dev server on {self.url} {why}; log {self.log_path}, last lines:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        """Stop the server's whole process group and the probe process; safe to call twice.

        Signals that would interrupt it (a second Ctrl-C) wait until it is done.
        """
        with signals_deferred():
            process, self.process = self.process, None
            if process is not None:
                _stop_group(process)
            if self.probe is not None:
                self.probe.stop()
                self.variables.pop(PROBE_VARIABLE, None)

    def kill(self) -> None:
        """End the server's process group with SIGKILL, as a crash would (the probe stays)."""
        process, self.process = self.process, None
        if process is not None:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
            # The leader is gone; its workerd may still be ending (and holding the port).
            deadline = time.monotonic() + 15
            while _signal_group(process.pid, 0) and time.monotonic() < deadline:
                time.sleep(0.05)

    def restart(self) -> None:
        """Stop and start again on the same port and state directory."""
        self.stop()
        self.start()

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Any:
        self.stop()
