"""The dashboard page and the read-only state endpoints it uses, under the control API's guard."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.app import MockApp, create_app
from mockserver.config import ServeConfig
from mockserver.stateview import MAX_PER_PAGE
from tests.mockserver.mocksupport import ORG_X

TOKEN = "dashboard-control-token"


@pytest.fixture(scope="module")
def guarded() -> Iterator[TestClient]:
    """A mock started with --control-token."""
    with TestClient(create_app(ServeConfig(control_token=TOKEN))) as test_client:
        yield test_client


def _inline(html: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.DOTALL)


def _sha256(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def test_the_page_is_served_with_headers_that_allow_only_its_own_code(client: TestClient) -> None:
    response = client.get("/__mock/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    csp = response.headers["content-security-policy"]
    for tag, directive in (("script", "script-src"), ("style", "style-src")):
        codes = _inline(response.text, tag)
        assert len(codes) == 1
        assert f"{directive} {_sha256(codes[0])};" in csp
    assert "frame-ancestors 'none'" in csp and "connect-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_the_page_loads_nothing_from_elsewhere(client: TestClient) -> None:
    html = client.get("/__mock/").text
    assert not re.search(r"https?://|//[a-z]", html)
    assert set(re.findall(r'(?:src|href)="([^"]*)"', html)) <= {"data:,"}
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.DOTALL)
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", markup), "the CSP forbids inline handlers"
    assert not re.search(r"<[^>]*\sstyle\s*=", markup), "the CSP forbids style attributes"


def test_the_index_lists_the_page_and_the_state_endpoints(client: TestClient) -> None:
    endpoints = client.get("/__mock").json()["endpoints"]
    assert {"GET /__mock/", "GET /__mock/state", "GET /__mock/state/{api}/{collection}"} \
        <= set(endpoints)


def test_counts_follow_the_state(app: MockApp, client: TestClient) -> None:
    counts = client.get("/__mock/state").json()["apis"]
    assert counts["svx"]["tenants"] == len(app.mock.dataset["svx"]["tenants"])
    assert counts["transmit"]["organizations"] == len(app.mock.dataset["transmit"]["organizations"])
    app.mock.runtimes["svx"].store["tenants"].put({"id": "extra", "name": "Extra"})
    assert client.get("/__mock/state").json()["apis"]["svx"]["tenants"] == \
        counts["svx"]["tenants"] + 1


@pytest.mark.parametrize("per_page", [1, 7, MAX_PER_PAGE], ids=["one", "seven", "max"])
def test_the_pages_together_are_the_collection_in_order(app: MockApp, client: TestClient,
                                                        per_page: int) -> None:
    expected = app.mock.dataset["svx"]["tenants"]
    seen: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get(f"/__mock/state/svx/tenants?page={page}&per_page={per_page}").json()
        assert body["total"] == len(expected) and body["per_page"] == per_page
        if not body["items"]:
            break
        seen += body["items"]
        page += 1
    assert seen == expected


def test_private_fields_are_left_out(app: MockApp, client: TestClient) -> None:
    stored = app.mock.runtimes["transmit"].store["organizations"].get((ORG_X,))
    assert stored is not None and "_name_key" in stored
    items = client.get(f"/__mock/state/transmit/organizations?per_page={MAX_PER_PAGE}").json()
    shown = next(i for i in items["items"] if i["organization_id"] == ORG_X)
    assert shown == {k: v for k, v in stored.items() if not k.startswith("_")}


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/__mock/state/svx/tenants?page=0", 400, "page must be"),
    ("/__mock/state/svx/tenants?page=x", 400, "page must be"),
    ("/__mock/state/svx/tenants?per_page=0", 400, "per_page must be"),
    (f"/__mock/state/svx/tenants?per_page={MAX_PER_PAGE + 1}", 400, "per_page must be"),
    ("/__mock/state/nope/tenants", 404, "no API 'nope'"),
    ("/__mock/state/svx/nope", 404, "no collection 'nope' in svx"),
], ids=["page-zero", "page-text", "per-page-zero", "per-page-over", "api", "collection"])
def test_bad_state_requests_are_clear_4xx(client: TestClient, path: str, status: int,
                                          words: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert words in response.json()["message"]


def test_with_a_control_token_only_the_page_opens_without_it(guarded: TestClient) -> None:
    assert guarded.get("/__mock/").status_code == 200
    assert guarded.head("/__mock/").status_code == 200
    for path in ("/__mock/state", "/__mock/state/svx/tenants", "/__mock/personas",
                 "/__mock/requests", "/__mock/faults", "/__mock"):
        assert guarded.get(path).status_code == 401, path
        assert guarded.get(path, headers={"X-Orgkit-Control-Token": TOKEN}).status_code == 200
    assert guarded.post("/__mock/", json={}).status_code == 401


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Host": "evil.example"},
], ids=["foreign-origin", "cross-site", "rebound-host"])
def test_the_page_has_the_control_apis_other_protections(client: TestClient,
                                                         headers: dict[str, str]) -> None:
    assert client.get("/__mock/", headers=headers).status_code in (403, 421)
