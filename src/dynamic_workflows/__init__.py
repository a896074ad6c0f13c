"""dynamic-workflows: run a different Workflow per tenant from one Python dispatcher.

The core (``dynamic_workflows.core``) is pure Python. The runtime names below
need the Workers runtime and are imported on first use, so the core can be
imported (and tested) on CPython.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .core.details import private_details, record_detail
from .core.errors import (
    BindingNotExportedError,
    DispatcherInternalError,
    DynamicWorkflowsError,
    InstanceAlreadyExistsError,
    InstanceNotFoundError,
    InvalidBatchError,
    InvalidCreateOptionsError,
    InvalidEventError,
    InvalidInstanceIdError,
    InvalidMetadataError,
    InvalidParamsError,
    MissingDispatcherMetadataError,
    MissingWorkflowBindingError,
    QuotaExceededError,
    WorkflowEngineError,
)
from .core.scoping import DEFAULT_SCOPE_KEY, TenantScope

#: The library's version (the wheel's, from pyproject.toml's dynamic version).
__version__ = "0.1.0"

if TYPE_CHECKING:
    from .runtime.binding import DynamicWorkflowBinding, wrap_workflow_binding
    from .runtime.convert import is_null, to_js, to_py
    from .runtime.details import force_fallback, try_private_details
    from .runtime.entrypoint import (
        DynamicWorkflowEntrypoint,
        create_dynamic_workflow_entrypoint,
        dispatch_workflow,
    )
    from .runtime.flags import development_runtime
    from .runtime.loader import (
        INHERIT_NETWORK,
        load_tenant_worker,
        tenant_worker_code,
    )
    from .runtime.raw_args import raw_rpc_arguments
    from .runtime.surface import RpcSurface, entrypoint_surface, surface_ignored

_RUNTIME = {
    "DynamicWorkflowBinding": "binding",
    "RpcSurface": "surface",
    "entrypoint_surface": "surface",
    "surface_ignored": "surface",
    "force_fallback": "details",
    "try_private_details": "details",
    "is_null": "convert",
    "raw_rpc_arguments": "raw_args",
    "to_js": "convert",
    "to_py": "convert",
    "wrap_workflow_binding": "binding",
    "DynamicWorkflowEntrypoint": "entrypoint",
    "create_dynamic_workflow_entrypoint": "entrypoint",
    "dispatch_workflow": "entrypoint",
    "INHERIT_NETWORK": "loader",
    "development_runtime": "flags",
    "load_tenant_worker": "loader",
    "tenant_worker_code": "loader",
}

__all__ = [
    "DEFAULT_SCOPE_KEY",
    "INHERIT_NETWORK",
    "BindingNotExportedError",
    "DispatcherInternalError",
    "DynamicWorkflowBinding",
    "DynamicWorkflowEntrypoint",
    "DynamicWorkflowsError",
    "InstanceAlreadyExistsError",
    "InstanceNotFoundError",
    "InvalidBatchError",
    "InvalidCreateOptionsError",
    "InvalidEventError",
    "InvalidInstanceIdError",
    "InvalidMetadataError",
    "InvalidParamsError",
    "MissingDispatcherMetadataError",
    "MissingWorkflowBindingError",
    "QuotaExceededError",
    "RpcSurface",
    "TenantScope",
    "WorkflowEngineError",
    "create_dynamic_workflow_entrypoint",
    "development_runtime",
    "dispatch_workflow",
    "entrypoint_surface",
    "force_fallback",
    "is_null",
    "load_tenant_worker",
    "private_details",
    "raw_rpc_arguments",
    "record_detail",
    "surface_ignored",
    "tenant_worker_code",
    "to_js",
    "to_py",
    "try_private_details",
    "wrap_workflow_binding",
]


def __getattr__(name: str) -> Any:
    if name in _RUNTIME:
        return getattr(import_module(f".runtime.{_RUNTIME[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
