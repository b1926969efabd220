"""Rights checks: who gets 401, 403 or 404, and what lists show to whom."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from contract_tests.checks.base import check
from contract_tests.checks.errors import error_shape_problem
from contract_tests.failures import CheckFailure, fail
from contract_tests.target import Exchange
from orgkit.model import Operation
from orgkit.specs import LoadedApi

FAMILY = "rights"
REFUSALS = (401, 403)


def every(problems: Sequence[CheckFailure]) -> None:
    """One CheckFailure naming every violation (the first one's exchange as evidence)."""
    if not problems:
        return
    first = problems[0]
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    raise fail("; ".join(p.message for p in problems[:3]) + more, first.expected,
               first.exchange, advisory=all(p.advisory for p in problems))


def each(steps: Iterable[Callable[[], Exchange]]) -> Exchange | None:
    """Run every step (each may raise CheckFailure), then fail once naming all violations."""
    last, problems = None, []
    for step in steps:
        try:
            last = step()
        except CheckFailure as problem:
            problems.append(problem)
    every(problems)
    return last


def in_error_shape(where: str, exchange: Exchange, api: LoadedApi, op: Operation) -> None:
    """Part of every refusal check: the refusal is judged as error_shape_matches judges errors."""
    problem = error_shape_problem(api, op, exchange.status, exchange.content_type,
                                  exchange.response_text)
    if problem:
        raise fail(f"{where} answered {exchange.status}, not in the error shape: {problem}",
                   f"{exchange.status} in the error shape the spec declares for it (body schema, "
                   "Content-Type, status field)", exchange)


@check("unauthenticated_refused", FAMILY,
       "A secured operation answers 401 in the error shape without a token, with a tampered "
       "signature and with a garbage token; a public operation serves callers without a token "
       "(no 401/403)")
def unauthenticated_refused(label: str, exchange: Exchange, *, public: bool, api: LoadedApi,
                            op: Operation) -> None:
    """One anonymous or badly authenticated attempt."""
    where = f"{exchange.method} {exchange.url} with {label}"
    if public and exchange.status in REFUSALS:
        raise fail(f"{where} answered {exchange.status}{exchange.said()}",
                   "no 401/403: the operation is public", exchange)
    if not public and exchange.status != 401:
        raise fail(f"{where} answered {exchange.status}{exchange.said()}",
                   "401: the operation needs a valid bearer token", exchange)
    if not public:
        in_error_shape(where, exchange, api, op)


@check("rights_enforced", FAMILY,
       "Every persona the spec's rights rule refuses gets 403 (404 for another user's item in "
       "owner mode) in the error shape",
       basis="rights-rule")
def rights_enforced(persona: str, exchange: Exchange, *, reason: str, api: LoadedApi,
                    op: Operation, status: int = 403) -> None:
    """One call by a persona the oracle refuses."""
    where = f"{exchange.method} {exchange.url} as {persona}"
    if exchange.status != status:
        raise fail(f"{where} answered {exchange.status}{exchange.said()}", f"{status}: {reason}",
                   exchange)
    in_error_shape(where, exchange, api, op)


@check("qualified_caller_allowed", FAMILY,
       "Every persona the spec's rights rule allows succeeds (2xx) with a valid request on "
       "existing resources",
       basis="rights-rule")
def qualified_caller_allowed(persona: str, exchange: Exchange, *, api: LoadedApi,
                             op: Operation) -> None:
    """One valid call by a persona the oracle allows."""
    require_success(exchange, op, f"as {persona}", "the persona holds a qualifying right and "
                    "the request is valid (resources that exist, a valid body)")


def require_success(exchange: Exchange, op: Operation, who: str, because: str) -> None:
    """CheckFailure unless the answer is a success (see succeeded); `because` says why one
    was due."""
    if not succeeded(op, exchange.status):
        raise fail(f"{exchange.method} {exchange.url} {who} answered {exchange.status}"
                   f"{exchange.said()}", f"2xx (or a documented redirect): {because}", exchange)


def succeeded(op: Operation, status: int) -> bool:
    """Whether a status is a success: 2xx, or a 3xx the spec documents (a redirect's success)."""
    return 200 <= status < 300 or (300 <= status < 400 and str(status) in op.responses)


@check("tenant_isolation", FAMILY,
       "Admins of one tenant cannot read, change or list another tenant's resources (403 or "
       "404), and lists never show items of another tenant or organisation",
       basis="rights-rule")
def tenant_isolation(persona: str, exchange: Exchange, *, reason: str, api: LoadedApi,
                     op: Operation) -> None:
    """One cross-tenant call by a persona the oracle refuses."""
    where = f"{exchange.method} {exchange.url} as {persona} (another tenant's resource)"
    if exchange.status not in (403, 404):
        raise fail(f"{where} answered {exchange.status}{exchange.said()}",
                   f"403 or 404: {reason}", exchange)
    in_error_shape(where, exchange, api, op)


def items_in_scope(persona: str, exchange: Exchange, items: Iterable[Mapping[str, Any]],
                   expected: Mapping[str, str | None], id_field: str) -> None:
    """Part of tenant_isolation: every listed item belongs to the scope the request names."""
    for item in items:
        for field, value in expected.items():
            got = item.get(field)
            if value is not None and got is not None and str(got) != value:
                raise fail(f"{exchange.method} {exchange.url} as {persona} listed "
                           f"{id_field} {item.get(id_field)!r} with {field} {got!r}",
                           f"only items with {field} {value!r}", exchange)


def items_visible(persona: str, exchange: Exchange, hidden: Sequence[Mapping[str, Any]],
                  id_field: str) -> None:
    """Part of tenant_isolation: a visibility list shows nothing the caller may not see."""
    if hidden:
        ids = ", ".join(repr(item.get(id_field)) for item in hidden[:5])
        raise fail(f"{exchange.method} {exchange.url} as {persona} listed {len(hidden)} item(s) "
                   f"the persona may not see: {ids}", "only items the caller holds a right on "
                   "(x-orgkit-rights visibility)", exchange)


@check("rights_follow_state", FAMILY,
       "Assigning a qualifying right turns a 403 into an allowed call; removing it turns the "
       "call back into a 403",
       basis="rights-rule")
def rights_follow_state(step: str, exchange: Exchange, *, allowed: bool, api: LoadedApi,
                        op: Operation) -> None:
    """One step of a grant-and-revoke scenario."""
    ok = exchange.status not in REFUSALS if allowed else exchange.status == 403
    if not ok:
        expected = "neither 401 nor 403" if allowed else "403"
        raise fail(f"{step}: {exchange.method} {exchange.url} answered {exchange.status}"
                   f"{exchange.said()}", expected, exchange)
    if not allowed:
        in_error_shape(f"{step}: {exchange.method} {exchange.url}", exchange, api, op)


def state_changed(step: str, exchange: Exchange) -> None:
    """Part of rights_follow_state: an assignment or removal must succeed (2xx)."""
    if not 200 <= exchange.status < 300:
        raise fail(f"{step}: {exchange.method} {exchange.url} answered {exchange.status}"
                   f"{exchange.said()}", "2xx: the caller may change these rights", exchange)
