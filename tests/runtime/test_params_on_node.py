"""The params cases on the library's JavaScript (``library.mjs``'s ``checkParams``), under Node.

The same module checks params in the dispatcher and in JavaScript tenants; here it runs
under the pinned Node, every case of tests/vectors/params.json, and counts sizes against
Node's own UTF-8 byte count.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.runtime.params_vectors import (
    CASES,
    JS_CASES,
    NODE_LIMIT,
    expected,
    outcome_on_node,
    run_node,
)

IN_JS = [case for case in CASES if case["name"] in JS_CASES]


@pytest.fixture(scope="module")
def node() -> dict[str, Any]:
    return run_node([])


@pytest.mark.parametrize("case", IN_JS, ids=[case["name"] for case in IN_JS])
def test_the_javascript_module_gives_each_case_its_verdict_and_message(
    node: dict[str, Any], case: dict[str, Any]
) -> None:
    assert outcome_on_node(node["results"][case["name"]]) == expected(case, NODE_LIMIT)


# Text JSON writes as it is (no escapes), surrogates excluded: its UTF-8 size is exact.
plain_text = st.text(st.characters(exclude_categories=("Cc", "Cs"), exclude_characters='"\\'))
json_data = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | plain_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(plain_text, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=1, deadline=None)
@given(samples=st.lists(json_data, min_size=200, max_size=200))
def test_the_size_is_the_utf8_length_of_the_json_as_node_counts_it(samples: list[Any]) -> None:
    """One count of a size: 200 generated values at once, against Node's own byte count."""
    sizes = run_node(samples)["sizes"]
    assert [checked["size"] for checked, _ in sizes] == [bytes_ for _, bytes_ in sizes]


@pytest.mark.parametrize(
    "text",
    [
        "plain text",
        "\u00e9t\u00e9",
        "\u65e5\u672c\u8a9e",
        "\U0001f600" * 3,
        "\U0001f600x\u00e9\u65e5",
    ],
    ids=["ascii", "two-byte", "three-byte", "four-byte", "mixed"],
)
def test_characters_count_their_utf8_bytes(text: str) -> None:
    ((checked, bytes_),) = run_node([{"k": text, text: 1}])["sizes"]
    assert checked["size"] == bytes_
