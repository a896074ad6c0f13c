"""The upload check's load in another process, where the local runtime cannot bound it here.

On Cloudflare a tenant's code loads under the platform's limits (1 s of CPU for its
start-up, 128 MB per isolate), so the dispatcher's own probe (``tenants.probe``) is bounded
by them. Local workerd enforces none of them and runs every worker of a dev server on one
thread: a tenant whose top level never returns would hang the dispatcher with it. Local runs
therefore set ``DW_UPLOAD_PROBE_URL`` (the dev tooling's probe process,
``tools/offline_runtime/upload_probe.py``), and the dispatcher first sends the ``WorkerCode``
it would load there; only code that loaded within the bounds is then loaded here. The
dispatcher awaits that answer, so it serves other requests meanwhile. A deployed dispatcher
has no such variable (``tests/test_config.py`` checks it) and skips this step.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from js import JSON, AbortSignal, Object, fetch
from pyodide.ffi import JsException

from dynamic_workflows import to_js

from .config import UPLOAD_PROBE_VARIABLE
from .http import RequestError

#: How long the dispatcher waits for the probe process (which bounds each load itself; this
#: also covers waiting behind other uploads, as it checks one at a time).
DEADLINE_MS = 120_000


def probe_url(env: Any) -> str | None:
    url = str(getattr(env, UPLOAD_PROBE_VARIABLE, "") or "")
    return url or None


async def probe_elsewhere(url: str, worker_code: Any, tenant_modules: list[str]) -> dict[str, Any]:
    """The probe process's answer for ``worker_code`` (a Worker Loader ``WorkerCode``).

    ``{"error": None | message}`` (workerd's message, read as the dispatcher's own probe
    reads it) or ``{"refused": why}``; ``RequestError(503)`` when the probe process cannot
    answer, since the upload cannot then be checked within bounds.
    """
    body = json.dumps({"code": _as_json(worker_code), "tenantModules": tenant_modules})
    options = {"method": "POST", "body": body, "headers": {"content-type": "application/json"}}
    init = to_js(options)
    init.signal = AbortSignal.timeout(DEADLINE_MS)
    try:
        response = await fetch(url, init)
        answer = json.loads(str(await response.text()))
    except (JsException, ValueError) as exc:
        raise RequestError(
            503,
            f"the upload check's probe process at {url} did not answer ({exc}): restart the "
            "dev server",
        ) from None
    if not isinstance(answer, dict) or "unavailable" in answer:
        why = answer.get("unavailable") if isinstance(answer, dict) else answer
        raise RequestError(503, f"the upload check's probe process cannot check code: {why}")
    return answer


def _as_json(code: Any) -> dict[str, Any]:
    """The parts of a ``WorkerCode`` that make its load: modules with binary content as
    base64 and JSON modules as text (``env``, the network and limits are the probe's own)."""
    modules: dict[str, Any] = {}
    for entry in Object.entries(code.modules):
        name, module = entry[0], entry[1]
        if isinstance(module, str):
            modules[name] = module
            continue
        ((kind, content),) = [(pair[0], pair[1]) for pair in Object.entries(module)]
        if isinstance(content, str):
            modules[name] = {kind: content}
        elif kind == "json":
            modules[name] = {kind: str(JSON.stringify(content))}
        else:  # data, wasm: a Uint8Array
            modules[name] = {kind: base64.b64encode(content.to_bytes()).decode(), "base64": True}
    flags = getattr(code, "compatibilityFlags", None)
    return {
        "compatibilityDate": str(code.compatibilityDate),
        "compatibilityFlags": [str(flag) for flag in flags] if flags is not None else [],
        "allowExperimental": bool(getattr(code, "allowExperimental", False)),
        "mainModule": str(code.mainModule),
        "modules": modules,
    }
