"""Rights checks judge refusals like any other error and want a success from allowed callers."""

from __future__ import annotations

import json

import pytest

from contract_tests.checks import CheckFailure
from contract_tests.checks.auth import (
    qualified_caller_allowed,
    rights_enforced,
    unauthenticated_refused,
)
from contract_tests.target import Exchange
from orgkit.specs import load_api

SVX_401 = {"error": "unauthorized", "extra_info": {}, "http_code": 401, "message": "no token"}
TRANSMIT_403 = {"message": "missing permission", "error_code": 403}
JSON = "application/json"


def answer(status: int, body: object, media: str = JSON) -> Exchange:
    """An answer to GET /x with a JSON body."""
    return Exchange("GET", "http://h/x", {}, None, status, {"content-type": media},
                    json.dumps(body))


@pytest.mark.parametrize(("status", "body", "media", "wrong"), [
    (401, SVX_401, JSON, None),
    (401, {"error": "unauthorized", "message": "no token"}, JSON, "extra_info"),
    (401, {**SVX_401, "http_code": 403}, JSON, "http_code"),
    (401, SVX_401, "text/html", "Content-Type"),
    (403, SVX_401, JSON, "401: the operation needs"),
], ids=["in shape", "foreign shape", "status field", "content type", "wrong status"])
def test_unauthenticated_refused_judges_the_401_body(status: int, body: object, media: str,
                                                    wrong: str | None) -> None:
    api = load_api("svx")

    def run() -> None:
        unauthenticated_refused("no token", answer(status, body, media), public=False, api=api,
                                op=api.model.operation("getOrg"))

    if wrong is None:
        run()
        return
    with pytest.raises(CheckFailure) as caught:
        run()
    assert wrong in caught.value.message + caught.value.expected


@pytest.mark.parametrize(("body", "fails"), [
    (TRANSMIT_403, False), ({"detail": "Forbidden"}, True),
    ({**TRANSMIT_403, "error_code": 404}, True)], ids=["in shape", "foreign", "status field"])
def test_rights_enforced_judges_the_403_body(body: object, fails: bool) -> None:
    api = load_api("transmit")
    op = api.model.operation("getOrganization")
    exchange = answer(403, body)
    if fails:
        with pytest.raises(CheckFailure, match="not in the error shape"):
            rights_enforced("app", exchange, reason="r", api=api, op=op)
    else:
        rights_enforced("app", exchange, reason="r", api=api, op=op)


@pytest.mark.parametrize(("operation", "status", "fails"), [
    ("getOrg", 200, False), ("getOrg", 404, True), ("getOrg", 400, True),
    ("getOrg", 302, True), ("redirectToOrgLogo", 302, False)],
    ids=["2xx", "404", "400", "undocumented redirect", "documented redirect"])
def test_qualified_callers_need_a_success(operation: str, status: int, fails: bool) -> None:
    api = load_api("svx")
    op = api.model.operation(operation)
    exchange = answer(status, {})
    if fails:
        with pytest.raises(CheckFailure, match=f"answered {status}") as caught:
            qualified_caller_allowed("p", exchange, api=api, op=op)
        assert caught.value.expected.startswith("2xx")
    else:
        qualified_caller_allowed("p", exchange, api=api, op=op)
