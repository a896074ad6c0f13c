"""The params rules on Python values (the core, on CPython), case by case from the one table.

``tests/vectors/params.json`` is the table every path that checks params runs; this is the
core's path, ``core.rules.check_params``, the check a Python tenant makes before the SDK
converts its params. The JavaScript paths and workerd run the same cases in
``tests/runtime/test_params_paths.py``.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from dynamic_workflows.core.errors import PREFIX, InvalidParamsError
from dynamic_workflows.core.rules import REFUSALS, check_params

ROOT = Path(__file__).resolve().parents[2]
CASES: list[dict[str, Any]] = json.loads((ROOT / "tests/vectors/params.json").read_text())["cases"]
#: The limit a size case is built against here (the core counts no size: see below).
LIMIT = 1000


def builder() -> ModuleType:
    """The Python builder of the cases' values (the Python tenant runs the same file)."""
    path = ROOT / "tests/runtime/tenants/py-probe/vectors.py"
    spec = importlib.util.spec_from_file_location("py_vectors", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VECTORS = builder()


def python_cases() -> list[dict[str, Any]]:
    """The cases Python has a value for (the others are JavaScript's)."""
    cases = []
    for case in CASES:
        try:
            VECTORS.build(case["value"], LIMIT)
        except VECTORS.Unbuildable:
            continue
        cases.append(case)
    return cases


PYTHON_CASES = python_cases()


@pytest.mark.parametrize("case", PYTHON_CASES, ids=[case["name"] for case in PYTHON_CASES])
def test_the_core_gives_each_case_its_verdict_and_message(case: dict[str, Any]) -> None:
    value = VECTORS.build(case["value"], LIMIT)
    if case.get("size") or "accepted" in case:
        # Sizes are counted on the JavaScript value the engine stores, in one place.
        check_params(value)
        return
    with pytest.raises(InvalidParamsError) as refused:
        check_params(value)
    assert str(refused.value) == PREFIX + case["refused"]


def test_every_refusal_of_the_table_is_a_case() -> None:
    """Each message of core.rules.REFUSALS is stated by some case of the vectors."""
    messages = [case["refused"] for case in CASES if "refused" in case]
    for code, template in REFUSALS.items():
        pattern = re.escape(template).replace(r"\{path\}", ".+").replace(r"\{what\}", ".+")
        assert any(re.fullmatch(pattern, m.replace("{limit}", "1")) for m in messages), code


def test_deeply_nested_params_do_not_hit_the_recursion_limit() -> None:
    params: object = "leaf"
    for _ in range(5000):
        params = [params]
    check_params(params)


def test_a_container_met_twice_is_walked_once() -> None:
    """Thirty nested pairs of one list: 2**30 paths, checked at once (each container once)."""
    level: object = ["x"]
    for _ in range(30):
        level = [level, level]
    check_params({"level": level})
