"""The pagination family: clean against the mock, and failing in the right check on broken mocks."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from asgi_live import (  # noqa: E402
    Answer,
    App,
    Breaker,
    Scope,
    ask,
    describe,
    failed,
    failures,
    personas_file,
    query_of,
    run_family,
    serving,
    with_query,
)

from contract_tests.results import Outcome, Results  # noqa: E402
from mockserver.app import create_app  # noqa: E402

Change = Callable[[App, Scope, bytes], Awaitable[Answer | None]]
TENANT_ORGS = "/orgs"  # the suffix of listTenantOrgs' path, /svx/tenants/{tenant_id}/orgs
PAGINATED = ("listOrgAdmins", "listTenantOrgs", "listDeployments", "listGlobalAdmins",
             "listTenants", "listTenantAdmins", "listInvitations")


@pytest.fixture
def mock(live_mock: Any) -> tuple[str, Path]:
    """The session's live mock (tests/contract_tests/conftest.py): origin and personas file."""
    return live_mock.origin, live_mock.personas


def test_svx_pagination_passes_on_the_mock(mock: tuple[str, Path]) -> None:
    results = run_family(mock[0], "svx", "pagination", mock[1])
    assert not failures(results), describe(results)
    passed = {(r.check, r.operation_id) for r in results if r.outcome is Outcome.PASS}
    for op in PAGINATED:
        for check in ("page_size_respected", "pages_are_disjoint", "pages_cover_collection",
                      "order_respected", "meta_totals_agree", "bad_paging_rejected"):
            assert (check, op) in passed, f"{check} {op} did not pass"
    assert ("cursor_chain_terminates", "listTenants") in passed
    assert ("combined_paging_rejected", "listTenants") in passed


def test_transmit_has_no_paginated_list(mock: tuple[str, Path]) -> None:
    results = run_family(mock[0], "transmit", "pagination", mock[1])
    assert not list(results)


def broken_run(change: Change, tmp_path: Path) -> Results:
    """listTenantOrgs' pagination checks against the mock with one answer rewritten."""
    breaker = Breaker(create_app(), change)
    with serving(breaker) as origin:
        results = run_family(origin, "svx", "pagination", personas_file(origin, tmp_path),
                             ("listTenantOrgs",))
    assert breaker.calls, "the breaker never rewrote an answer"
    return results


def tenant_orgs(scope: Scope) -> bool:
    """Whether the request lists the organisations of a tenant."""
    return (scope["method"] == "GET" and scope["path"].startswith("/svx/tenants/")
            and scope["path"].endswith(TENANT_ORGS))


def test_ignored_per_page_fails_page_size_respected(tmp_path: Path) -> None:
    async def change(app: App, scope: Scope, body: bytes) -> Answer | None:
        query = query_of(scope)
        if not tenant_orgs(scope) or "per_page" not in query:
            return None
        query.pop("per_page")
        return await ask(app, with_query(scope, query), body)

    results = broken_run(change, tmp_path)
    found = failed(results, "page_size_respected", "listTenantOrgs")
    assert found is not None, describe(results)
    assert "page 1 has 20 items" in found.message and found.expected.startswith("at most")


def test_off_by_one_pages_fail_pages_are_disjoint(tmp_path: Path) -> None:
    async def change(app: App, scope: Scope, body: bytes) -> Answer | None:
        query = query_of(scope)
        page = int(query.get("page") or 1)
        if not tenant_orgs(scope) or page < 2:
            return None
        answer = await ask(app, scope, body)
        before = await ask(app, with_query(scope, {**query, "page": str(page - 1)}), body)
        items = answer.json()["orgs"]
        if answer.status == 200 and items:
            repeated = before.json()["orgs"][-1:]
            answer.replace_json({**answer.json(), "orgs": repeated + items[:-1]})
        return answer

    results = broken_run(change, tmp_path)
    found = failed(results, "pages_are_disjoint", "listTenantOrgs")
    assert found is not None, describe(results)
    assert "appear on more than one page" in found.message
    assert found.message.startswith("page walk")
    assert failed(results, "pages_cover_collection", "listTenantOrgs") is not None


def test_ignored_desc_fails_order_respected(tmp_path: Path) -> None:
    async def change(app: App, scope: Scope, body: bytes) -> Answer | None:
        query = query_of(scope)
        if not tenant_orgs(scope) or query.get("order") != "desc":
            return None
        query.pop("order")
        return await ask(app, with_query(scope, query), body)

    results = broken_run(change, tmp_path)
    found = failed(results, "order_respected", "listTenantOrgs")
    assert found is not None, describe(results)
    assert "order desc by name" in found.message and found.expected == "desc by name"
    assert failed(results, "page_size_respected", "listTenantOrgs") is None
