"""A tenant's dynamic worker: its Worker Loader ``WorkerCode`` from plain Python values.

``load_tenant_worker(env.LOADER, worker_id, ...)`` loads (once per id) a
tenant whose ``env.WORKFLOWS`` is the wrapped Workflow binding;
``tenant_worker_code(...)`` builds the ``WorkerCode`` itself. Both:

* pass the tenant's modules as a dispatcher stores them: ``{name: source}``
  (``.js`` is an ES module, ``.py`` Python) or ``{name: {type: content}}``
  with type ``js``, ``cjs``, ``py``, ``text``, ``json``, ``data`` or ``wasm``
  (``bytes`` for the last two);
* cut the tenant off the network: ``globalOutbound`` is a real JavaScript
  ``null`` unless ``global_outbound`` names what its ``fetch`` goes through
  (``pyodide.ffi.to_js`` would turn ``None`` into ``undefined``, which Worker
  Loader reads as "inherit the parent's network"); ``INHERIT_NETWORK`` asks
  for the parent's network explicitly;
* give a Python tenant (main module ``*.py``) what it needs to import
  ``dynamic_workflows.tenant`` and run on the SDK the dispatcher pins: this
  library's modules, the SDK's modules and its JavaScript helper (all under
  ``python_modules/``), the flags ``python_workers`` and
  ``enable_python_external_sdk`` (named at every date: Worker Loader turns the
  vendored SDK off otherwise, see ``core.flags``), and ``self.env.<env_name>``
  wrapped by the SDK as a Workflow binding (``runtime.tenant_env``). On the development
  runtime (the dispatcher itself runs with ``python_workers_development``)
  also that flag, ``disable_python_dedicated_snapshot`` (so that the runtime's
  baseline memory snapshot, restored in every Python isolate, fits the tenant
  too) and ``allowExperimental``: the tenant's own flags can then switch on
  experimental features, so accept only flags you allow;
* attach Tail Workers when asked (``tails``): service stubs, usually
  ``ctx.exports`` entrypoints of the dispatcher with props naming the tenant,
  that receive each invocation's logs, exceptions and outcome after it ends.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Mapping, Sequence
from functools import cache, partial
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from js import Object, Uint8Array
from pyodide.ffi import create_proxy, jsnull  # type: ignore[attr-defined]

from ..core.flags import dynamic_worker_flags
from ..core.rules import rules_for_javascript
from ..core.scoping import DEFAULT_SCOPE_KEY
from ..core.tenancy import TenantBinding
from . import javascript, sdk_workflows_js, tenant_env
from .binding import wrap_workflow_binding
from .convert import to_js
from .flags import DEVELOPMENT_FLAG, NO_DEDICATED_SNAPSHOT_FLAG, development_runtime

#: Module paths the library fills in for Python tenants.
RESERVED_PREFIXES = ("python_modules/",)
#: The ``.pth`` file that wraps the tenant's binding as a Workflow binding for the SDK.
ENV_HOOK = "python_modules/dynamic_workflows.pth"
_MODULE_TYPES = frozenset({"js", "cjs", "py", "text", "json", "data", "wasm"})


class _InheritNetwork:
    def __repr__(self) -> str:
        return "INHERIT_NETWORK"


#: ``global_outbound=INHERIT_NETWORK``: the tenant may reach whatever the dispatcher can.
INHERIT_NETWORK: Any = _InheritNetwork()


def load_tenant_worker(loader: Any, worker_id: str, **code: Any) -> Any:
    """The tenant's WorkerStub: ``loader.get(worker_id, ...)`` with ``tenant_worker_code(**code)``.

    Worker Loader caches an isolate per id and builds the code only for a new
    one, so ``worker_id`` must change whenever the code does (include a version).
    The callback it may call is made once per id and kept (the most recent
    ``CALLBACK_LIMIT`` ids): a fresh one per call would be left behind, with the
    code it holds, every time the isolate is already there.
    """
    callback = _CALLBACKS.pop(worker_id, None)
    if callback is None:
        callback = create_proxy(partial(tenant_worker_code, **code))
        if len(_CALLBACKS) >= CALLBACK_LIMIT:
            _CALLBACKS.pop(next(iter(_CALLBACKS))).destroy()
    _CALLBACKS[worker_id] = callback  # now the most recently used
    return loader.get(worker_id, callback)


#: How many tenant ids keep their code callback (see ``load_tenant_worker``).
CALLBACK_LIMIT = 512
_CALLBACKS: dict[str, Any] = {}


def tenant_worker_code(
    *,
    main_module: str,
    modules: Mapping[str, Any],
    metadata: Mapping[str, Any],
    compatibility_date: str,
    compatibility_flags: Sequence[str] = (),
    env: Mapping[str, Any] | None = None,
    binding_name: str = "WORKFLOWS",
    env_name: str = "WORKFLOWS",
    scope_key: str | None = DEFAULT_SCOPE_KEY,
    limits: Mapping[str, int] | None = None,
    global_outbound: Any = None,
    tails: Sequence[Any] | Callable[[], Sequence[Any]] = (),
) -> Any:
    """A Worker Loader ``WorkerCode`` (a JavaScript object) for one tenant.

    ``env[env_name]`` is ``wrap_workflow_binding(metadata, binding_name=,
    scope_key=)``; ``env`` adds other values (data, or bindings the dispatcher
    holds). Call it inside a request (the wrapped binding needs ctx.exports).
    ``compatibility_flags`` must not name a flag ``compatibility_date`` already
    enables (``core.flags.RedundantFlagError``: local workerd would load the
    worker silently, an older Cloudflare runtime would refuse it).
    ``tails`` are the Tail Workers' service stubs, or a function that makes them:
    it is called only when the code is built, so ``load_tenant_worker`` makes no
    stubs for an isolate that is already loaded.
    """
    python = main_module.endswith(".py")
    development = python and development_runtime()
    flags = dynamic_worker_flags(
        compatibility_flags,
        compatibility_date,
        python=python,
        # The dev runtime's baseline snapshot restores in the tenant's isolate too.
        extra=(DEVELOPMENT_FLAG, NO_DEDICATED_SNAPSHOT_FLAG) if development else (),
    )
    js_modules = Object.new()
    reserved = RESERVED_PREFIXES if python else (_guard_folder(main_module),)
    for name, module in modules.items():
        if name.startswith(reserved):
            raise ValueError(f"module {name!r}: {reserved[0]} is filled in by the dispatcher")
        setattr(js_modules, name, _module(name, module))
    if not python:
        limit = TenantBinding.create(metadata, scope_key).params_limit
        guard = _params_guard(main_module, modules.get(main_module), env_name, limit)
        for name, module in guard:
            setattr(js_modules, name, _module(name, module))
    worker = Object.new()
    if python:
        for name, module in python_tenant_modules().items():
            setattr(js_modules, name, _module(name, module))
        setattr(js_modules, ENV_HOOK, _module(ENV_HOOK, {"text": env_hook(env_name)}))
        if development:
            worker.allowExperimental = True
    js_env = Object.new()
    for key, value in (env or {}).items():
        setattr(js_env, key, to_js(value))
    setattr(
        js_env,
        env_name,
        wrap_workflow_binding(dict(metadata), binding_name=binding_name, scope_key=scope_key),
    )
    worker.compatibilityDate = compatibility_date
    worker.compatibilityFlags = to_js(flags)
    worker.mainModule = main_module
    worker.modules = js_modules
    worker.env = js_env
    if global_outbound is None:
        worker.globalOutbound = jsnull
    elif global_outbound is not INHERIT_NETWORK:
        worker.globalOutbound = global_outbound
    if limits is not None:
        worker.limits = to_js(dict(limits))
    stubs = list(tails() if callable(tails) else tails)
    if stubs:
        worker.tails = to_js(stubs)
    return worker


def _guard_folder(main_module: str) -> str:
    return posixpath.join(posixpath.dirname(main_module), "dynamic_workflows/")


def _params_guard(main_module: str, main: Any, env_name: str, limit: int) -> list[tuple[str, Any]]:
    """What a JavaScript tenant gets to check params before its calls leave its isolate.

    The library's module (``javascript.source()``), a module that configures it and
    guards ``env[env_name]`` (``guardBinding``, with the tenant's params ``limit``), and
    the main module importing that first (on its first line: line numbers stay). None
    for a CommonJS main module, or where the library's source is not readable.
    """
    source = javascript.source()
    text = main.get("js") if isinstance(main, Mapping) and len(main) == 1 else main
    if source is None or not isinstance(text, str) or not main_module.endswith((".js", ".mjs")):
        return []
    folder = _guard_folder(main_module)
    guard = (
        'import { env } from "cloudflare:workers";\n'
        'import { configure, guardBinding } from "./library.mjs";\n'
        f"configure({json.dumps(rules_for_javascript())});\n"
        "try {\n"
        f"  guardBinding(env[{json.dumps(env_name)}], {limit});\n"
        "} catch {}  // without JS RPC (compatibility dates before 2024-04-03): nothing to guard\n"
    )
    return [
        (folder + "library.mjs", {"js": source}),
        (folder + "guard.mjs", {"js": guard}),
        (main_module, {"js": 'import "./dynamic_workflows/guard.mjs"; ' + text}),
    ]


def env_hook(env_name: str) -> str:
    """The ``.pth`` line that has the SDK wrap ``env.<env_name>`` as a Workflow binding."""
    return (
        "import dynamic_workflows.runtime.tenant_env as hook; "
        f"hook.install([{json.dumps(env_name)}])\n"
    )


@cache
def python_tenant_modules() -> dict[str, dict[str, str]]:
    """What a Python tenant gets besides its own code, as ``{path: {type: source}}``.

    This library (so tenants can ``from dynamic_workflows.tenant import ...``)
    and the ``workers`` SDK this worker runs on, read from its own bundle:
    without it a dynamic worker gets the runtime's older built-in SDK, whose
    ``run`` returns Python objects that cannot cross RPC. The SDK's JavaScript
    helper comes from ``sdk_workflows_js`` (a Python package cannot ship one).
    """
    tenant_env.check(import_module(tenant_env.SDK_RPC))  # the SDK the tenants will run
    modules: dict[str, dict[str, str]] = {}
    for package in ("dynamic_workflows", "workers"):
        root = _package_dir(package)
        for path in sorted(root.rglob("*.py")):
            if "__pycache__" not in path.parts:
                relative = path.relative_to(root.parent).as_posix()
                modules[f"python_modules/{relative}"] = {"py": path.read_text()}
    modules[sdk_workflows_js.MODULE_NAME] = {"js": sdk_workflows_js.SOURCE}
    return modules


def _package_dir(name: str) -> Path:
    spec = find_spec(name)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"{name} is not installed in this worker")
    return Path(spec.origin).parent


def _module(name: str, module: Any) -> Any:
    """One module as Worker Loader takes it: a string, or ``{type: content}``."""
    if isinstance(module, str):
        return module
    if not isinstance(module, Mapping) or len(module) != 1:
        raise ValueError(f"module {name!r} must be a string or one {{type: content}} entry")
    ((kind, content),) = module.items()
    if kind not in _MODULE_TYPES:
        raise ValueError(f"module {name!r} has type {kind!r}, not one of {sorted(_MODULE_TYPES)}")
    entry = Object.new()
    if isinstance(content, bytes | bytearray | memoryview):
        data = bytes(content)
        array = Uint8Array.new(len(data))
        array.assign(data)
        content = array
    elif not isinstance(content, str):
        content = to_js(content)
    setattr(entry, kind, content)
    return entry
