"""POST /__mock/fixtures {"generate": ...}: bounded sizes, off the event loop, one at a time."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from orgkit_fixtures.config import LIMITS, MAX_ORGS, checked_options

from mockserver.app import MockApp
from orgkit.errors import InvalidInput

BAD = [("not-an-object", [1]), ("unknown-key", {"tenant": 3}), ("bool", {"tenants": True}),
       ("float", {"tenants": 2.5}), ("negative", {"invitations": -1}),
       ("over-a-limit", {"orgs_per_tenant": LIMITS["orgs_per_tenant"] + 1}),
       ("too-many-orgs", {"tenants": 41, "orgs_per_tenant": 500}),
       ("huge-seed", {"seed": 2**80})]


@pytest.mark.parametrize("options", [c[1] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_options_are_refused_before_generating(options: Any) -> None:
    with pytest.raises(InvalidInput):
        checked_options(options)


def test_the_largest_allowed_options_pass() -> None:
    assert checked_options({"tenants": 40, "orgs_per_tenant": MAX_ORGS // 40}) == {
        "tenants": 40, "orgs_per_tenant": 500}


def test_over_the_limit_is_a_400_naming_it(app: MockApp) -> None:
    async def call() -> httpx.Response:
        async with _client(app) as client:
            return await client.post("/__mock/fixtures",
                                     json={"generate": {"tenants": 2, "orgs_per_tenant": 501}})

    response = asyncio.run(call())
    assert response.status_code == 400
    assert "orgs_per_tenant" in response.json()["message"]


def _client(app: MockApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1",
                             timeout=120)


def test_generation_runs_off_the_loop_one_at_a_time(app: MockApp) -> None:
    options = {"generate": {"seed": 5, "tenants": 60, "orgs_per_tenant": 50}}

    async def scenario() -> tuple[int, int, int, float, float]:
        async with _client(app) as client:
            started = time.perf_counter()
            generation = asyncio.create_task(client.post("/__mock/fixtures", json=options))
            await asyncio.sleep(0.05)
            second = await client.post("/__mock/fixtures", json=options)
            put = await client.put("/__mock/fixtures", json={"format": "orgkit-fixtures/1"})
            other = await client.get("/__mock/faults")
            answered = time.perf_counter() - started
            assert other.status_code == 200
            first = await generation
            assert first.status_code == 200, first.text
            return first.status_code, second.status_code, put.status_code, answered, \
                time.perf_counter() - started

    _, second, put, answered, finished = asyncio.run(scenario())
    assert second == 409 and put == 409
    assert answered < finished / 2, (answered, finished)
    assert len(app.mock.runtimes["svx"].store["orgs"]) >= 60 * 50
