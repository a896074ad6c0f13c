"""Python tenants get the dispatcher's workers SDK, including its JavaScript helper."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_sdk_helper_carried_for_python_tenants_is_the_vendored_sdks_own() -> None:
    carried = ROOT / "src" / "dispatcher" / "sdk_workflows.js.txt"
    vendored = ROOT / "python_modules" / "workers" / "workflows.js"
    assert carried.read_text() == vendored.read_text(), (
        "workers-runtime-sdk changed workflows.js: copy it to src/dispatcher/sdk_workflows.js.txt"
    )
