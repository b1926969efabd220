"""positive_data_acceptance: the suite's own valid requests, each of which must succeed."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.config import ContractConfig  # noqa: E402
from contract_tests.families.acceptance import (  # noqa: E402
    check_acceptance,
    optional_query,
    variants,
)
from contract_tests.requests import Planned  # noqa: E402
from contract_tests.results import Outcome, Results  # noqa: E402
from contract_tests.runner import prepare  # noqa: E402
from contract_tests.scenery import Scenery  # noqa: E402
from contract_tests.stock import unknown_secret  # noqa: E402
from tests.contract_tests.asgi_live import MOUNTS, describe


def scenery_for(live_mock: Any, api: str, results: Results) -> Scenery:
    config = ContractConfig(api, live_mock.origin + MOUNTS[api], live_mock.personas)
    return Scenery(prepare(config, results))


@pytest.mark.parametrize("api", ["svx", "transmit"])
def test_every_operation_accepts_valid_requests_on_the_mock(live_mock: Any, api: str) -> None:
    results = Results()
    scenery = scenery_for(live_mock, api, results)
    try:
        for op in scenery.model.operations:
            check_acceptance(scenery.suite, scenery, op)
    finally:
        for undo in reversed(scenery.suite.cleanup):
            undo()
        scenery.suite.target.close()
    assert not results.failures(), describe(results)
    skipped = {r.operation_id: r.message for r in results if r.outcome is Outcome.NOT_TESTED}
    assert set(skipped) <= {"changeMyPassword"}, skipped
    assert results.count(Outcome.PASS) == len(scenery.model.operations) - len(skipped)


def test_variants_send_the_example_every_optional_field_and_query(live_mock: Any) -> None:
    scenery = scenery_for(live_mock, "svx", Results())
    create = scenery.model.operation("createTenant")
    labels = {v.label: v for v in variants(scenery, create)}
    assert {"a minimal valid request", "the spec's request example", "every optional body field",
            "every optional query parameter"} == set(labels)
    assert {"legal_name", "color", "logo_url"} <= set(labels["every optional body field"].body)
    invitations = optional_query(scenery, scenery.model.operation("listInvitations"))
    assert "status" not in invitations  # patterned, no example: no value known to match
    assert invitations["order"] == "ASC"
    tenant_orgs = optional_query(scenery, scenery.model.operation("listTenantOrgs"))
    assert "next_page_after" not in tenant_orgs  # cursors come from the server
    scenery.suite.target.close()


def test_a_current_password_cannot_be_known(live_mock: Any) -> None:
    scenery = scenery_for(live_mock, "svx", Results())
    op = scenery.model.operation("changeMyPassword")
    body = {"user": {"current_password": "a", "new_password": "b"}}
    assert "user.current_password" in (unknown_secret(Planned(op, body=body)) or "")
    assert unknown_secret(Planned(op, body={"user": {"new_password": "b"}})) is None
    scenery.suite.target.close()
