"""Error classes: each message says what went wrong and what to do about it.

Every error raised at the edge (wrapping, create, get) is raised before anything
is persisted, so a caller that sees one knows nothing was half-created.
"""

from __future__ import annotations

PREFIX = "dynamic-workflows: "


class DynamicWorkflowsError(Exception):
    """Base class of every error this library raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(PREFIX + message)


class MissingDispatcherMetadataError(DynamicWorkflowsError):
    """A run's payload is not a dispatcher envelope (created on the raw binding)."""

    def __init__(self) -> None:
        super().__init__(
            "workflow event is missing dispatcher metadata. Did you forget to wrap "
            "the Workflow binding with wrap_workflow_binding()? Instances must be "
            "created through the wrapped binding, not the raw one."
        )


class InvalidMetadataError(DynamicWorkflowsError, ValueError):
    """Metadata given to wrap_workflow_binding cannot be persisted or scoped."""


class InvalidInstanceIdError(DynamicWorkflowsError, ValueError):
    """An instance id the Workflows engine would refuse."""


class InvalidParamsError(DynamicWorkflowsError, ValueError):
    """Params that cannot be persisted: too large, cyclic, or not data."""


class InvalidCreateOptionsError(DynamicWorkflowsError, ValueError):
    """Options of create() or an item of createBatch() that are not well-formed."""


class InvalidBatchError(DynamicWorkflowsError, ValueError):
    """A createBatch() batch that is not a list of 1 to 100 create options."""


class InvalidEventError(DynamicWorkflowsError, ValueError):
    """A sendEvent() the engine would refuse: its type breaks the engine's rule."""


class InstanceNotFoundError(DynamicWorkflowsError, LookupError):
    """No instance with that id exists for this tenant (it may exist for another)."""

    def __init__(self, instance_id: str) -> None:
        super().__init__(
            f"instance.not_found: no workflow instance with id {instance_id!r}. "
            "Use an id returned by create() or createBatch() on this binding."
        )
        self.instance_id = instance_id


class InstanceAlreadyExistsError(DynamicWorkflowsError, ValueError):
    """The tenant already has an instance with that id (ids are never reused)."""

    def __init__(self, instance_id: str | None) -> None:
        which = "one of these ids" if instance_id is None else f"id {instance_id!r}"
        super().__init__(
            f"instance.already_exists: this binding already has an instance with {which}. "
            "Pick a new id, or get() the existing instance."
        )
        self.instance_id = instance_id


class WorkflowEngineError(DynamicWorkflowsError, RuntimeError):
    """The Workflows engine refused a call for a reason of its own (a limit, a rate)."""

    def __init__(self, message: str) -> None:
        super().__init__(f"the Workflows engine refused the call: {message}")


class QuotaExceededError(DynamicWorkflowsError, RuntimeError):
    """A create the platform refused before the engine: the tenant is past one of its quotas.

    ``quota`` names it (``creates_per_second`` or ``max_unfinished``), ``limit`` is its
    value, ``retry_after`` the seconds until a retry can succeed (None: when an
    unfinished instance finishes). Nothing was created.
    """

    def __init__(
        self,
        quota: str,
        limit: float,
        reason: str,
        retry_after: float | None = None,
        *,
        when: str = "when one of your unfinished instances finishes",
    ) -> None:
        if retry_after is not None:
            when = f"in {retry_after:.2f} s"
        super().__init__(
            f"quota.exceeded: {quota} is {limit:g} for this tenant ({reason}); "
            f"nothing was created, retry {when}."
        )
        self.quota = quota
        self.limit = limit
        self.retry_after = retry_after


class DispatcherInternalError(DynamicWorkflowsError, RuntimeError):
    """The dispatcher failed unexpectedly; the detail is in its log, under ``reference``."""

    def __init__(self, reference: str) -> None:
        super().__init__(
            f"the dispatcher failed unexpectedly (reference {reference}); "
            "retry, and give the platform this reference if it persists."
        )
        self.reference = reference


class BindingNotExportedError(DynamicWorkflowsError, RuntimeError):
    """The dispatcher's main module does not export DynamicWorkflowBinding."""

    def __init__(self) -> None:
        super().__init__(
            "`DynamicWorkflowBinding` is not on ctx.exports. Add "
            "`from dynamic_workflows import DynamicWorkflowBinding` to your "
            "dispatcher's main module (and keep it in `__all__` if you define one)."
        )


class MissingWorkflowBindingError(DynamicWorkflowsError, RuntimeError):
    """The dispatcher's env has no Workflow binding under the configured name."""

    def __init__(self, binding_name: str) -> None:
        super().__init__(
            f'no Workflow binding named "{binding_name}" on the dispatcher\'s env. '
            "Declare it under `workflows` in wrangler.jsonc, or pass its name as "
            "wrap_workflow_binding(..., binding_name=...)."
        )


def error_from_rpc(name: str, message: str) -> DynamicWorkflowsError | None:
    """The library error a JavaScript error from the dispatcher stands for, rebuilt.

    The dispatcher throws its errors to tenants as JavaScript errors named after
    the class, with the one-line message; rebuilding the class lets Python tenant
    code write ``except InstanceNotFoundError``.
    """
    cls = _BY_NAME.get(name)
    if cls is None or not message.startswith(PREFIX):
        return None
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    return error


def _classes(cls: type[DynamicWorkflowsError]) -> list[type[DynamicWorkflowsError]]:
    return [cls, *(sub for direct in cls.__subclasses__() for sub in _classes(direct))]


_BY_NAME = {cls.__name__: cls for cls in _classes(DynamicWorkflowsError)}
