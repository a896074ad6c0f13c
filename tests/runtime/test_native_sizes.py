"""native.mjs's size of params, checked under Node against Node's own UTF-8 byte count.

The engine's limit is in UTF-8 bytes of the stored JSON; ``inspectParams`` counts them from
JSON.stringify's UTF-16 text. An undercount only shows in workerd as the engine refusing
instead of the library (the same error reaches the tenant), so it is pinned down here.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tools.offline_runtime.pins import NODE, ROOT

NATIVE = ROOT / "src" / "dynamic_workflows" / "runtime" / "native.mjs"
SCRIPT = """
const { inspectParams } = await import(process.argv[1]);
const params = JSON.parse(process.argv[2]);
const seen = inspectParams(params);
console.log(JSON.stringify({ seen, bytes: Buffer.byteLength(JSON.stringify(params)) }));
"""


@pytest.mark.parametrize(
    "params",
    [
        {"ascii": "plain text"},
        {"latin": "\u00e9t\u00e9"},
        {"cjk": "\u65e5\u672c\u8a9e"},
        {"astral": "\U0001f600" * 3},
        ["mixed", "\U0001f600x\u00e9\u65e5", {"k\U0001f600": 1}],
    ],
    ids=["ascii", "two-byte", "three-byte", "four-byte", "mixed"],
)
def test_params_are_measured_in_utf8_bytes(params: object) -> None:
    done = subprocess.run(
        [str(NODE), "--input-type=module", "-e", SCRIPT, NATIVE.as_uri(), json.dumps(params)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result = json.loads(done.stdout)
    assert result["seen"] == {"ok": True, "size": result["bytes"]}
