"""Remembered answers (mockserver/answers.py): a repeated generic read is answered without the
engine, and never once anything it was computed from has moved."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.answers import Answers, Remembered, token_expiry
from mockserver.app import MockApp, create_app
from mockserver.config import ServeConfig
from mockserver.mock import Faults
from mockserver.render import Wire
from mockserver.requestlog import Capture
from tests.mockserver.mocksupport import (
    ORG_A1,
    TENANT_A,
    TENANT_ADMIN,
    Api,
    expect,
    expect_error,
)

ORG = f"/svx/orgs/{ORG_A1}"
PAGE = f"/svx/tenants/{TENANT_A}/orgs"


@pytest.fixture()
def runs(app: MockApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations the SVX engine ran, in order (a remembered answer runs none)."""
    runtime = app.mock.runtimes["svx"]
    seen: list[str] = []
    real = runtime.run

    def counted(req: Any) -> Any:
        seen.append(req.op.operation_id)
        return real(req)

    monkeypatch.setattr(runtime, "run", counted)
    return seen


def read_twice(api: Api, url: str, persona: str = "tenant-admin", **kwargs: Any) -> Any:
    """The body of the second of two identical reads (both 200, the same body)."""
    first = expect(api.get(url, as_=persona, **kwargs), 200)
    assert expect(api.get(url, as_=persona, **kwargs), 200) == first
    return first


@pytest.mark.parametrize("url", [ORG, PAGE], ids=["get-one", "list-page"])
def test_a_repeated_read_runs_the_engine_once(api: Api, runs: list[str], url: str) -> None:
    read_twice(api, url)
    expect(api.get(url, as_="tenant-admin"), 200)
    assert len(runs) == 1


@pytest.mark.parametrize("change", [
    pytest.param({"params": {"per_page": 5}}, id="query"),
    pytest.param({"headers": {"X-Trace": "2"}}, id="header"),
    pytest.param({"as_": "global-admin"}, id="token"),
])
def test_any_other_request_is_computed(api: Api, runs: list[str],
                                       change: dict[str, Any]) -> None:
    read_twice(api, PAGE)
    expect(api.get(PAGE, **{"as_": "tenant-admin", **change}), 200)
    assert len(runs) == 2


def test_a_write_through_the_api_is_seen_at_once(api: Api, runs: list[str]) -> None:
    read_twice(api, ORG)
    expect(api.put(ORG, as_="tenant-admin", json={"name": "Written Since"}), 200)
    assert expect(api.get(ORG, as_="tenant-admin"), 200)["org"]["name"] == "Written Since"


def test_a_revoked_right_is_403_at_once(api: Api) -> None:
    read_twice(api, ORG, "org-admin")
    expect(api.post(f"{ORG}/admins/{api.app.mock.dataset['personas']['org-admin']['sub']}"
                    "/archive", as_="tenant-admin"), 204)
    expect_error(api.get(ORG, as_="org-admin"), 403)


@pytest.mark.parametrize("replace", [
    pytest.param(lambda app: app.mock.reset(), id="reset"),
    pytest.param(lambda app: app.mock.load(app.mock.dataset), id="new-data-set"),
    pytest.param(lambda app: app.mock.runtimes["svx"].store["orgs"].put(
        {**app.mock.runtimes["svx"].store["orgs"].get((ORG_A1,)), "name": "Put Directly"}),
        id="store-put"),
])
def test_a_changed_store_is_computed_again(api: Api, app: MockApp, runs: list[str],
                                           replace: Callable[[MockApp], None]) -> None:
    read_twice(api, ORG)
    replace(app)
    expect(api.get(ORG, as_="tenant-admin"), 200)
    assert len(runs) == 2


def test_injected_faults_bypass_remembered_answers(api: Api, app: MockApp) -> None:
    read_twice(api, ORG)
    app.mock.faults = Faults(error_rate=1.0, error_status=503)
    expect_error(api.get(ORG, as_="tenant-admin"), 503)


def test_an_expired_token_is_401_though_its_answer_was_kept(api: Api) -> None:
    exp = int(time.time()) + 2
    token = api.app.mock.keyring.mint({"sub": TENANT_ADMIN, "exp": exp})
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(2):
        expect(api.get(ORG, headers=headers), 200)
    time.sleep(max(0.0, exp - time.time()) + 0.2)
    expect_error(api.get(ORG, headers=headers), 401)


def test_every_answer_again_is_in_the_request_log(api: Api, app: MockApp) -> None:
    for _ in range(3):
        expect(api.get(ORG, as_="tenant-admin"), 200)
    logged = [e for e in app.mock.log if e["path"] == ORG]
    assert len(logged) == 3
    assert {(e["status"], e["persona"], e["response_bytes"]) for e in logged} == {
        (200, "tenant-admin", logged[0]["response_bytes"])}


def test_me_is_a_behaviour_and_computed_each_time(api: Api, runs: list[str]) -> None:
    for _ in range(2):
        expect(api.get("/svx/me", as_="tenant-admin"), 200)
    assert len(runs) == 2


def test_a_get_with_a_body_is_computed(api: Api, runs: list[str]) -> None:
    for _ in range(2):
        api.call("GET", ORG, as_="tenant-admin", content=b"{}",
                 headers={"Content-Type": "application/json"})
    assert len(runs) == 2


@pytest.fixture(scope="module")
def uncached() -> Iterator[Api]:
    """A mock started with --no-read-cache."""
    app = create_app(ServeConfig(read_cache=False))
    with TestClient(app) as client:
        yield Api(app, client)


def test_no_read_cache_computes_every_read(uncached: Api,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = uncached.app.mock.runtimes["svx"]
    seen: list[str] = []
    real = runtime.run

    def counted(req: Any) -> Any:
        seen.append("run")
        return real(req)

    monkeypatch.setattr(runtime, "run", counted)
    read_twice(uncached, ORG)
    assert seen == ["run", "run"]


async def _nothing(*_: Any) -> Any:
    return None


def _answer(body: bytes, revision: object, runtime: Any) -> Remembered:
    return Remembered(Wire(200, (), body), runtime, revision, float("inf"))


@pytest.mark.parametrize(("entries", "max_bytes", "bodies", "header", "kept"), [
    pytest.param(2, 10_000, [b"a", b"b", b"c"], 0, 1, id="entries"),
    pytest.param(10, 450, [b"a" * 100, b"b" * 100], 0, 1, id="body-bytes"),
    pytest.param(10, 40_000, [b"a", b"b"], 30_000, 1, id="header-bytes"),
    pytest.param(10, 10_000, [b"a", b"b", b"c"], 0, 3, id="room"),
])
def test_the_memo_is_bounded(app: MockApp, entries: int, max_bytes: int, bodies: list[bytes],
                             header: int, kept: int) -> None:
    runtime = app.mock.runtimes["svx"]
    memo = Answers(entries, max_bytes)
    logged = Capture({"method": "GET", "path": "/", "headers": []}, _nothing, _nothing
                     ).finished(None)
    for i, body in enumerate(bodies):
        key = (f"/{i}", b"", ((b"x-big", b"v" * header),))
        memo.keep(key, _answer(body, runtime.store.revision, runtime), logged)
    assert len(memo) == kept and memo.bytes <= max_bytes


@pytest.mark.parametrize(("claims", "expected"), [
    pytest.param(None, None, id="unknown-token"),
    pytest.param({"sub": "x"}, float("inf"), id="no-exp"),
    pytest.param({"exp": 5}, 5.0, id="number"),
    pytest.param({"exp": "5"}, None, id="text"),
    pytest.param({"exp": True}, None, id="boolean"),
])
def test_token_expiry(claims: dict[str, Any] | None, expected: float | None) -> None:
    assert token_expiry(claims) == expected
