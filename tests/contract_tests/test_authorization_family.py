"""The authorization family: clean against the mock; its pure helpers and checks by table.

The broken implementations each check must catch are in test_mutations.py.
"""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from contract_tests.checks import CheckFailure  # noqa: E402
from contract_tests.checks.authz import (  # noqa: E402
    existence_not_revealed,
    odd_path_ids_rejected,
    read_only_fields_ignored,
)
from contract_tests.config import ContractConfig  # noqa: E402
from contract_tests.families.authorization import code_fields, random_like  # noqa: E402
from contract_tests.forgery import NotApplicable, forged_value, marker_field  # noqa: E402
from contract_tests.requests import BodyMaker, Planned  # noqa: E402
from contract_tests.results import Outcome  # noqa: E402
from contract_tests.target import Exchange  # noqa: E402
from orgkit.rightsrules import ScopeRef, SourceKind
from orgkit.specs import load_api  # noqa: E402
from tests.contract_tests.asgi_live import describe, failures, run_family

SVX, TRANSMIT = load_api("svx"), load_api("transmit")
AWAY_TENANT = "12546345-784b-41b0-9e3c-18657beac9f5"


def passed(results: Any) -> set[tuple[str, str]]:
    return {(r.check, r.operation_id) for r in results if r.outcome is Outcome.PASS}


def test_svx_authorization_passes_on_the_mock(live_mock: Any) -> None:
    results = run_family(live_mock.origin, "svx", "authorization", live_mock.personas)
    assert not failures(results), describe(results)
    for pair in [("wrong_parent_not_found", "getOrgAdmin"),
                 ("wrong_parent_not_found", "getTenantAdmin"),
                 ("wrong_parent_not_found", "getApplicationAgent"),
                 ("refused_create_leaves_nothing", "createOrg"),
                 ("refused_create_leaves_nothing", "createTenant"),
                 ("read_only_fields_ignored", "createOrg"),
                 ("read_only_fields_ignored", "updateOrg"),
                 ("read_only_fields_ignored", "createBlob"),
                 ("odd_path_ids_rejected", "getOrg"),
                 ("odd_path_ids_rejected", "removeOrgSecurityRights"),
                 ("existence_not_revealed", "getOrg"),
                 ("existence_not_revealed", "getDeployment"),
                 ("existence_not_revealed", "getBlob")]:
        assert pair in passed(results), pair


def test_transmit_authorization_passes_on_the_mock(live_mock: Any) -> None:
    results = run_family(live_mock.origin, "transmit", "authorization", live_mock.personas)
    assert not failures(results), describe(results)
    for pair in [("refused_create_leaves_nothing", "createOrganization"),
                 ("read_only_fields_ignored", "createOrganization"),
                 ("read_only_fields_ignored", "updateOrganization"),
                 ("odd_path_ids_rejected", "getOrganizationByName"),
                 ("existence_not_revealed", "updateOrganization")]:
        assert pair in passed(results), pair


def test_authorization_is_a_family_of_only() -> None:
    config = ContractConfig("svx", "http://127.0.0.1:9/svx", Path("p.json"),
                            only=("authorization",))
    assert config.families == ("authorization",)


# -- helpers ----------------------------------------------------------------------------------


def scenery(away: str | None = AWAY_TENANT) -> Any:
    """What the helpers read of a scenery: the body maker and the away site."""
    rng = random.Random(0)
    site = SimpleNamespace(tenant_id=away) if away else None
    return SimpleNamespace(maker=BodyMaker(rng), away=site, suite=SimpleNamespace(rng=rng))


@pytest.mark.parametrize(("name", "prop", "base", "check"), [
    ("tenant_id", {"type": "string", "format": "uuid"}, "t-home",
     lambda v: v == AWAY_TENANT),
    ("created_at", {"type": "number"}, 1, lambda v: v == 981_173_106_000),
    ("inserted_at", {"type": "string", "format": "date-time"}, None,
     lambda v: v == "2001-02-03T04:05:06Z"),
    ("id", {"type": "string"}, "x", lambda v: len(v) == 36),
    ("status", {"type": "string", "enum": ["active", "archived"]}, "active",
     lambda v: v == "archived"),
    ("status", {"type": "string", "enum": ["active"]}, "active", lambda v: v is None),
    ("confirmed", {"type": "boolean"}, False, lambda v: v is True),
    ("security_rights", {"type": "array", "items": {"type": "string"}}, [],
     lambda v: v[0].startswith("orgkit-forged-")),
    ("upload_headers", {"type": "object"}, {}, lambda v: v is None),
    ("logo_url", {"type": "string", "format": "uri"}, None,
     lambda v: v.startswith("https://orgkit-forged.example/")),
], ids=["tenant-moved", "epoch-ms", "iso-date", "id", "other-enum", "single-enum", "bool-flipped",
        "array", "object-skipped", "uri"])
def test_forged_values_are_distinctive(name: str, prop: dict[str, Any], base: Any,
                                       check: Any) -> None:
    assert check(forged_value(scenery(), name, prop, base))


@pytest.mark.parametrize(("schema", "field"), [
    ({"properties": {"color": {"type": "string"}, "name": {"type": "string"}}}, "name"),
    ({"required": ["email"], "properties": {"note": {"type": "string"},
                                            "email": {"type": "string", "format": "email"}}},
     "email"),
    ({"properties": {"kind": {"type": "string", "enum": ["a"]}, "n": {"type": "integer"}}}, None),
], ids=["name-first", "required-next", "none"])
def test_marker_field(schema: dict[str, Any], field: str | None) -> None:
    if field is None:
        with pytest.raises(NotApplicable):
            marker_field(schema)
    else:
        assert marker_field(schema) == field


@pytest.mark.parametrize(("op_id", "param", "real", "pattern"), [
    ("getOrg", "org_id", "97aba509-421a-4829-bcfa-b0eaeca247ab",
     r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
    ("getDeployment", "id", "qx315-ys1om", r"[a-z]{2}[0-9]{3}-[a-z]{2}[0-9][a-z]{2}"),
], ids=["uuid", "shaped"])
def test_random_ids_keep_the_shape(op_id: str, param: str, real: str, pattern: str) -> None:
    import re

    op = SVX.model.operation(op_id)
    ref = ScopeRef(SourceKind.PATH, param)
    made = random_like(scenery(), op, ref, Planned(op, {param: real}))
    assert made != real and re.fullmatch(pattern, made)


def test_code_fields_never_include_the_message() -> None:
    assert code_fields(SVX.model.operation("getOrg")) == ["http_code", "error"]
    assert code_fields(TRANSMIT.model.operation("getOrganization")) == ["error_code",
                                                                        "ts_error_code"]


# -- checks -----------------------------------------------------------------------------------


def answer(status: int, body: str, media: str = "application/json") -> Exchange:
    return Exchange("GET", "http://x/svx/orgs/1", {}, None, status, {"content-type": media}, body)


def svx_error(status: int, code: str) -> str:
    return (f'{{"error": "{code}", "message": "m", "http_code": {status}, '
            f'"extra_info": {{}}}}')


@pytest.mark.parametrize(("known", "unknown", "ok"), [
    (answer(403, svx_error(403, "forbidden")), answer(403, svx_error(403, "forbidden")), True),
    (answer(403, svx_error(403, "forbidden")), answer(404, svx_error(404, "not_found")), False),
    (answer(403, svx_error(403, "forbidden")), answer(403, svx_error(403, "no_such_org")), False),
], ids=["alike", "status-differs", "code-differs"])
def test_existence_not_revealed(known: Exchange, unknown: Exchange, ok: bool) -> None:
    def judge() -> None:
        existence_not_revealed("p", "org_id", known, unknown, ["http_code", "error"])
    if ok:
        judge()
    else:
        with pytest.raises(CheckFailure):
            judge()


@pytest.mark.parametrize(("exchange", "ok"), [
    (answer(400, svx_error(400, "bad_request")), True),
    (answer(404, svx_error(404, "not_found")), True),
    (answer(500, "Traceback (most recent call last)", "text/plain"), False),
    (answer(200, '{"org": {}}'), False),
    (answer(404, '{"detail": "Not Found"}'), False),
], ids=["400", "404", "500", "200", "foreign-shape"])
def test_odd_path_ids_rejected(exchange: Exchange, ok: bool) -> None:
    op = SVX.model.operation("getOrg")
    if ok:
        odd_path_ids_rejected(SVX, op, "10 kB in org_id", exchange)
    else:
        with pytest.raises(CheckFailure):
            odd_path_ids_rejected(SVX, op, "10 kB in org_id", exchange)


def test_read_only_fields_stored_fail_naming_them() -> None:
    op = SVX.model.operation("createOrg")
    created = answer(201, '{"org": {}}')
    read_only_fields_ignored(SVX, op, created, {}, created)
    with pytest.raises(CheckFailure, match="status='archived'"):
        read_only_fields_ignored(SVX, op, created, {"status": "archived"}, created)
