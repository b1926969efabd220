"""The pagination family: clean against the mock, and failing in the right check on broken mocks."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from contract_tests.config import ContractConfig  # noqa: E402
from contract_tests.results import CheckResult, Outcome, Results  # noqa: E402
from contract_tests.runner import run_contract  # noqa: E402
from mockserver.app import create_app  # noqa: E402
from tests.contract_tests.asgi_live import (
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


def broken_run(change: Change, tmp_path: Path, operation: str = "listTenantOrgs") -> Results:
    """One list's pagination checks against the mock with some answers rewritten."""
    breaker = Breaker(create_app(), change)
    with serving(breaker) as origin:
        results = run_family(origin, "svx", "pagination", personas_file(origin, tmp_path),
                             (operation,))
    assert breaker.calls, "the breaker never rewrote an answer"
    return results


def tenant_orgs(scope: Scope) -> bool:
    """Whether the request lists the organisations of a tenant."""
    return bool(scope["method"] == "GET" and scope["path"].startswith("/svx/tenants/")
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
    assert "order desc by name" in found.message
    assert found.expected == "desc by name (collation any, nulls either)"
    assert failed(results, "page_size_respected", "listTenantOrgs") is None


def tenants(scope: Scope) -> bool:
    """Whether the request lists the tenants."""
    return bool(scope["method"] == "GET" and scope["path"] == "/svx/tenants")


def meta_page(value: Callable[[dict[str, str]], Any]) -> Change:
    """A change of listTenants' meta.page to value(query) (not at per_page=max, the survey)."""

    async def change(app: App, scope: Scope, body: bytes) -> Answer | None:
        query = query_of(scope)
        if not tenants(scope) or query.get("per_page") in (None, "100"):
            return None
        answer = await ask(app, scope, body)
        if answer.status == 200:
            document = answer.json()
            answer.replace_json({**document, "meta": {**document["meta"],
                                                      "page": value(query)}})
        return answer

    return change


def tenant_run(change: Change, tmp_path: Path) -> Results:
    """listTenants' pagination checks against the mock with meta.page rewritten."""
    return broken_run(change, tmp_path, "listTenants")


def verdict_of(results: Results, check: str) -> CheckResult:
    """The one verdict of a check on listTenants."""
    [found] = [r for r in results if r.check == check and r.operation_id == "listTenants"]
    return found


def test_null_page_on_an_unparameterised_first_page_passes(tmp_path: Path) -> None:
    results = tenant_run(meta_page(lambda q: int(q["page"]) if "page" in q else None), tmp_path)
    assert verdict_of(results, "meta_totals_agree").outcome is Outcome.PASS, describe(results)


def after_cursor(query: dict[str, str]) -> int | None:
    """meta.page 2 after a cursor (inferred: null), else the faithful value."""
    return int(query["page"]) if "page" in query else 2 if "next_page_after" in query else None


def test_a_page_number_after_a_cursor_is_advisory(tmp_path: Path) -> None:
    results = tenant_run(meta_page(after_cursor), tmp_path)
    found = verdict_of(results, "meta_totals_agree")
    assert found.outcome is Outcome.ADVISORY, describe(results)
    assert "meta has page 2" in found.message and found.expected == "page None"


def test_a_wrong_page_number_in_page_mode_fails(tmp_path: Path) -> None:
    results = tenant_run(meta_page(lambda q: int(q.get("page", 0)) + 1), tmp_path)
    assert verdict_of(results, "meta_totals_agree").outcome is Outcome.FAIL, describe(results)


@pytest.mark.parametrize(("strict", "code"), [(False, 0), (True, 1)], ids=["lenient", "strict"])
def test_advisories_fail_the_run_only_when_strict(tmp_path: Path, strict: bool,
                                                  code: int) -> None:
    breaker = Breaker(create_app(), meta_page(after_cursor))
    with serving(breaker) as origin:
        config = ContractConfig("svx", origin + "/svx", personas_file(origin, tmp_path),
                                report_dir=tmp_path / "reports", only=("pagination",),
                                operations=("listTenants",), strict=strict)
        out = io.StringIO()
        assert run_contract(config, out=out) == code, out.getvalue()
    assert "1 advisory" in out.getvalue() and "0 failed" in out.getvalue()
    assert "pagination/meta_totals_agree × listTenants" in out.getvalue()
