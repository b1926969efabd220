"""The guard: Host names, who may call the control API, the control token, bounded bodies."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.app import MockApp, create_app
from mockserver.config import ServeConfig
from mockserver.guard import host_name
from tests.mockserver.mocksupport import TENANT_A, Api, expect_error

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

EVIL = "https://evil.example"
JSON = {"Content-Type": "application/json"}


def _is_control_error(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["http_code"] == status and body["error"] and body["message"], body
    assert "Traceback" not in response.text


CROSS_ORIGIN = [
    ("reset", "POST", "/__mock/reset", {"json": {}}),
    ("fixtures-text-plain", "POST", "/__mock/fixtures",
     {"content": b'{"generate": {}}', "headers": {"Content-Type": "text/plain"}}),
    ("snapshot", "PUT", "/__mock/snapshot", {"json": {}}),
    ("tokens", "POST", "/__mock/tokens", {"json": {"persona": "global-admin"}}),
    ("personas", "GET", "/__mock/personas", {}),
    ("requests-delete", "DELETE", "/__mock/requests", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), [c[1:] for c in CROSS_ORIGIN],
                         ids=[c[0] for c in CROSS_ORIGIN])
@pytest.mark.parametrize("origin", [EVIL, "null", "http://localhost.evil.example"])
def test_control_calls_from_other_origins_are_403(api: Api, method: str, path: str,
                                                  kwargs: dict[str, Any], origin: str) -> None:
    before = api.app.mock.snapshot()
    headers = {**kwargs.pop("headers", {}), "Origin": origin}
    _is_control_error(api.client.request(method, path, headers=headers, **kwargs), 403)
    assert api.app.mock.snapshot() == before


def test_cross_site_calls_without_origin_are_403(api: Api) -> None:
    response = api.client.get("/__mock/personas", headers={"Sec-Fetch-Site": "cross-site"})
    _is_control_error(response, 403)


@pytest.mark.parametrize("origin", ["http://localhost:5173", "http://127.0.0.1:3000",
                                    "http://testserver"])
def test_control_calls_from_loopback_and_same_origin_are_served(api: Api, origin: str) -> None:
    response = api.client.post("/__mock/reset", json={}, headers={"Origin": origin})
    assert response.status_code == 200, response.text


NOT_JSON = [("text-plain", {"Content-Type": "text/plain"}),
            ("form", {"Content-Type": "application/x-www-form-urlencoded"}),
            ("multipart", {"Content-Type": "multipart/form-data; boundary=x"}),
            ("none", {})]


@pytest.mark.parametrize("headers", [c[1] for c in NOT_JSON], ids=[c[0] for c in NOT_JSON])
def test_state_changing_control_calls_need_json(api: Api, headers: dict[str, str]) -> None:
    api.app.mock.runtimes["svx"].store["tenants"].delete((TENANT_A,))
    response = api.client.post("/__mock/reset", content=b"{}", headers=headers)
    _is_control_error(response, 415)
    assert api.app.mock.runtimes["svx"].store["tenants"].get((TENANT_A,)) is None


HOSTS = [("rebinding", "evil.example"), ("rebinding-port", "evil.example:8080"),
         ("suffix", "localhost.evil.example"), ("ip-elsewhere", "10.1.2.3")]


@pytest.mark.parametrize("host", [c[1] for c in HOSTS], ids=[c[0] for c in HOSTS])
def test_unknown_hosts_are_421_everywhere(api: Api, host: str) -> None:
    control = api.client.get("/__mock/personas", headers={"Host": host})
    _is_control_error(control, 421)
    assert host.split(":")[0] not in control.text.replace(repr(host_name(host)), "")
    expect_error(api.get("/svx/tenants", as_="global-admin", headers={"Host": host}), 421)


@pytest.mark.parametrize("host", ["localhost:8080", "127.0.0.1", "[::1]:9", "LOCALHOST.",
                                  "testserver"])
def test_loopback_and_the_bound_name_are_answered(api: Api, host: str) -> None:
    assert api.client.get("/__mock/faults", headers={"Host": host}).status_code == 200


def test_allowed_host_adds_a_name() -> None:
    app = create_app(ServeConfig(allowed_hosts=("mock.internal",)))
    with TestClient(app) as client:
        personas = client.get("/__mock/personas", headers={"Host": "mock.internal:8080"})
        assert personas.status_code == 200
        url = personas.json()["personas"]["management-app"]["client_credentials"]["token_url"]
        assert url == "http://mock.internal:8080/cis/oidc/token"
        assert client.get("/__mock/faults", headers={"Host": "other.internal"}
                          ).status_code == 421


@pytest.mark.parametrize(("header", "expected"), [
    ("LocalHost:8080", "localhost"), ("[::1]:80", "::1"), ("example.com.", "example.com"),
    ("::1", "::1")])
def test_host_name(header: str, expected: str) -> None:
    assert host_name(header) == expected


@pytest.fixture(scope="module")
def guarded() -> Iterator[TestClient]:
    """A mock started with a control token."""
    with TestClient(create_app(ServeConfig(control_token="s3cret-token"))) as client:
        yield client


TOKENS = [("none", {}, 401), ("wrong", {"Authorization": "Bearer nope"}, 401),
          ("basic", {"Authorization": "Basic s3cret-token"}, 401),
          ("bearer", {"Authorization": "Bearer s3cret-token"}, 200),
          ("header", {"X-Orgkit-Control-Token": "s3cret-token"}, 200)]


@pytest.mark.parametrize(("headers", "status"), [c[1:] for c in TOKENS],
                         ids=[c[0] for c in TOKENS])
@pytest.mark.parametrize(("method", "path"), [("GET", "/__mock/personas"),
                                              ("POST", "/__mock/tokens"),
                                              ("GET", "/__mock"), ("GET", "/__mock/nothing")])
def test_a_control_token_guards_every_control_call(guarded: TestClient, headers: dict[str, str],
                                                   status: int, method: str, path: str) -> None:
    body = {"json": {"persona": "global-admin"}} if method == "POST" else {}
    response = guarded.request(method, path, headers=headers, **body)
    if status == 401:
        _is_control_error(response, 401)
    else:
        assert response.status_code != 401, response.text


def test_public_paths_need_no_control_token(guarded: TestClient) -> None:
    assert guarded.get("/__mock/jwks.json").status_code == 200
    assert guarded.get("/.well-known/jwks.json").status_code == 200
    assert guarded.post("/cis/oidc/token", data={"client_id": "x", "client_secret": "y"}
                        ).status_code == 401  # the OAuth answer, not the control token's


# -- bounded bodies (the limit is checked before the body is read) ----------------------------

class Stream:
    """An ASGI receive that offers `chunks` chunks of 64 kB and counts how many were taken."""

    def __init__(self, chunks: int) -> None:
        self.left, self.taken = chunks, 0

    async def __call__(self) -> dict[str, Any]:
        self.left -= 1
        self.taken += 1
        return {"type": "http.request", "body": b" " * 65536, "more_body": self.left > 0}


def _call(app: MockApp, method: str, path: str, headers: list[tuple[bytes, bytes]],
          receive: Any) -> tuple[int, list[bytes]]:
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
             "query_string": b"", "headers": [(b"host", b"127.0.0.1"), *headers],
             "scheme": "http", "server": ("127.0.0.1", 8080), "client": ("127.0.0.1", 1),
             "http_version": "1.1", "root_path": ""}
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], [m.get("body", b"") for m in sent[1:]]


SMALL = ServeConfig(max_control_body_bytes=256 * 1024, max_blob_bytes=128 * 1024,
                    max_body_bytes=128 * 1024)
STREAMED = [("snapshot", "PUT", "/__mock/snapshot", 256 * 1024),
            ("fixtures", "PUT", "/__mock/fixtures", 256 * 1024),
            ("tokens", "POST", "/__mock/tokens", 256 * 1024),
            ("upload", "PUT", "/__mock/uploads/x?expires=1&sig=x", 128 * 1024),
            ("oidc-token", "POST", "/cis/oidc/token", 128 * 1024),
            ("api", "POST", "/svx/tenants", 128 * 1024)]


@pytest.fixture(scope="module")
def small() -> MockApp:
    """A mock with small body limits."""
    return create_app(SMALL)


@pytest.mark.parametrize(("method", "path", "limit"), [c[1:] for c in STREAMED],
                         ids=[c[0] for c in STREAMED])
def test_streamed_bodies_stop_at_the_limit(small: MockApp, method: str, path: str,
                                           limit: int) -> None:
    stream = Stream(chunks=1000)  # 64 MB offered
    status, body = _call(small, method, path.split("?")[0],
                         [(b"content-type", b"application/json")], stream)
    assert status == 413, body
    assert stream.taken <= limit // 65536 + 1
    assert b"Traceback" not in b"".join(body)


@pytest.mark.parametrize(("method", "path", "limit"), [c[1:] for c in STREAMED],
                         ids=[c[0] for c in STREAMED])
def test_declared_lengths_over_the_limit_are_refused_unread(small: MockApp, method: str,
                                                            path: str, limit: int) -> None:
    stream = Stream(chunks=1000)
    status, _ = _call(small, method, path.split("?")[0],
                      [(b"content-type", b"application/json"),
                       (b"content-length", str(300 * 1024 * 1024).encode())], stream)
    assert status == 413
    assert stream.taken == 0


def test_too_many_headers_are_431_in_the_api_shape(api: Api) -> None:
    headers = {f"X-Extra-{i}": "1" for i in range(150)}
    expect_error(api.get("/svx/tenants", as_="global-admin", headers=headers), 431)


def test_oversized_headers_are_431_on_the_control_api(api: Api) -> None:
    response = api.client.get("/__mock/faults", headers={"X-Big": "a" * 40_000})
    _is_control_error(response, 431)


def _served(*names: str) -> Any:
    """A stand-in mock serving these APIs' plugins (what plugin_prefixes reads)."""
    from types import SimpleNamespace

    from mockserver.mock import plugin_for

    return SimpleNamespace(runtimes={n: SimpleNamespace(plugin=plugin_for(n)) for n in names})


PREFIXES = [
    ("bundled", ("svx", "transmit"), None,
     ("/__mock/blob-content/", "/__mock/logos/", "/__mock/uploads/")),
    ("bundled-bodies", ("svx", "transmit"), frozenset({"PUT"}), ("/__mock/uploads/",)),
    ("transmit-alone", ("transmit",), None, ("/__mock/logos/",)),
    ("no-plugin", ("workspaces",), None, ()),
]


@pytest.mark.parametrize(("names", "methods", "prefixes"), [p[1:] for p in PREFIXES],
                         ids=[p[0] for p in PREFIXES])
def test_public_control_paths_come_from_the_served_plugins(
        names: tuple[str, ...], methods: frozenset[str] | None,
        prefixes: tuple[str, ...]) -> None:
    from mockserver.guard import plugin_prefixes

    assert plugin_prefixes(_served(*names), methods) == prefixes
