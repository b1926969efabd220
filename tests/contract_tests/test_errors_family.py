"""The errors family: error-shape expectations, the probes, and verdicts against live mocks."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contract_tests.checks import CheckFailure
from contract_tests.checks.errors import (
    expectation,
    malformed_json_rejected,
    shape_problem,
    unknown_path_not_found,
    unsupported_method_405,
)
from contract_tests.config import ContractConfig
from contract_tests.families import errors
from contract_tests.families.errors import fill_path, matches, unknown_path
from contract_tests.personas import load as load_personas
from contract_tests.results import Outcome, Results
from contract_tests.suite import Suite
from contract_tests.target import Exchange, Target
from mockserver.app import create_app  # noqa: E402
from orgkit.specs import load_api
from tests.contract_tests.asgi_live import (
    Answer,
    Breaker,
    ask,
    describe,
    personas_file,
    run_family,
    serving,
)

SVX, TRANSMIT = load_api("svx"), load_api("transmit")
SVX_ERROR = '{"error": "not_found", "extra_info": {}, "http_code": 404, "message": "no"}'


def answer(status: int, text: str, content_type: str = "application/json",
           **headers: str) -> Exchange:
    """A recorded answer to a probe."""
    return Exchange("GET", "http://h/svx/x", {}, None, status,
                    {"content-type": content_type, **headers}, text)


def test_declared_error_response_is_the_expectation() -> None:
    found = expectation(SVX, SVX.model.operation("getTenant"), 404)
    assert found.source == "getTenant response 404" and found.status_field == "http_code"
    assert "http_code" in found.schema["properties"]


def test_undeclared_status_falls_back_to_the_shape_schema() -> None:
    found = expectation(SVX, SVX.model.operation("getTenant"), 405)
    assert found.source == "error shape 'svx' (Error)"
    invitations = expectation(SVX, SVX.model.operation("createInvitation"), 418)
    assert invitations.source == "error shape 'invitations' (InvitationErrors)"
    assert invitations.status_field is None
    bad_request = expectation(TRANSMIT, None, 400)
    assert bad_request.source == "error shape 'transmit' (BadRequestHttpError)"


def test_shape_problems_are_named() -> None:
    expected = expectation(SVX, SVX.model.operation("getTenant"), 404)
    assert shape_problem(expected, 404, "application/json; charset=utf-8", SVX_ERROR) is None
    assert "Content-Type is 'text/html'" in str(shape_problem(expected, 404, "text/html",
                                                               SVX_ERROR))
    assert "not JSON" in str(shape_problem(expected, 404, "application/json", "oops"))
    assert "http_code is 404, expected the HTTP status 400" in str(
        shape_problem(expected, 400, "application/json", SVX_ERROR))
    assert "does not match getTenant response 404" in str(
        shape_problem(expected, 404, "application/json", '{"detail": "no"}'))


def test_probe_checks_fail_with_the_evidence() -> None:
    op = SVX.model.operation("createTenant")
    assert malformed_json_rejected(SVX, op, answer(400, SVX_ERROR.replace("404", "400")))
    with pytest.raises(CheckFailure, match="got 500, expected a 4xx"):
        malformed_json_rejected(SVX, op, answer(500, SVX_ERROR))
    with pytest.raises(CheckFailure, match="expected a 404"):
        unknown_path_not_found(SVX, op, answer(400, SVX_ERROR.replace("404", "400")))


@pytest.mark.parametrize(("allow", "problem"), [
    ("POST, GET", None),
    ("GET, HEAD, POST", None),
    ("GET, HEAD, OPTIONS, POST", None),
    ("GET, POST, PATCH", "Allow is 'GET, POST, PATCH': lists PATCH"),
    ("GET, HEAD", "Allow is 'GET, HEAD': lacks POST"),
    (None, "Allow is None: lacks GET, POST"),
], ids=["exact", "head-with-get", "head-and-options", "unrelated-extra", "missing", "absent"])
def test_405_allow_lists_the_spec_methods(allow: str | None, problem: str | None) -> None:
    op = SVX.model.operation("listTenants")
    body = SVX_ERROR.replace("404", "405")
    got = answer(405, body, **({"allow": allow} if allow is not None else {}))
    if problem is None:
        assert unsupported_method_405(SVX, op, got, ["GET", "POST"])
        return
    with pytest.raises(CheckFailure, match=re.escape(problem)) as raised:
        unsupported_method_405(SVX, op, got, ["GET", "POST"])
    assert raised.value.expected == "Allow: GET, POST; may add HEAD (with GET), OPTIONS"
    assert not raised.value.advisory


def test_probe_paths() -> None:
    templates = [o.path for o in SVX.model.operations]
    add_rights = SVX.model.operation("addOrgSecurityRights")
    path = unknown_path(templates, add_rights)
    assert not any(matches(path, t) for t in templates)
    assert path.count("orgkit-no-such-path") == 2  # one segment would name a security right
    assert fill_path(SVX.model.operation("getTenant")) == (
        "/tenants/00000000-0000-4000-8000-000000000000")


def run_errors(mock: Any, api: str) -> Results:
    """The errors family against a live mock."""
    config = ContractConfig(api, mock.base_url(api), mock.personas, only=("errors",))
    results = Results()
    suite = Suite(config, load_api(api), Target(config.base_url),
                  load_personas(mock.personas, api), results, random.Random(0))
    try:
        errors.run(suite)
    finally:
        suite.target.close()
    return results


@pytest.mark.parametrize("api", ["svx", "transmit"])
def test_the_mock_answers_every_probe_in_shape(live_mock: Any, api: str) -> None:
    results = run_errors(live_mock, api)
    assert not results.failures(), [(r.check, r.operation_id, r.message)
                                    for r in results.failures()]
    passed = {(r.check, r.operation_id) for r in results if r.outcome is Outcome.PASS}
    expected = {"svx": [("invalid_uuid_rejected", "getTenant"),
                        ("malformed_json_rejected", "createInvitation"),
                        ("unsupported_method_405", "listInvitations")],
                "transmit": [("wrong_content_type_rejected", "createOrganization"),
                             ("unknown_path_not_found", "getOrganization")]}[api]
    assert set(expected) <= passed
    assert all(r.message for r in results if r.outcome is Outcome.NOT_APPLICABLE)  # each says why


def test_detail_bodies_fail_every_probe(broken_mock: Any) -> None:
    results = run_errors(broken_mock, "transmit")
    applied = [r for r in results if r.outcome is not Outcome.NOT_APPLICABLE]
    assert applied and all(r.outcome is Outcome.FAIL for r in applied)
    failure = next(r for r in applied if r.operation_id == "createOrganization"
                   and r.check == "malformed_json_rejected")
    assert "error shape" in failure.message and failure.exchange is not None
    assert failure.exchange.curl().startswith("curl -i -X POST")


def allow_rewritten(extra: Callable[[str], str]) -> Any:
    """The mock with every 405's Allow header rewritten by `extra`."""

    async def change(app: Any, scope: Any, body: bytes) -> Answer | None:
        answer = await ask(app, scope, body)
        if answer.status != 405:
            return None
        answer.headers = [(k, extra(v.decode()).encode() if k.lower() == b"allow" else v)
                          for k, v in answer.headers]
        return answer

    return Breaker(create_app(), change)


@pytest.mark.parametrize(("extra", "outcome"), [
    (lambda allow: allow + (", HEAD" if "GET" in allow else "") + ", OPTIONS", Outcome.PASS),
    (lambda allow: allow + ", PATCH", Outcome.FAIL),
], ids=["head-and-options-pass", "unrelated-patch-fails"])
def test_allow_extras_against_a_live_server(extra: Callable[[str], str], outcome: Outcome,
                                            tmp_path: Path) -> None:
    operations = ("getTenant", "listTenants")  # /tenants/{id}: GET PUT DELETE; /tenants: GET POST
    breaker = allow_rewritten(extra)
    with serving(breaker) as origin:
        results = run_family(origin, "svx", "errors", personas_file(origin, tmp_path),
                             operations)
    assert breaker.calls
    verdicts = {r.operation_id: r.outcome for r in results if r.check == "unsupported_method_405"}
    assert verdicts == dict.fromkeys(operations, outcome), describe(results)
