"""The pure core: envelope, validation, id scoping, event shaping, errors.

Nothing here imports ``js``, ``pyodide`` or ``workers``; it runs and is tested
on CPython.
"""

from .admission import Admission, NativeAdmission, Reservation
from .details import private_details, record_detail
from .envelope import METADATA_KEY, PARAMS_KEY, unwrap_params, wrap_params
from .errors import (
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
    error_from_rpc,
)
from .events import engine_abort, run_scope, tenant_event
from .rules import MAX_PAYLOAD_BYTES, check_params
from .scoping import DEFAULT_SCOPE_KEY, TENANT_ID_MAX_LENGTH, TenantScope
from .tenancy import PreparedCreate, TenantBinding
from .validation import MAX_BATCH_SIZE

__all__ = [
    "DEFAULT_SCOPE_KEY",
    "MAX_BATCH_SIZE",
    "MAX_PAYLOAD_BYTES",
    "METADATA_KEY",
    "PARAMS_KEY",
    "TENANT_ID_MAX_LENGTH",
    "Admission",
    "BindingNotExportedError",
    "DispatcherInternalError",
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
    "NativeAdmission",
    "PreparedCreate",
    "QuotaExceededError",
    "Reservation",
    "TenantBinding",
    "TenantScope",
    "WorkflowEngineError",
    "check_params",
    "engine_abort",
    "error_from_rpc",
    "private_details",
    "record_detail",
    "run_scope",
    "tenant_event",
    "unwrap_params",
    "wrap_params",
]
