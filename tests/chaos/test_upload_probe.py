"""The upload check's probe process (tools/offline_runtime/upload_probe.py) on its own:
each bound stops a load, and the process is replaced for the next one."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tools.offline_runtime.upload_probe import ProbeLimits, UploadProbe

pytestmark = pytest.mark.workerd

EMPTY = (
    "import { WorkflowEntrypoint } from 'cloudflare:workers';\n"
    "export class TenantWorkflow extends WorkflowEntrypoint {}\n"
    "export default {};\n"
)
NO_SUCH_METHOD = 'The RPC receiver does not implement the method "dispatcherLoadProbe".'


def code(top_level: str) -> dict[str, Any]:
    return {
        "compatibilityDate": "2026-11-01",
        "mainModule": "index.js",
        "modules": {"index.js": EMPTY + top_level},
    }


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[UploadProbe]:
    with UploadProbe(tmp_path) as probe:
        yield probe


def test_code_that_loads_gets_workerds_answer(probe: UploadProbe) -> None:
    answer = probe.check(code("const x = [1, 2, 3].map((n) => n * 2);"), ["index.js"])
    assert answer["error"] == NO_SUCH_METHOD
    assert probe.stats.loaded == 1 and probe.stats.restarts == 0


def test_code_that_throws_gets_workerds_message(probe: UploadProbe) -> None:
    answer = probe.check(code("throw new Error('no config');"), ["index.js"])
    assert "Uncaught Error: no config" in answer["error"]


def test_an_endless_top_level_is_stopped_past_the_cpu_bound_and_the_process_replaced(
    probe: UploadProbe,
) -> None:
    first = probe.process_pid
    answer = probe.check(code("for (;;) {}"), ["index.js"])
    assert answer["stopped"] == "cpu" and "ran past 1 s of CPU" in answer["refused"]
    assert probe.process_pid is None  # killed; the next probe starts another
    assert probe.check(code(""), ["index.js"])["error"] == NO_SUCH_METHOD
    assert probe.process_pid not in (None, first) and probe.stats.restarts == 1


def test_unbounded_memory_is_stopped_past_the_memory_bound(probe: UploadProbe) -> None:
    answer = probe.check(code("const a = []; for (;;) a.push(new Uint8Array(1e7).fill(1));"), [])
    assert answer["stopped"] == "memory" and "more than 128 MiB" in answer["refused"]


def test_a_load_that_outlasts_the_time_bound_is_stopped(tmp_path: Path) -> None:
    with UploadProbe(tmp_path, limits=ProbeLimits(cpu_s=600, wall_s=1)) as probe:
        answer = probe.check(code("for (;;) {}"), ["index.js"])
    assert answer["stopped"] == "wall" and "within 1 s" in answer["refused"]


def test_a_load_that_ends_the_process_is_refused_naming_the_signal(tmp_path: Path) -> None:
    with UploadProbe(tmp_path, limits=ProbeLimits(cpu_s=600)) as probe:
        pid = probe.process_pid
        assert pid is not None
        # What an abort of workerd (V8 out of heap) looks like from outside, mid-load.
        threading.Timer(0.5, os.kill, (pid, signal.SIGABRT)).start()
        began = time.monotonic()
        answer = probe.check(code("for (;;) {}"), ["index.js"])
    assert time.monotonic() - began < 30
    assert answer["stopped"] == "crash"
    assert "ended the runtime's process (signal 6" in answer["refused"], answer
