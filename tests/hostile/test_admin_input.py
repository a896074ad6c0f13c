"""No admin input kills the dispatcher, and only code that loads is stored."""

from __future__ import annotations

import base64
import http.client
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from dispatcher.http import MAX_BODY_BYTES
from dispatcher.uploads import MAX_CODE_BYTES
from tests.conftest import ADMIN_TOKEN, Dispatcher
from tests.hostile.conftest import Victim

pytestmark = pytest.mark.workerd

WORKFLOW_JS = (
    "import { WorkflowEntrypoint } from 'cloudflare:workers';\n"
    "export class TenantWorkflow extends WorkflowEntrypoint { async run() { return 1; } }\n"
    "export default { fetch() { return new Response('ok'); } };\n"
)
WORKFLOW_PY = (
    "from workers import WorkflowEntrypoint\n"
    "class TenantWorkflow(WorkflowEntrypoint):\n"
    "    async def run(self, event, step):\n"
    "        return 1\n"
)


def js(source: str, **modules: object) -> dict[str, object]:
    return {"mainModule": "index.js", "modules": {"index.js": source, **modules}}


def py(source: str) -> dict[str, object]:
    return {"mainModule": "main.py", "modules": {"main.py": source}}


def assert_no_traceback(text: str) -> None:
    assert "Traceback" not in text
    assert "/session/" not in text
    assert "dispatcher/" not in text
    assert '.py"' not in text


def put_raw(
    dispatcher: Dispatcher, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, Any]:
    """A PUT with exactly these headers (no Content-Length unless given) and body."""
    url = urlsplit(dispatcher.url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
    try:
        connection.putrequest("PUT", path)
        for name, value in {"authorization": f"Bearer {ADMIN_TOKEN}", **headers}.items():
            connection.putheader(name, value)
        connection.endheaders(body or None)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


# Body size and shape


def test_a_body_declared_over_the_limit_gets_413_before_it_is_sent(
    dispatcher: Dispatcher, admin: httpx.Client
) -> None:
    declared = {"content-length": str(MAX_BODY_BYTES + 1)}
    status, body = put_raw(dispatcher, "/admin/tenants/too-big", declared)  # no body follows
    assert status == 413
    assert "at most" in body["error"]
    assert admin.get("/admin/tenants/too-big").status_code == 404


MIB = 1024 * 1024


@pytest.mark.parametrize("size", [17 * MIB, 24 * MIB + 7, 64 * MIB])
def test_a_body_sent_over_the_limit_reaches_the_client_as_413(
    admin: httpx.Client, size: int
) -> None:
    """The whole body sent: wrangler dev's proxy used to drop the connection (or answer 500)
    when the dispatcher answered before reading it."""
    for _ in range(3 if size < 64 * MIB else 1):
        response = admin.put("/admin/tenants/too-big", content=b"x" * size)
        assert response.status_code == 413, response.text
        assert response.json() == {
            "error": f"the body is {size} bytes; at most {MAX_BODY_BYTES} are accepted."
        }
    assert admin.get("/admin/tenants/too-big").status_code == 404


def test_a_large_body_without_the_token_reaches_the_client_as_401(client: httpx.Client) -> None:
    response = client.put("/admin/tenants/too-big", content=b"x" * (24 * MIB))
    assert response.status_code == 401, response.text
    assert response.json() == {"error": "missing or wrong bearer token"}


def test_a_put_without_content_length_gets_411(admin: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield json.dumps(js(WORKFLOW_JS)).encode()

    response = admin.put("/admin/tenants/unsized", content=chunks())
    assert response.status_code == 411
    assert admin.get("/admin/tenants/unsized").status_code == 404


def test_the_code_limit_counts_utf8_bytes(admin: httpx.Client) -> None:
    chars = MAX_CODE_BYTES // 3 + 1  # under the limit in characters, over it in bytes
    body = json.dumps(js("// " + "\u20ac" * chars), ensure_ascii=False).encode()
    assert len(body) < MAX_BODY_BYTES
    response = admin.put(
        "/admin/tenants/wide-chars", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "bytes" in response.json()["error"]
    assert admin.get("/admin/tenants/wide-chars").status_code == 404


def test_deeply_nested_json_gets_400(admin: httpx.Client) -> None:
    response = admin.put("/admin/tenants/deep", content=b"[" * 200_000)
    assert response.status_code == 400
    assert "deeper than" in response.json()["error"]


def test_the_dispatcher_serves_other_tenants_after_deeply_nested_json(
    client: httpx.Client, admin: httpx.Client, victim: Victim
) -> None:
    for body in (b"[" * 200_000, b'{"a":' * 100_000, b"[" * 200_000):
        assert admin.put("/admin/tenants/deep", content=body).status_code == 400
    assert client.get("/t/py-orders/not-workflows").status_code == 404  # the tenant's own 404
    victim.assert_untouched(client)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/admin/tenants/shapes", b"[]"),
        ("PUT", "/admin/tenants/shapes", b'"x"'),
        ("PUT", "/admin/tenants/shapes", b'{"modules": 5}'),
        ("PUT", "/admin/tenants/shapes", b'{"mainModule": [], "modules": {"a": {"js": []}}}'),
        ("PUT", "/admin/tenants/shapes", "\udcff".encode("utf-8", "surrogatepass")),
        ("PUT", "/admin/tenants/shapes", b"\xff\xfe{"),
        ("PUT", "/admin/tenants/shapes", b'{"mainModule": "a.js", "modules": {"a.js": 1e999}}'),
        ("PUT", "/admin/tenants/UPPER", b"{}"),
        ("PUT", "/admin/tenants/" + "x" * 300, b"{}"),
        ("POST", "/admin/tenants/shapes", b"{}"),
        ("GET", "/admin/tenants/js-orders/instances/-dash", b""),
        ("GET", "/admin/tenants/js-orders/instances/" + "i" * 200, b""),
        ("GET", "/admin/tenants/%00/instances/x", b""),
        ("DELETE", "/admin/tenants/-", b""),
    ],
)
def test_bad_admin_input_gets_a_4xx_without_a_traceback(
    admin: httpx.Client, method: str, path: str, body: bytes
) -> None:
    response = admin.request(method, path, content=body)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]
    assert_no_traceback(response.text)


def test_an_unexpected_failure_is_a_500_with_an_id_and_the_traceback_only_in_the_log(
    dispatcher: Dispatcher, admin: httpx.Client
) -> None:
    response = admin.get("/admin/debug/raise")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal error"
    assert set(body) == {"error", "id"}
    assert_no_traceback(response.text)
    if dispatcher.server is None:  # a deployed dispatcher: its log is not readable here
        return
    deadline = time.monotonic() + 10
    while not (lines := error_lines(dispatcher.server.log_tail(400), body["id"])):
        assert time.monotonic() < deadline, "the error id is not in the dev server's log"
        time.sleep(0.2)
    (line,) = lines  # one JSON line, which Workers Logs can filter on
    assert (line["event"], line["message"]) == ("dispatcher.error", "internal error")
    assert "Traceback" in line["detail"] and "raised on purpose" in line["detail"]


def error_lines(log: str, reference: str) -> list[dict[str, Any]]:
    """The dispatcher's JSON log lines of the unexpected failure ``reference``."""
    found = []
    for text in log.splitlines():
        start = text.find('{"event": "dispatcher.error"')
        if start >= 0 and reference in text:
            found.append(json.loads(text[start : text.rfind("}") + 1]))
    return [line for line in found if line["id"] == reference]


# Uploads proved loadable before they are stored

NOT_WASM = base64.b64encode(b"\0" * 8).decode()
BROKEN_UPLOADS = {
    "js-syntax-error": (js("export default {"), "SyntaxError: Unexpected end of input (index.js:"),
    "wasm-not-wasm": (
        js("import m from './m.wasm';\n" + WORKFLOW_JS, **{"m.wasm": {"wasm": NOT_WASM}}),
        "CompileError",
    ),
    "no-tenant-workflow": (
        js("export default { fetch() { return new Response('x'); } };"),
        "no such entrypoint: TenantWorkflow",
    ),
    "js-throws-at-import": (
        js("throw new Error('boom at import');\n" + WORKFLOW_JS),
        "Error: boom at import (index.js:1:",
    ),
    "py-raises-at-import": (
        py("raise ValueError('boom at import')\n" + WORKFLOW_PY),
        "ValueError: boom at import (main.py, line 1)",
    ),
    "py-syntax-error": (py("def (:\n"), "SyntaxError: invalid syntax (main.py, line 1)"),
    "py-no-tenant-workflow": (py("x = 1\n"), "no such entrypoint: TenantWorkflow"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_UPLOADS))
def test_code_that_does_not_load_gets_400_with_a_short_reason_and_is_not_stored(
    admin: httpx.Client, case: str
) -> None:
    body, reason = BROKEN_UPLOADS[case]
    response = admin.put(f"/admin/tenants/{case}", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error.startswith("the code does not load: ")
    assert reason in error
    assert "\n" not in error
    assert_no_traceback(error)
    assert admin.get(f"/admin/tenants/{case}").status_code == 404


@pytest.mark.parametrize("body", [js(WORKFLOW_JS), py(WORKFLOW_PY)], ids=["js", "py"])
def test_code_that_loads_is_stored(admin: httpx.Client, body: dict[str, object]) -> None:
    tenant = f"loads-{body['mainModule']}".replace(".", "-")
    assert admin.put(f"/admin/tenants/{tenant}", json=body).status_code == 201
    assert admin.get(f"/admin/tenants/{tenant}").status_code == 200


def test_stored_code_that_fails_to_load_answers_without_a_traceback(
    admin: httpx.Client, client: httpx.Client
) -> None:
    # Stored without the load probe, as by a dispatcher from before it.
    body = py("raise ValueError('boom at import')\n" + WORKFLOW_PY)
    stored = admin.put("/admin/debug/unchecked-upload/stored-broken", json=body)
    assert stored.status_code == 201, stored.text
    response = client.get("/t/stored-broken/anything")
    assert response.status_code == 502
    assert response.json()["error"] == "tenant 'stored-broken' failed to answer"
    assert response.json()["id"]
    assert_no_traceback(response.text)
    assert "boom" not in response.text


def test_a_tenant_whose_fetch_throws_answers_without_a_traceback(
    admin: httpx.Client, client: httpx.Client
) -> None:
    source = WORKFLOW_JS.replace(
        "return new Response('ok');", "throw new Error('/srv/secret/path failed');"
    )
    assert admin.put("/admin/tenants/js-throws", json=js(source)).status_code == 201
    response = client.get("/t/js-throws/")
    assert response.status_code == 502
    assert "secret" not in response.text
    assert_no_traceback(response.text)
