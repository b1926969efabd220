"""The Schemathesis checks the suite runs, under their own names, with what each proves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from contract_tests.checks.auth import require_success
from contract_tests.checks.base import CHECKS, CheckInfo, check
from contract_tests.checks.errors import error_shape_matches
from contract_tests.failures import fail
from contract_tests.target import Exchange
from orgkit.model import Operation
from orgkit.specs import LoadedApi

SchemathesisCheck = Callable[..., Any]

# name → (function, family, title): the names are Schemathesis' own, so its docs apply.
_TABLE: dict[str, tuple[SchemathesisCheck, str, str]] = {
    "not_a_server_error": (not_a_server_error, "conformance", "No request gets a 5xx"),
    "status_code_conformance": (
        status_code_conformance, "conformance", "Every status is documented for the operation"),
    "content_type_conformance": (
        content_type_conformance, "conformance", "Every Content-Type is the documented one"),
    "response_headers_conformance": (
        response_headers_conformance, "conformance",
        "Documented response headers are present and valid"),
    "response_schema_conformance": (
        response_schema_conformance, "conformance", "Every body validates against its schema"),
    "negative_data_rejection": (
        negative_data_rejection, "conformance", "Requests violating the schema are rejected (4xx)"),
    "use_after_free": (
        use_after_free, "workflows", "A deleted resource is gone (404) for every linked operation"),
    "ensure_resource_availability": (
        ensure_resource_availability, "workflows",
        "A created resource is reachable through every linked operation"),
}

@check("positive_data_acceptance", "conformance",
       "Valid requests are accepted (2xx): on resources that exist, as a persona the rights rule "
       "allows, with the spec's example body, with every optional field and query parameter",
       basis="rights-rule")
def positive_data_acceptance(label: str, exchange: Exchange, *, api: LoadedApi,
                             op: Operation) -> None:
    """One valid request (Schemathesis' check of that name cannot judge generated ids/scopes)."""
    require_success(exchange, op, f"({label})",
                    "the request is valid by the spec and addresses resources that exist")
    missing = missing_required_headers(exchange, op)
    if missing:
        # Advisory: the only required response headers in the bundled documents are the
        # Location of SVX's redirects, our reconstruction of the seed's "Redirect to ..."
        # (RFC 9110 15.4: a redirect SHOULD carry Location).
        raise fail(f"{exchange.method} {exchange.url} ({label}) answered {exchange.status} "
                   f"without its required {', '.join(missing)} header", "the response headers "
                   f"the spec declares required for {exchange.status}", exchange, advisory=True)


def missing_required_headers(exchange: Exchange, op: Operation) -> list[str]:
    """The headers op declares required for the answer's status that the answer lacks."""
    declared = op.responses.get(str(exchange.status))
    if declared is None:
        return []
    present = {name.lower() for name in exchange.response_headers}
    return [name for name, header in declared.headers.items()
            if isinstance(header, Mapping) and header.get("required")
            and name.lower() not in present]


@check("token_accepted", "conformance",
       "The persona's token, accepted by the preflight, is never answered with 401 (a documented "
       "401 would otherwise pass every other check)")
def token_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis-style check: no 401 for a request that carries the persona's valid token."""
    if response.status_code == 401:
        raise AssertionError("401 for a request with the persona's token, which the preflight "
                             "accepted: nothing else this answer shows can be judged")
    return None


CONFORMANCE_CHECKS: dict[str, SchemathesisCheck] = {
    name: fn for name, (fn, family, _) in _TABLE.items() if family == "conformance"}
CONFORMANCE_CHECKS["error_shape_matches"] = error_shape_matches
CONFORMANCE_CHECKS["token_accepted"] = token_accepted

WORKFLOW_CHECKS: dict[str, SchemathesisCheck] = {
    "use_after_free": use_after_free,
    "ensure_resource_availability": ensure_resource_availability,
    "not_a_server_error": not_a_server_error,
    "status_code_conformance": status_code_conformance,
    "response_schema_conformance": response_schema_conformance,
    "error_shape_matches": error_shape_matches,
    "token_accepted": token_accepted,
}

def _register() -> None:
    for name, (_, family, title) in _TABLE.items():
        if name not in CHECKS:
            CHECKS[name] = CheckInfo(name, family, title)


_register()
