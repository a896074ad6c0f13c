"""``make dev``'s terminal: request lines and errors, a deliberate refusal in one line."""

from tools.dev import terminal_lines

LOG = [
    "[wrangler:info] Ready on http://127.0.0.1:8787",
    "\x1b[31m✘ \x1b[41;31m[\x1b[41;97mERROR\x1b[41;31m]\x1b[0m \x1b[1m"
    "Uncaught InstanceNotFoundError: dynamic-workflows: instance.not_found: "
    "no workflow instance with id 'nope'. Error\x1b[0m",
    "",  # workerd puts a blank line before the stack
    "      at JsvFunction_Construct (pyodideRuntime-internal:pyodide.asm:3:594574)",
    "      at $PyObject_Vectorcall (wasm://wasm/0249d42a:1:780570)",
    "[wrangler:info] GET /t/js-orders/workflows/nope 404 Not Found (38ms)",
    "✘ [ERROR] Uncaught TypeError: boom",
    "      at handle (index.js:3:9)",
    "│ dispatcher/app.py │ python │ 11.37 KiB │",
    "[wrangler:warn] Unable to fetch the `Request.cf` object! Falling back to a default ...",
]


def test_request_lines_and_errors_reach_the_terminal_and_refusals_lose_their_stack() -> None:
    assert list(terminal_lines(LOG)) == [
        "[wrangler:info] Ready on http://127.0.0.1:8787",
        "refused: InstanceNotFoundError: dynamic-workflows: instance.not_found: "
        "no workflow instance with id 'nope'. Error",
        "[wrangler:info] GET /t/js-orders/workflows/nope 404 Not Found (38ms)",
        "✘ [ERROR] Uncaught TypeError: boom",
        "      at handle (index.js:3:9)",
    ]
