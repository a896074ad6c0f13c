"""The reference dispatcher's platform settings: shards, the index binding, default quotas.

Pure values (no ``js``), so the pure modules and their tests can read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .quota import Quota

#: Every Workflow binding of ``DynamicWorkflow`` the dispatcher runs tenants on (wrangler.jsonc).
#: A tenant's shard is recorded with it; remove a binding only once no tenant is recorded on it.
SHARDS: tuple[str, ...] = ("WORKFLOWS_0", "WORKFLOWS_1")
#: The shards new tenants are placed on (a subset of SHARDS: leave a full one out of it).
OPEN_SHARDS: tuple[str, ...] = SHARDS
#: The shard of a tenant whose pointer predates shards (the platform's first Workflow).
LEGACY_SHARD = SHARDS[0]
#: The Durable Object namespace of the per-tenant instance index (SQLite storage).
INDEX_BINDING = "TENANT_INDEX"
#: Every tenant's quota until ``PUT /admin/tenants/<t>/quota`` sets its own.
#: A Workflow takes 100 creations/s and an account 300/s (paid plan): keep the sum of
#: the tenants' bursts that may coincide within what the shards take.
DEFAULT_QUOTA = Quota(creates_per_second=50.0, burst=100, max_unfinished=10_000)
#: A reservation older than this that the engine does not know is a create that never
#: happened (the dispatcher died between reserving and settling): it is dropped.
STALE_RESERVATION_S = 30.0
#: How long a DELETE waits for creates admitted before it (their rows reserved) to reach the
#: engine, to terminate them too; one the engine creates later still would be left running.
IN_FLIGHT_CREATE_S = 5.0
#: How many of a tenant's unfinished instances one create at the cap re-checks with the engine.
RECHECK_AT_CAP = 50


@dataclass(frozen=True, slots=True)
class LogLimits:
    """How much of a tenant's logs its index keeps: the newest ``entries`` within ``bytes``
    (older ones dropped and counted); one entry's text is cut at ``message_bytes``, and one
    invocation sends at most ``per_invocation`` entries (the rest are counted as dropped).
    The tail writes the entries of the tenant's invocations of ``batch_ms`` in one call to
    the index, at most ``per_batch`` entries a call."""

    entries: int
    bytes: int
    message_bytes: int
    per_invocation: int
    per_batch: int
    batch_ms: int


LOG_LIMITS = LogLimits(
    entries=1000,
    bytes=512 * 1024,
    message_bytes=8 * 1024,
    per_invocation=100,
    per_batch=500,
    batch_ms=250,
)
#: What each tenant's dynamic worker may use per invocation (its WorkerCode's ``limits``):
#: CPU milliseconds (Cloudflare's Workers Paid plan allows up to 300,000) and subrequests.
#: Cloudflare enforces them, and on its own 1 s of CPU for a worker's start-up and 128 MB
#: of memory per isolate; local workerd enforces none of these (docs/threat-model.md).
TENANT_LIMITS = {"cpuMs": 5_000, "subRequests": 50}
#: The variable naming the dev tooling's probe process (local runs only: a deployed
#: dispatcher has no such variable, and its uploads load under Cloudflare's bounds).
UPLOAD_PROBE_VARIABLE = "DW_UPLOAD_PROBE_URL"
#: ``1`` turns on the test-only ``/admin/debug/*`` routes (the test suite's dev servers).
DEBUG_ROUTES_VARIABLE = "DW_DEBUG_ROUTES"
#: ``1`` turns on ``POST /admin/dev/wake`` on the development runtime (``make dev``, the
#: tests). Every one of these three is absent from a deployed config (tests/test_config.py),
#: and ``GET /admin/status`` says which are on (``devOnly``).
DEV_WAKE_VARIABLE = "DW_DEV_WAKE"
DEV_ONLY_VARIABLES = (UPLOAD_PROBE_VARIABLE, DEBUG_ROUTES_VARIABLE, DEV_WAKE_VARIABLE)
