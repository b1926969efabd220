"""Schemathesis against the in-process mock: every operation of both specs, positive and negative
data, every check, authenticated as the global admin (SVX) and the management app (Transmit).

Two things the schemas cannot say are taught to the run (both are x-orgkit rules of the specs):
`next_page_after` must be a cursor the API issued, so positive cases drop it (cursors are covered
by test_pagination.py); and a well-formed but semantically unknown value (a security right name
outside the catalogue, a storage name) is a declared 422, so valid data may be answered with it.
Positive cases also name organisation A1 in `Meeco-Organisation-Id`, so that they reach the
success paths instead of the (declared) 404 for an unknown organisation. Derandomized: the same
cases on every run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from orgkit_fixtures import persona_token
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from mockserver.app import MockApp, create_app
from orgkit.served import MOCK_ONLY
from tests.mockserver.mocksupport import ORG_A1, PERSONAS

MAX_EXAMPLES = {"svx": 6, "transmit": 12}
ACCEPTED_FOR_VALID_DATA = ["2xx", "3xx", "401", "403", "404", "409", "422"]
ORG_HEADER = "meeco-organisation-id"

APP: MockApp = create_app()


def management_app_token() -> str:
    """A token from the mock's own client-credentials endpoint, as a management app gets one."""
    from starlette.testclient import TestClient

    entry = PERSONAS["management-app"]
    assert entry["kind"] == "admin"
    with TestClient(APP) as client:
        response = client.post("/cis/oidc/token", data={
            "grant_type": "client_credentials", "client_id": entry["client_id"],
            "client_secret": entry["client_secret"]})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def mock_only_operations(served: Mapping[str, Any]) -> list[str]:
    """operationIds the served document marks as the mock's own additions."""
    return [op["operationId"] for item in served["paths"].values() for op in item.values()
            if isinstance(op, Mapping) and op.get(MOCK_ONLY)]


def load(api: str, token: str) -> tuple[Any, dict[str, str]]:
    """The API's schema as the mock serves it, configured; the auth header to send."""
    mount = APP.mock.runtimes[api].model.mount
    schema: Any = schemathesis.openapi.from_asgi(f"{mount}/openapi.json", APP,
                                                 config=SchemathesisConfig())
    # The mock's own additions (Transmit's token endpoint) answer OAuth 2.0 errors, not the
    # API's error shape; tests/mockserver/test_generated_client.py calls them.
    for operation_id in mock_only_operations(APP.mock.runtimes[api].served):
        schema = schema.exclude(operation_id=operation_id)
    schema.config.update(workers=1)
    # The coverage phase tries each operation with other methods too; one is enough here
    # (test_gateway.py checks 405 and Allow for the rest).
    schema.config.phases.coverage.unexpected_methods = {"PATCH"}
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    max_examples=MAX_EXAMPLES[api],
                                    with_security_parameters=False)
    schema.config.checks.update(included_check_names=["all"])
    schema.config.checks.positive_data_acceptance.expected_statuses = ACCEPTED_FOR_VALID_DATA
    return schema, {"Authorization": f"Bearer {token}"}


SVX, SVX_AUTH = load("svx", persona_token(APP.mock.dataset, "global-admin", APP.mock.keyring))
TRANSMIT, TRANSMIT_AUTH = load("transmit", management_app_token())


def positive_only_issued_cursors(case: Any) -> None:
    """Positive cases: no made-up cursor, and the organisation header names a real org."""
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return
    if case.query:
        case.query.pop("next_page_after", None)
    for name in list(case.headers or {}):
        if name.lower() == ORG_HEADER:
            case.headers[name] = ORG_A1


def run(case: Any, auth: dict[str, str]) -> None:
    """One case against fresh state (reads leave it as it was), with every check."""
    if case.method.upper() != "GET":
        APP.mock.reset()
    positive_only_issued_cursors(case)
    case.call_and_validate(headers=auth)


RUN = settings(deadline=None, derandomize=True, database=None,
               suppress_health_check=list(HealthCheck))


@SVX.parametrize()
@RUN
def test_svx(case: Any) -> None:
    run(case, SVX_AUTH)


@TRANSMIT.parametrize()
@RUN
def test_transmit(case: Any) -> None:
    run(case, TRANSMIT_AUTH)
