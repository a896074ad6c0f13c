"""What a tenant may send the engine: the rules for params and event types, in one place.

The Workflows engine stores params as JSON, so a value JSON has no form for, or
writes as something else, would not come back as it was sent (``NaN`` becomes
``null``, a ``Map`` ``{}``, a tuple a list), and a function or a cycle leaves the
instance ``queued`` forever. Every such value is refused, naming where it is and
what to send instead, with one message per refusal (``REFUSALS``).

Each rule is applied where the value is still what the tenant wrote: JavaScript
values by the library's JavaScript module (``runtime/library.mjs``, given this
table), Python values here (``check_params``), before the SDK converts them. The
size of params is counted in one place, the JavaScript module, on the value the
engine will store. ``tests/vectors/params.json`` is the table of cases every path
runs; a path that disagrees on a verdict or a message fails it.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from .errors import PREFIX, InvalidParamsError

#: The engine refuses params (with the dispatcher's envelope) larger than this.
MAX_PAYLOAD_BYTES = 1024 * 1024
#: The largest integer a JavaScript number holds exactly (Number.MAX_SAFE_INTEGER).
MAX_SAFE_INTEGER = 2**53 - 1

#: One message per refusal: ``{path}`` is where the value is (``params.items[3].when``),
#: ``{what}`` what it is.
REFUSALS = {
    "undefined": "{path}: undefined, which JSON leaves out; send null or leave the key out",
    "non-finite": "{path}: {what}, which JSON writes as null; send a finite number or a string",
    "bigint": "{path}: a BigInt, which JSON cannot write; send it as a string",
    "big-int": "{path}: {what}, beyond JavaScript's safe integers (2**53 - 1); send a string",
    "function": "{path}: a function, which params cannot carry; send data only",
    "symbol": "{path}: a symbol, which cannot cross RPC; send a string",
    "cycle": "{path}: a reference back to an enclosing value (a cycle); send a tree of data",
    "key": "{path}: a key that is {what}; keys must be strings",
    "tuple": "{path}: a tuple; use a list",
    "set": "{path}: a set; use a list",
    "not-data": (
        "{path}: {what}, which the engine would not store as sent; send objects, arrays, "
        "strings, finite numbers, booleans, null and dates"
    ),
    "over-limit": (
        "{path}: over the engine's limit of {what} bytes for params (1 MiB with the "
        "dispatcher's envelope); store large data elsewhere (R2, KV) and pass its key"
    ),
}

#: The engine's rule for a ``sendEvent`` type (and a ``waitForEvent`` one): up to 100
#: characters matching this pattern, the instance id's. Workflows docs, "Events and
#: parameters": https://developers.cloudflare.com/workflows/build/events-and-parameters/
#: ("up to 100 characters", footnote 1; "only supports letters, digits, - and _").
EVENT_TYPE_PATTERN = "^[a-zA-Z0-9_][a-zA-Z0-9_-]*$"
EVENT_TYPE_MAX_LENGTH = 100
EVENT_TYPE_REFUSAL = (
    "sendEvent() type {what} is not one the Workflows engine accepts: 1 to 100 letters, "
    "digits, '_' and '-', not starting with '-'; send such a type, the one waitForEvent() "
    "names"
)


def rules_for_javascript() -> dict[str, Any]:
    """The tables above, as the JavaScript module takes them (``configure``)."""
    return {
        "prefix": PREFIX,
        "refusals": REFUSALS,
        "eventType": {
            "pattern": EVENT_TYPE_PATTERN,
            "maxLength": EVENT_TYPE_MAX_LENGTH,
            "refusal": EVENT_TYPE_REFUSAL,
        },
    }


def refusal(code: str, path: str, what: str = "") -> InvalidParamsError:
    """The error for refusal ``code`` of the value at ``path``."""
    return InvalidParamsError(REFUSALS[code].format(path=path, what=what))


def check_params(params: Any, path: str = "params") -> None:
    """Refuse Python params that would not reach the engine as sent (``InvalidParamsError``).

    Allowed: None, bool, int within JavaScript's safe integers, finite float,
    str, datetime, lists and dicts with string keys. Walked depth-first in
    order, each container once (a shared one is data; a cycle is refused
    where it loops), without recursion: deep params do not hit the limit.
    """
    active: set[int] = set()
    seen: set[int] = set()
    stack: list[tuple[Any, str] | int] = [(params, path)]
    while stack:
        entry = stack.pop()
        if isinstance(entry, int):  # leaving a container
            active.discard(entry)
            continue
        value, where = entry
        if value is None or isinstance(value, bool | str | datetime.datetime):
            continue
        if isinstance(value, int):
            if abs(value) > MAX_SAFE_INTEGER:
                raise refusal("big-int", where, str(value))
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise refusal("non-finite", where, _js_number(value))
        elif isinstance(value, dict | list):
            if id(value) in active:
                raise refusal("cycle", where)
            if id(value) in seen:
                continue
            seen.add(id(value))
            active.add(id(value))
            stack.append(id(value))
            stack.extend(reversed(_children(value, where)))
        else:
            raise _kind(value, where)


def _children(value: dict[Any, Any] | list[Any], where: str) -> list[tuple[Any, str]]:
    if isinstance(value, list):
        return [(item, f"{where}[{index}]") for index, item in enumerate(value)]
    for key in value:
        if not isinstance(key, str):
            raise refusal("key", where, f"{_a(type(key).__name__)} ({key!r})")
    return [(item, f"{where}.{key}") for key, item in value.items()]


def _kind(value: Any, where: str) -> InvalidParamsError:
    if isinstance(value, tuple):
        return refusal("tuple", where)
    if isinstance(value, set | frozenset):
        return refusal("set", where)
    if callable(value):
        return refusal("function", where)
    what = "bytes" if isinstance(value, bytes | bytearray) else _a(type(value).__name__)
    return refusal("not-data", where, what)


def _a(name: str) -> str:
    return f"{'an' if name[:1] in 'aeiouAEIOU' else 'a'} {name}"


def _js_number(value: float) -> str:
    """How JavaScript writes a non-finite number: ``NaN``, ``Infinity``, ``-Infinity``."""
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
