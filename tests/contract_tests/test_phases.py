"""contract_tests.phases and driver.Judge: where cases come from, and how one pass judges them."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from contract_tests.driver import Judge, guarded, is_negative, run_check
from contract_tests.phases import PHASES, CaseSource, check_phases
from orgkit.errors import ConfigError

ITEM = {"type": "object", "required": ["id", "name"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
SPEC: dict[str, Any] = {
    "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
    "servers": [{"url": "/api"}],
    "paths": {
        "/items/{id}": {"get": {
            "operationId": "getItem",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "required": True,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 10}}],
            "responses": {
                "200": {"description": "ok",
                        "content": {"application/json": {"schema": ITEM}}},
                "400": {"description": "bad",
                        "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/items": {"post": {
            "operationId": "createItem",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"type": "object", "required": ["name"],
                           "properties": {"name": {"type": "string", "minLength": 1}}},
                "example": {"name": "from-the-example"}}}},
            "responses": {"201": {"description": "made",
                                  "content": {"application/json": {"schema": ITEM}}}}}},
    },
}


def operation(path: str, method: str) -> Any:
    """A Schemathesis operation of the inline spec."""
    schema = schemathesis.openapi.from_dict(SPEC, config=schemathesis.Config())
    schema.config.update(base_url="http://api.invalid/api")
    return schema[path][method]


def cases(phases: tuple[str, ...], path: str = "/items/{id}", method: str = "GET",
          ) -> tuple[list[Any], dict[str, str]]:
    """Every case the phases produce for one operation, and the notes."""
    seen: list[Any] = []
    notes = CaseSource(phases, max_examples=10, seed=1).drive(
        operation(path, method), seen.append, lambda: True)
    return seen, notes


@pytest.mark.parametrize("phase", PHASES, ids=PHASES)
def test_each_phase_yields_cases_marked_with_its_name(phase: str) -> None:
    seen, notes = cases((phase,), "/items", "POST")
    assert seen and notes == {}
    assert {c.meta.phase.name.value for c in seen} == {phase}


def test_examples_phase_sends_the_specs_own_example() -> None:
    seen, _ = cases(("examples",), "/items", "POST")
    assert {"name": "from-the-example"} in [c.body for c in seen]


def test_coverage_reaches_boundaries_missing_values_and_unexpected_methods() -> None:
    seen, _ = cases(("coverage",))
    limits = {str(c.query.get("limit")) for c in seen if c.query}
    assert {"1", "10"} <= limits  # both boundaries, positive
    assert {"0", "11"} <= limits  # just outside, negative
    assert any(c.query is None or "limit" not in c.query for c in seen if is_negative(c))
    assert {"DELETE", "PUT"} <= {c.method for c in seen}


def test_fuzzing_draws_both_modes() -> None:
    seen, _ = cases(("fuzzing",))
    modes = Counter(c.meta.generation.mode.value for c in seen)
    assert modes["positive"] > 0 and modes["negative"] > 0


def test_no_case_is_sent_once_the_budget_is_spent() -> None:
    seen: list[Any] = []
    CaseSource(PHASES, 10, 1).drive(operation("/items/{id}", "GET"), seen.append, lambda: False)
    assert seen == []


@pytest.mark.parametrize("phases", [(), ("stateful",), ("coverage", "fuzz")],
                         ids=["none", "stateful", "typo"])
def test_unknown_phases_are_refused_by_name(phases: tuple[str, ...]) -> None:
    with pytest.raises(ConfigError, match="phases must be"):
        check_phases(phases)


def answer(status: int, body: Any, case: Any) -> Any:
    """A Schemathesis response to the case, as if the server had sent it."""
    raw = requests.Response()
    raw.status_code, raw._content = status, json.dumps(body).encode()
    raw.headers["Content-Type"] = "application/json"
    raw.request = requests.Request(case.method, "http://api.invalid/api/items/x").prepare()
    return schemathesis.Response.from_any(raw)


CHECKS_UNDER_TEST = {fn.__name__: fn for fn in (
    not_a_server_error, status_code_conformance, response_schema_conformance,
    negative_data_rejection)}


@pytest.mark.parametrize(("status", "body"), [
    (200, {"id": "1", "name": "n"}), (200, {"id": 1}), (500, {}), (418, {"x": 1})],
    ids=["conforming", "bad-body", "server-error", "undocumented-status"])
def test_one_pass_judges_like_validate_response_per_check(status: int, body: Any) -> None:
    seen, _ = cases(("coverage",))
    # Content-Type probes answered 5xx make not_a_server_error re-send a control request;
    # this spec's server does not exist.
    plain = [c for c in seen if "Content-Type" not in (c.headers or {})]
    judge = Judge({"Authorization": "Bearer t"})
    for case in plain[:25]:
        response = answer(status, body, case)
        one_pass = judge.judge(case, response, CHECKS_UNDER_TEST)
        per_check = {name: run_check(fn, case, response, {"Authorization": "Bearer t"})
                     for name, fn in CHECKS_UNDER_TEST.items()}
        assert {k: v is None for k, v in one_pass.items()} == \
               {k: v is None for k, v in per_check.items()}, case.meta.phase.data


def test_a_crashing_check_fails_alone_and_names_the_crash() -> None:
    def crashes(ctx: Any, response: Any, case: Any) -> None:
        raise KeyError("boom")

    seen, _ = cases(("coverage",))
    checks = {"crashes": guarded(crashes),
              "not_a_server_error": not_a_server_error}
    verdicts = Judge({}).judge(seen[0], answer(500, {}, seen[0]), checks)
    assert "could not judge" in str(verdicts["crashes"]) and "KeyError" in str(verdicts["crashes"])
    assert verdicts["not_a_server_error"] is not None
