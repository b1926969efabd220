"""The rights family: clean against the mock, and failing in the right check on broken mocks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jwt
import pytest

import mockserver.engine  # noqa: E402
from contract_tests.results import Outcome  # noqa: E402
from mockserver.app import MockApp, create_app  # noqa: E402
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
    run_family,
    serving,
    with_header,
)

ORG_PATH = re.compile(r"/svx/orgs/([0-9a-f-]{36})")


@pytest.fixture
def mock(live_mock: Any) -> tuple[str, Path]:
    """The session's live mock (tests/contract_tests/conftest.py): origin and personas file."""
    return live_mock.origin, live_mock.personas


def test_svx_rights_pass_on_the_mock(mock: tuple[str, Path]) -> None:
    results = run_family(*mock[:1], "svx", "rights", mock[1])
    assert not failures(results), describe(results)
    passed = {(r.check, r.operation_id) for r in results if r.outcome is Outcome.PASS}
    for check, op in [("unauthenticated_refused", "getOrg"), ("rights_enforced", "deleteOrg"),
                      ("qualified_caller_allowed", "deleteTenant"), ("rights_enforced", "getBlob"),
                      ("tenant_isolation", "getOrg"), ("tenant_isolation", "listVisibleOrgs"),
                      ("tenant_isolation", "listTenantOrgs"), ("rights_follow_state", "getOrg"),
                      ("rights_follow_state", "getTenant"),
                      ("rights_follow_state", "listTenants")]:
        assert (check, op) in passed, f"{check} {op} did not pass"
    assert len(passed) > 200


def test_transmit_rights_pass_on_the_mock(mock: tuple[str, Path]) -> None:
    results = run_family(mock[0], "transmit", "rights", mock[1])
    assert not failures(results), describe(results)
    passed = {(r.check, r.operation_id) for r in results if r.outcome is Outcome.PASS}
    assert ("rights_enforced", "createManagedOrganization") in passed
    assert ("qualified_caller_allowed", "createManagedOrganization") in passed
    # three per operation, and foreign_token_refused
    assert len(passed) == 4 * 14, [(r.check, r.operation_id, r.message) for r in results
                                   if r.outcome is not Outcome.PASS]


def test_rights_never_enforced_fails_rights_enforced(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setattr(mockserver.engine, "authorize", lambda *args, **kwargs: None)
    with serving(create_app()) as origin:
        personas = personas_file(origin, tmp_path)
        # deleteOrg acts on an org createOrg made; rights_follow_state assigns and removes.
        svx = run_family(origin, "svx", "rights", personas, (
            "getOrg", "deleteOrg", "createOrg", "assignOrgAdminSecurityRights", "removeOrgAdmin",
            "listSecurityRights"))
        transmit = run_family(origin, "transmit", "rights", personas,
                              ("createOrganization", "getAllOrganizations"))
    for op, who, status in (("getOrg", "no-rights", 200), ("deleteOrg", "global-admin", 204)):
        found = failed(svx, "rights_enforced", op)
        assert found is not None, describe(svx)
        assert f"as {who} answered {status}" in found.message
        assert found.expected.startswith("403: requires")
    assert failed(svx, "rights_follow_state", "getOrg") is not None
    assert failed(svx, "tenant_isolation", "getOrg") is not None
    found = failed(transmit, "rights_enforced", "createOrganization")
    assert found is not None and "readonly-app answered 201" in found.message


def test_cross_tenant_reads_fail_tenant_isolation(tmp_path: Path) -> None:
    app = create_app()
    tokens: dict[str, str] = {}
    breaker = Breaker(app, leak_other_tenants_orgs(app, tokens))
    with serving(breaker) as origin:
        personas = personas_file(origin, tmp_path)
        tokens["global"] = _token(personas, "global-admin")
        results = run_family(origin, "svx", "rights", personas, ("getOrg",))
    found = failed(results, "tenant_isolation", "getOrg")
    assert found is not None, describe(results)
    assert "as tenant-admin (another tenant's resource) answered 200" in found.message
    assert found.exchange is not None and found.exchange.status == 200
    assert breaker.calls


def leak_other_tenants_orgs(app: MockApp, tokens: dict[str, str]) -> Any:
    """A 403 on GET /orgs/{id} of another tenant than the token's becomes a 200."""

    async def change(inner: App, scope: Scope, body: bytes) -> Answer | None:
        match = ORG_PATH.fullmatch(scope["path"])
        if scope["method"] != "GET" or match is None:
            return None
        answer = await ask(inner, scope, body)
        org = app.mock.runtimes["svx"].store["orgs"].get((match.group(1),)) or {}
        tid = _claims(scope).get("tid")
        if answer.status != 403 or not tid or org.get("tenant_id") == tid:
            return answer
        return await ask(inner, with_header(scope, "authorization",
                                            f"Bearer {tokens['global']}"), body)

    return change


def _claims(scope: Scope) -> dict[str, Any]:
    raw = dict(scope["headers"]).get(b"authorization", b"").decode()
    try:
        claims: dict[str, Any] = jwt.decode(raw.removeprefix("Bearer "),
                                            options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}
    return claims


def _token(personas: Path, name: str) -> str:
    import json

    return str(json.loads(personas.read_text())["personas"][name]["token"])


def renamed(personas: Path, folder: Path) -> Path:
    """The same personas under names the suite has never heard of."""
    import json

    document = json.loads(personas.read_text())
    document["personas"] = {f"vendor-user-{i}": p
                            for i, p in enumerate(document["personas"].values())}
    path = folder / "renamed.json"
    path.write_text(json.dumps(document))
    return path


def test_cross_tenant_and_state_checks_need_facts_not_names(mock: tuple[str, Path],
                                                            tmp_path: Path) -> None:
    ops = ("getOrg", "listTenantOrgs", "getTenant")
    # What rights_follow_state needs besides (--operation restricts fully).
    helpers = ("createOrg", "assignOrgAdminSecurityRights", "removeOrgAdmin",
               "assignTenantAdminSecurityRights", "removeTenantAdmin", "listSecurityRights")
    named = run_family(mock[0], "svx", "rights", mock[1], ops + helpers)
    anonymous = run_family(mock[0], "svx", "rights", renamed(mock[1], tmp_path), ops + helpers)
    assert not failures(anonymous), describe(anonymous)
    outcomes = {(r.check, r.operation_id): r.outcome for r in anonymous}
    assert outcomes == {(r.check, r.operation_id): r.outcome for r in named}
    assert {outcomes[("tenant_isolation", op)] for op in ops} == {Outcome.PASS}
    assert outcomes[("rights_follow_state", "getOrg")] is Outcome.PASS
    assert outcomes[("rights_follow_state", "getTenant")] is Outcome.PASS
