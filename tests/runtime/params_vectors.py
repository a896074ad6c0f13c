"""The one table of params cases (tests/vectors/params.json) and the JavaScript module's answers.

Shared by the tests that run the cases on each path: under Node (test_params_on_node.py) and
in workerd (test_params_paths.py).
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from dynamic_workflows.core.errors import PREFIX
from dynamic_workflows.core.rules import rules_for_javascript
from tools.offline_runtime.pins import NODE, ROOT

CASES: list[dict[str, Any]] = json.loads((ROOT / "tests/vectors/params.json").read_text())["cases"]
LIBRARY = ROOT / "src/dynamic_workflows/runtime/library.mjs"
BUILDER = ROOT / "tests/runtime/tenants/js-probe/vectors.js"
#: The limit the cases are built against under Node.
NODE_LIMIT = 5000

NODE_SCRIPT = """
const [library, builder, input] = process.argv.slice(1);
const { configure, checkParams } = await import(library);
const { build, Unbuildable } = await import(builder);
const { rules, cases, limit, samples } = JSON.parse(input);
configure(rules);
const results = {};
for (const vector of cases) {
  let value;
  try {
    value = build(vector.value, limit);
  } catch (error) {
    if (error instanceof Unbuildable) continue;
    throw error;
  }
  results[vector.name] = checkParams(value, limit);
}
const sizes = samples.map((sample) =>
  [checkParams(sample, 1 << 30), Buffer.byteLength(JSON.stringify(sample))]);
console.log(JSON.stringify({ results, sizes }));
"""


def run_node(samples: list[Any]) -> dict[str, Any]:
    given_input = {
        "rules": rules_for_javascript(),
        "cases": CASES,
        "limit": NODE_LIMIT,
        "samples": samples,
    }
    done = subprocess.run(
        [
            str(NODE),
            "--input-type=module",
            "-e",
            NODE_SCRIPT,
            LIBRARY.as_uri(),
            BUILDER.as_uri(),
            json.dumps(given_input),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return dict(json.loads(done.stdout))


def outcome_on_node(result: dict[str, Any]) -> dict[str, Any]:
    """``checkParams``'s answer as a create's outcome."""
    if result["ok"]:
        return {"ok": True}
    return {"ok": False, "name": "InvalidParamsError", "message": PREFIX + result["message"]}


def expected(case: dict[str, Any], limit: int) -> dict[str, Any]:
    """The outcome every path must give ``case`` (``{limit}``: the path's params limit)."""
    if "accepted" in case:
        return {"ok": True}
    message = PREFIX + case["refused"].replace("{limit}", str(limit))
    return {"ok": False, "name": "InvalidParamsError", "message": message}


#: The cases JavaScript has a value for (the others are Python's).
JS_CASES = set(run_node([])["results"])
