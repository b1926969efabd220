"""Rights checks: who gets 401, 403 or 404, and what lists show to whom."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from contract_tests.checks.base import CheckFailure, check
from contract_tests.suite import fail
from contract_tests.target import Exchange

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


def _said(exchange: Exchange) -> str:
    """The start of a response body, for messages."""
    text = exchange.response_text.strip().replace("\n", " ")
    return f": {text[:160]}" if text else ""


@check("unauthenticated_refused", FAMILY,
       "A secured operation answers 401 without a token, with a tampered signature and with a "
       "garbage token; a public operation serves callers without a token (no 401/403)")
def unauthenticated_refused(label: str, exchange: Exchange, *, public: bool) -> None:
    """One anonymous or badly authenticated attempt."""
    where = f"{exchange.method} {exchange.url} with {label}"
    if public and exchange.status in REFUSALS:
        raise fail(f"{where} answered {exchange.status}{_said(exchange)}",
                   "no 401/403: the operation is public", exchange)
    if not public and exchange.status != 401:
        raise fail(f"{where} answered {exchange.status}{_said(exchange)}",
                   "401: the operation needs a valid bearer token", exchange)


@check("rights_enforced", FAMILY,
       "Every persona the spec's rights rule refuses gets 403 (404 for another user's item in "
       "owner mode)")
def rights_enforced(persona: str, exchange: Exchange, *, reason: str, status: int = 403) -> None:
    """One call by a persona the oracle refuses."""
    if exchange.status != status:
        raise fail(f"{exchange.method} {exchange.url} as {persona} answered {exchange.status}"
                   f"{_said(exchange)}", f"{status}: {reason}", exchange)


@check("qualified_caller_allowed", FAMILY,
       "Every persona the spec's rights rule allows gets past authorization (neither 401 nor 403)")
def qualified_caller_allowed(persona: str, exchange: Exchange) -> None:
    """One call by a persona the oracle allows."""
    if exchange.status in REFUSALS:
        raise fail(f"{exchange.method} {exchange.url} as {persona} answered {exchange.status}"
                   f"{_said(exchange)}", "neither 401 nor 403: the persona holds a qualifying "
                   "right", exchange)


@check("tenant_isolation", FAMILY,
       "Admins of one tenant cannot read, change or list another tenant's resources (403 or "
       "404), and lists never show items of another tenant or organisation")
def tenant_isolation(persona: str, exchange: Exchange, *, reason: str) -> None:
    """One cross-tenant call by a persona the oracle refuses."""
    if exchange.status not in (403, 404):
        raise fail(f"{exchange.method} {exchange.url} as {persona} (another tenant's resource) "
                   f"answered {exchange.status}{_said(exchange)}", f"403 or 404: {reason}",
                   exchange)


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
       "call back into a 403")
def rights_follow_state(step: str, exchange: Exchange, *, allowed: bool) -> None:
    """One step of a grant-and-revoke scenario."""
    ok = exchange.status not in REFUSALS if allowed else exchange.status == 403
    if not ok:
        expected = "neither 401 nor 403" if allowed else "403"
        raise fail(f"{step}: {exchange.method} {exchange.url} answered {exchange.status}"
                   f"{_said(exchange)}", expected, exchange)


def state_changed(step: str, exchange: Exchange) -> None:
    """Part of rights_follow_state: an assignment or removal must succeed (2xx)."""
    if not 200 <= exchange.status < 300:
        raise fail(f"{step}: {exchange.method} {exchange.url} answered {exchange.status}"
                   f"{_said(exchange)}", "2xx: the caller may change these rights", exchange)
