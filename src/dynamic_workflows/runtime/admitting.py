"""The binding's side of the admission hook (``core.admission``): reserve, cancel, refuse.

A hook is asked before the engine (``reserve``, refusing by raising); when the engine
then refuses, the reservation is cancelled. A ``NativeAdmission``'s call is made and
read in JavaScript (``library.mjs``'s ``createInto``), which calls back ``Admitting``
only for an answer that is not ``ok`` or an engine refusal.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, cast

from js import Promise
from pyodide.ffi import create_once_callable, jsnull  # type: ignore[attr-defined]

from ..core.admission import Admission, NativeAdmission, Reservation
from ..core.errors import DynamicWorkflowsError
from ..core.tenancy import TenantBinding
from .convert import is_null, to_js, to_py
from .errors import error_pair, internal_error


async def reserve(
    admission: Admission | None, tenant: TenantBinding, engine_ids: Sequence[str], name: str
) -> Reservation | None:
    """Ask the hook, before the engine is called (it may refuse by raising)."""
    if admission is None:
        return None
    return await admission.reserve(tenant.metadata, engine_ids, name)


@asynccontextmanager
async def cancelled_on_refusal(reservation: Reservation | None) -> AsyncIterator[None]:
    """Cancel the reservation when the engine refused (the block raised)."""
    try:
        yield
    except BaseException:
        await _cancel(reservation)
        raise


async def _cancel(reservation: Reservation | None) -> None:
    """Tell the hook the engine refused; a failure here is logged, never the tenant's."""
    if reservation is None:
        return
    try:
        await reservation.cancel()
    except Exception as exc:
        internal_error(exc)  # logs it: the hook reconciles reservations itself


class Admitting:
    """One create's admission, and what ``createInto`` calls back: ``(kind, value, answer)``.

    ``admit``: the native hook's answer ``value`` was not ok
    (``NativeAdmission.admit``); ``refused``: the engine refused with message
    ``value`` (cancel the reservation, the one made here or the one the native
    hook's ``answer`` stands for; name the refusal); ``error``: the native
    hook's call failed with ``value``. Answers ``[name, message]`` of the
    error to throw, or null to go on. Never raises: a tenant sees only named
    errors.
    """

    def __init__(
        self,
        admission: Admission | None,
        tenant: TenantBinding,
        tenant_id: str | None,
        engine_ids: list[str],
        binding_name: str,
    ) -> None:
        self.admission, self.tenant, self.tenant_id = admission, tenant, tenant_id
        self.engine_ids, self.binding_name = engine_ids, binding_name
        self.reservation: Reservation | None = None

    def native_call(self) -> Any:
        """A ``NativeAdmission``'s call, ``[object, method, argument]`` as JavaScript; None
        without one (the hook, if any, is asked with ``reserve``)."""
        ask = getattr(self.admission, "reserve_natively", None)
        if ask is None:
            return None
        call = ask(self.tenant.metadata, self.engine_ids, self.binding_name)
        return None if call is None else to_js(list(call))

    async def reserve(self) -> None:
        self.reservation = await reserve(
            self.admission, self.tenant, self.engine_ids, self.binding_name
        )

    def __call__(self, kind: str, value: Any, answer: Any = None) -> Any:
        # A JS promise: a coroutine returned to JavaScript would not outlive this call.
        return _promise(self._answer(kind, value, answer))

    async def _answer(self, kind: str, value: Any, answer: Any) -> Any:
        metadata = self.tenant.metadata
        try:
            native = cast(NativeAdmission, self.admission)  # "admit", "error": only then
            if kind == "admit":
                self.reservation = await native.admit(
                    to_py(value), metadata, self.engine_ids, self.binding_name
                )
                return jsnull
            if kind == "refused":
                if self.reservation is None and not is_null(answer):
                    self.reservation = native.reservation(to_py(answer), metadata)
                await _cancel(self.reservation)
                error: Exception = self.tenant.engine_refusal(str(value), self.tenant_id)
            else:
                error = internal_error(RuntimeError(f"the admission hook failed: {value}"))
        except DynamicWorkflowsError as exc:
            error = exc
        except Exception as exc:
            error = internal_error(exc)
        return error_pair(error)


def _promise(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """A JavaScript promise of what ``coroutine`` returns: ``[name, message]`` or null.

    Should it end otherwise (cancelled), the promise still settles, with the internal
    error's ``[name, message]``: the tenant's create must not wait forever.
    """
    task = asyncio.ensure_future(coroutine)

    def settle(resolve: Any, done: asyncio.Future[Any]) -> None:
        try:
            resolve(done.result())
        except BaseException as exc:
            resolve(error_pair(internal_error(exc)))

    def executor(resolve: Any, _reject: Any) -> None:
        task.add_done_callback(partial(settle, resolve))

    return Promise.new(create_once_callable(executor))
