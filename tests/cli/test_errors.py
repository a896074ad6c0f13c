"""dwctl's errors before and around the dispatcher, on CPython: no environment, a URL that is
wrong (nothing listens, or something other than a dispatcher answers)."""

import http.server
import socket
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from dwctl.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_without_a_url_it_says_which_variable_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DW_URL", raising=False)
    monkeypatch.setenv("DW_ADMIN_TOKEN", "t")
    code, _, err = run(capsys, "tenants")
    assert code == 1
    assert "dwctl tenants: set DW_URL to the dispatcher's URL" in err


def test_without_a_token_it_says_which_variable_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DW_URL", "https://admin.example.com")
    monkeypatch.delenv("DW_ADMIN_TOKEN", raising=False)
    code, _, err = run(capsys, "tenants")
    assert code == 1
    assert "set DW_ADMIN_TOKEN to the dispatcher's ADMIN_TOKEN secret" in err


def test_a_url_without_a_scheme_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DW_ADMIN_TOKEN", "t")
    code, _, err = run(capsys, "--url", "admin.example.com", "tenants")
    assert code == 1
    assert "must start with https://" in err


def test_a_url_where_nothing_listens_says_it_cannot_reach_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv("DW_ADMIN_TOKEN", "t")
    code, _, err = run(capsys, "--url", f"http://127.0.0.1:{port}", "tenants")
    assert code == 1
    assert f"cannot reach http://127.0.0.1:{port}" in err
    assert "check DW_URL" in err


class _NotADispatcher(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("content-type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html>Not Found</html>")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def other_site() -> Iterator[str]:
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotADispatcher) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
        httpd.shutdown()


def test_a_url_that_is_not_a_dispatcher_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], other_site: str
) -> None:
    monkeypatch.setenv("DW_ADMIN_TOKEN", "t")
    code, _, err = run(capsys, "--url", other_site, "tenants")
    assert code == 1
    assert "answered GET /admin/tenants with 404 Not Found and no dispatcher JSON" in err
    assert "is DW_URL the dispatcher's admin URL?" in err


def test_delete_without_yes_asks_for_it_before_calling_anything(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], other_site: str
) -> None:
    monkeypatch.setenv("DW_ADMIN_TOKEN", "t")
    code, _, err = run(capsys, "--url", other_site, "delete", "acme")
    assert code == 1
    assert "deleting tenant 'acme' cannot be undone: add --yes" in err


def test_terminate_unfinished_without_yes_asks_for_it_before_calling_anything(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], other_site: str
) -> None:
    monkeypatch.setenv("DW_ADMIN_TOKEN", "t")
    code, out, err = run(capsys, "--url", other_site, "terminate-unfinished", "acme")
    assert (code, out) == (1, "")
    assert "this terminates every unfinished instance of 'acme': add --yes" in err


class _AccessGuarded(http.server.BaseHTTPRequestHandler):
    """Cloudflare Access in front of the admin hostname: a service token or its login page."""

    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        self.seen.append(dict(self.headers))
        if (
            self.headers.get("cf-access-client-id") == "id"
            and self.headers.get("cf-access-client-secret") == "secret"
        ):
            body = b'{"tenants": [], "nextCursor": null}'
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(302)
        self.send_header("location", "https://team.cloudflareaccess.com/cdn-cgi/access/login/x")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def access_guarded() -> Iterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []
    handler = type("Guarded", (_AccessGuarded,), {"seen": seen})
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
        httpd.shutdown()


def test_behind_access_without_a_service_token_it_says_which_variables_to_set(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    access_guarded: tuple[str, list[dict[str, str]]],
) -> None:
    url, _ = access_guarded
    monkeypatch.setenv("DW_ADMIN_TOKEN", "t")
    monkeypatch.delenv("DW_ACCESS_CLIENT_ID", raising=False)
    monkeypatch.delenv("DW_ACCESS_CLIENT_SECRET", raising=False)
    code, _, err = run(capsys, "--url", url, "tenants")
    assert code == 1
    assert "Cloudflare Access guards" in err
    assert "set DW_ACCESS_CLIENT_ID and DW_ACCESS_CLIENT_SECRET" in err


def test_the_access_service_token_goes_with_every_call(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    access_guarded: tuple[str, list[dict[str, str]]],
) -> None:
    url, seen = access_guarded
    monkeypatch.setenv("DW_ADMIN_TOKEN", "t")
    monkeypatch.setenv("DW_ACCESS_CLIENT_ID", "id")
    monkeypatch.setenv("DW_ACCESS_CLIENT_SECRET", "secret")
    code, out, _ = run(capsys, "--url", url, "--json", "tenants")
    assert code == 0
    assert '"tenants": []' in out
    assert seen[-1]["authorization"] == "Bearer t"


def test_half_a_service_token_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DW_ADMIN_TOKEN", "t")
    monkeypatch.setenv("DW_ACCESS_CLIENT_ID", "id")
    monkeypatch.delenv("DW_ACCESS_CLIENT_SECRET", raising=False)
    code, _, err = run(capsys, "--url", "https://admin.example.com", "tenants")
    assert code == 1
    assert "set both DW_ACCESS_CLIENT_ID and DW_ACCESS_CLIENT_SECRET, or neither" in err
