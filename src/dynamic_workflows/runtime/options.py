"""A create's options on their way to the engine: read, params checked, built as JavaScript.

With the raw-argument path the options arrive as the JavaScript the tenant sent, and
are read one level deep: params stay JavaScript, checked and measured by the library's
JavaScript module (``checkParams``), and go to the engine as they are. Without it
(the ``raw-rpc-arguments`` fallback) they arrive converted by the SDK: the params are
checked as Python values (``core.rules.check_params``), converted once, and measured
the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from js import JSON, Array, Object

from ..core.envelope import METADATA_KEY, PARAMS_KEY
from ..core.errors import InvalidParamsError
from ..core.rules import check_params
from ..core.tenancy import TenantBinding
from ..core.validation import check_batch
from .convert import is_js, is_null, to_js


def read_create(options: Any, limit: int, js: Any, path: str = "params") -> Any:
    """``create()``'s options one level deep, their params checked and as JavaScript.

    Params left out (or ``undefined``) are ``{}``, as a Workflow binding stores them.
    """
    options = {} if is_null(options) else _one_level(options)
    if not isinstance(options, Mapping):
        return options  # tenancy refuses it, naming it
    params = options.get(PARAMS_KEY)
    if params is None:
        params = Object.new()
    elif not is_js(params) and not is_null(params):
        params = _python_params(params, path)
    checked = js.checkParams(params, limit, path)
    if not checked.ok:
        raise InvalidParamsError(str(checked.message))
    return {**options, PARAMS_KEY: params}


def read_batch(batch: Any, limit: int, js: Any) -> list[Any]:
    """``createBatch()``'s items, checked as a batch, then each item as ``read_create``."""
    if is_js(batch) and Array.isArray(batch):
        batch = [_one_level(item) for item in batch.to_py(depth=1)]
    items = check_batch(None if is_null(batch) else batch)
    return [read_create(item, limit, js, f"batch[{n}].params") for n, item in enumerate(items)]


def _python_params(params: Any, path: str) -> Any:
    """Params the SDK converted to Python (the ``raw-rpc-arguments`` fallback), checked and
    as JavaScript: through the C JSON encoder when JavaScript reads the text back as written
    (one native comparison), else by the rules, named (``check_params``), and ``to_js``."""
    try:
        text = json.dumps(params, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
        value = JSON.parse(text)
        if JSON.stringify(value) == text:
            return value
    except (TypeError, ValueError, RecursionError):
        pass
    check_params(params, path)
    return to_js(params)


def _one_level(value: Any) -> Any:
    """A JavaScript object as a dict of its JavaScript values; null as None."""
    if is_null(value):
        return None
    if is_js(value) and value.typeof == "object" and not Array.isArray(value):
        return value.to_py(depth=1)
    return value


def engine_options(options: Mapping[str, Any], metadata_js: Any) -> Any:
    """A create's engine options as JavaScript, built field by field: the envelope's
    metadata is the tenant's JavaScript copy, made once, and params stay as they are."""
    js_options = Object.new()
    for key, value in options.items():
        if key == PARAMS_KEY and isinstance(value, dict):
            envelope = Object.new()
            for name, item in value.items():
                setattr(envelope, name, metadata_js if name == METADATA_KEY else to_js(item))
            setattr(js_options, key, envelope)
        else:
            setattr(js_options, key, value if isinstance(value, str) else to_js(value))
    return js_options


def tenant_of(props: Any) -> tuple[str, TenantBinding, Any]:
    """The binding's name, the tenant, and its metadata as JavaScript, for ``ctx.props``."""
    # The props' JSON is their identity: a tenant is checked once, not on every call.
    return _tenant_for(JSON.stringify(props))


@lru_cache(maxsize=4096)
def _tenant_for(props_json: str) -> tuple[str, TenantBinding, Any]:
    props = json.loads(props_json)
    tenant = TenantBinding.create(props["metadata"], props.get("scopeKey"))
    # Read-only, and plain data: one JavaScript copy serves every create of the tenant.
    return props["bindingName"], tenant, to_js(tenant.metadata)
