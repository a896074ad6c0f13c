"""Nothing lost: version pinning, a dev-server restart mid-workflow, a burst of creates."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import Dispatcher, act, create, wait_for, wait_until_waiting_for_event
from tools.tenant_code import TENANTS_DIR, upload, upload_body

pytestmark = pytest.mark.workerd


def tagged(directory: str, tag: str) -> dict[str, object]:
    """The example tenant's code with its CODE_TAG changed."""
    body = upload_body(TENANTS_DIR / directory)
    modules = body["modules"]
    main = body["mainModule"]
    modules[main] = (
        modules[main]
        .replace("CODE_TAG = 'v1'", f"CODE_TAG = '{tag}'")
        .replace('CODE_TAG = "v1"', f'CODE_TAG = "{tag}"')
    )
    return body


@pytest.mark.parametrize("directory", ["js-orders", "py-orders"])
def test_a_waiting_instance_finishes_on_the_code_it_started_with(
    admin: httpx.Client, client: httpx.Client, directory: str
) -> None:
    tenant = f"pin-{directory}"
    upload(admin, tenant, tagged(directory, "v1"))
    old = create(client, tenant, id="pinned", params={"waitForEvent": True})
    wait_until_waiting_for_event(client, tenant, old)
    upload(admin, tenant, tagged(directory, "v2"))
    act(client, tenant, old, "event", {"type": "approval", "payload": "go"})
    assert wait_for(client, tenant, old)["output"]["codeTag"] == "v1"
    new = create(client, tenant, id="fresh", params={})
    assert wait_for(client, tenant, new)["output"]["codeTag"] == "v2"


def test_an_instance_survives_a_dev_server_restart(
    dispatcher: Dispatcher, client: httpx.Client
) -> None:
    if dispatcher.server is None:
        pytest.skip("a deployed dispatcher cannot be restarted from here")
    instance_id = create(client, "js-orders", id="survivor", params={"waitForEvent": True})
    wait_until_waiting_for_event(client, "js-orders", instance_id)
    dispatcher.server.restart()
    with dispatcher.client() as fresh:
        act(fresh, "js-orders", instance_id, "event", {"type": "approval", "payload": "back"})
        result = wait_for(fresh, "js-orders", instance_id, timeout=120)
    assert result["status"] == "complete"
    assert result["output"]["approval"] == "back"


def test_a_burst_of_creates_from_several_tenants_is_all_accounted_for(
    dispatcher: Dispatcher,
) -> None:
    jobs = [
        (tenant, f"burst-{n}")
        for tenant in ("js-orders", "js-rival", "py-orders")
        for n in range(15)
    ]

    def run(job: tuple[str, str]) -> str:
        tenant, instance_id = job
        with dispatcher.client() as c:
            assert create(c, tenant, id=instance_id, params={"who": instance_id}) == instance_id
            return str(wait_for(c, tenant, instance_id, timeout=180)["output"]["greeting"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        greetings = list(pool.map(run, jobs))
    assert greetings == [f"Hello, {instance_id}!" for _, instance_id in jobs]
