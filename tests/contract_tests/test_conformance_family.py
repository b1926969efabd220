"""Conformance (and the other Schemathesis-driven families): verdicts, evidence, transport."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path
from typing import Any

import httpx
from orgkit_fixtures import export_personas, load, write_personas

from contract_tests.config import ContractConfig
from contract_tests.driver import broadest_persona, rights_count
from contract_tests.families import conformance, reliability, workflows
from contract_tests.personas import Persona
from contract_tests.personas import load as load_personas
from contract_tests.results import Outcome, Results
from contract_tests.suite import Suite
from contract_tests.target import Target
from orgkit.rights import Caller, Grants
from orgkit.specs import LoadedApi, load_api

CHECKS = {"not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "token_accepted",
          "negative_data_rejection", "error_shape_matches", "positive_data_acceptance"}


def persona(name: str, rights: int, permissions: int = 0) -> Persona:
    """A persona holding `rights` tenant rights and `permissions` Transmit permissions."""
    grants = Grants(tenant_rights={"t": frozenset(f"r{i}" for i in range(rights))},
                    permissions=frozenset(f"p{i}" for i in range(permissions)))
    return Persona(name, "svx", "token", Caller(name, grants=grants))


def test_the_broadest_persona_is_counted_not_named() -> None:
    people = {p.name: p for p in [persona("global-admin", 2), persona("zed", 5),
                                  persona("amy", 5), persona("app", 0, 4)]}
    assert rights_count(people["app"]) == 4
    assert broadest_persona(people).name == "amy"  # ties: alphabetical


def run_family(mock: Any, api: str, run: Any, loaded: LoadedApi | None = None,
               target: Target | None = None) -> Results:
    """One family against a live mock (or an injected transport), without the runner."""
    config = ContractConfig(api, mock.base_url(api), mock.personas)
    results = Results()
    suite = Suite(config, loaded or load_api(api), target or Target(config.base_url),
                  load_personas(mock.personas, api), results, random.Random(0))
    try:
        run(suite)
    finally:
        for undo in reversed(suite.cleanup):  # what positive_data_acceptance created
            undo()
        suite.target.close()
    return results


def test_transmit_conforms_with_one_verdict_per_operation_and_check(live_mock: Any) -> None:
    results = run_family(live_mock, "transmit", conformance.run)
    assert not results.failures(), [(r.check, r.operation_id, r.message)
                                    for r in results.failures()]
    ops = [op.operation_id for op in load_api("transmit").model.operations]
    for op_id in ops:
        assert {r.check for r in results if r.operation_id == op_id} == CHECKS
    assert len(results.items) == len(ops) * len(CHECKS)
    positive = [r for r in results if r.check == "positive_data_acceptance"]
    assert len(positive) == len(ops) and all(r.outcome is Outcome.PASS for r in positive)
    assert results.count(Outcome.PASS) > 4 * len(ops)


def test_error_bodies_out_of_shape_fail_with_the_case_as_curl(broken_mock: Any) -> None:
    results = run_family(broken_mock, "transmit", conformance.run)
    shape = [r for r in results.failures() if r.check == "error_shape_matches"]
    assert {r.operation_id for r in shape} >= {"getOrganization", "createOrganization"}
    evidence = shape[0].exchange
    assert evidence is not None and evidence.curl().startswith("curl -i -X")
    assert '"detail"' in evidence.response_text and "error shape" in shape[0].message


def test_cases_go_through_the_targets_transport(tmp_path: Path, live_mock: Any) -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(503, json={"error": "down", "extra_info": {}, "http_code": 503,
                                         "message": "down"})

    svx = load_api("svx")
    few = dataclasses.replace(svx, model=dataclasses.replace(
        svx.model, operations=svx.model.operations[:3]))
    target = Target("http://svx.invalid/svx", transport=httpx.MockTransport(answer))
    results = run_family(live_mock, "svx", conformance.run, few, target)
    server_errors = [r for r in results.failures() if r.check == "not_a_server_error"]
    assert len(server_errors) == 3 and all(p.startswith("/svx/") for p in seen)
    assert server_errors[0].exchange is not None and server_errors[0].exchange.status == 503


def test_transmit_workflows_follow_the_links(live_mock: Any) -> None:
    results = run_family(live_mock, "transmit", workflows.run)
    assert not results.failures(), [(r.check, r.operation_id, r.message)
                                    for r in results.failures()]
    passed = {(r.check, r.operation_id) for r in results if r.outcome is Outcome.PASS}
    assert {("use_after_free", "getOrganization"),
            ("ensure_resource_availability", "updateOrganization"),
            ("response_schema_conformance", "createOrganization")} <= passed
    skipped = {r.operation_id: r.message for r in results
               if r.outcome is Outcome.NOT_APPLICABLE and r.check == "use_after_free"}
    assert "no link" in skipped["getAllOrganizations"]
    assert "starts workflows" in skipped["createOrganization"]


def test_svx_reliability_creates_are_visible_and_cleaned_up(live_mock: Any) -> None:
    store = live_mock.app.mock.runtimes["svx"].store
    before = {name: len(store[name]) for name in ("tenants", "orgs")}
    results = run_family(live_mock, "svx", reliability.run)
    assert not results.failures(), [(r.operation_id, r.message) for r in results.failures()]
    created = {r.operation_id for r in results
               if r.check == "concurrent_creates_visible" and r.outcome is Outcome.PASS}
    assert {"createOrg", "createTenant"} <= created
    assert {name: len(store[name]) for name in ("tenants", "orgs")} == before
    bursts = [r for r in results if r.check == "burst_without_server_errors"
              and r.outcome is Outcome.PASS]
    assert {r.operation_id for r in bursts} >= {"listTenants", "getMe"}


def test_personas_file_for_a_fresh_mock(tmp_path: Path) -> None:
    # Guard for the helpers above: the exported file names the broadest personas we expect.
    path = tmp_path / "p.json"
    write_personas(export_personas(load(None)), path)
    names = {n: e["api"] for n, e in json.loads(path.read_text())["personas"].items()}
    svx = {n: p for n, p in load_personas(path, "svx").items()}
    assert broadest_persona(svx).name == "global-admin" and names["global-admin"] == "svx"
