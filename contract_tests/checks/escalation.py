"""Escalation checks: nobody grants beyond the declared rules, acts outside its context, or
gets in with another API's token."""

from __future__ import annotations

from contract_tests.checks.base import check
from contract_tests.failures import fail
from contract_tests.target import Exchange

FAMILY = "rights"
OUTSIDE = (403, 404)  # refused, or the context's items are not there for the caller


def _where(exchange: Exchange) -> str:
    return f"{exchange.method} {exchange.url}"


@check("self_escalation_refused", FAMILY,
       "A caller who may assign rights cannot assign itself a right it does not hold in that "
       "scope (403), nor through another spelling of its own UUID (x-orgkit-grants)")
def self_escalation_refused(step: str, exchange: Exchange, *, exact: bool) -> None:
    """One self-assignment: 403 for the caller's own id; any 4xx for its upper-case form."""
    ok = exchange.status == 403 if exact else 400 <= exchange.status < 500
    if not ok:
        raise fail(f"{step}: {_where(exchange)} answered {exchange.status}{exchange.said()}",
                   "403: a caller may not hand itself rights it does not hold" if exact else
                   "4xx: the upper-case form of a UUID names the same user", exchange)


@check("laundering_refused", FAMILY,
       "A caller whose authority is of the granted scope only cannot hand another user a right "
       "it does not hold itself (403), so no second account can pass it back (x-orgkit-grants)")
def laundering_refused(step: str, exchange: Exchange) -> None:
    """One grant of a right the caller does not hold, to a fresh user."""
    if exchange.status != 403:
        raise fail(f"{step}: {_where(exchange)} answered {exchange.status}{exchange.said()}",
                   "403: only a wider authority grants rights it does not hold", exchange)


@check("invitation_context_enforced", FAMILY,
       "Invitations are created, deleted and resent only within the context the caller "
       "selected: not in another tenant's organisation, not on another tenant's invitation "
       "(403 or 404; x-orgkit-rights mode context)")
def invitation_context_enforced(step: str, exchange: Exchange, *, reason: str) -> None:
    """One call outside the caller's context."""
    _refused_outside(step, exchange, reason)


@check("context_membership_required", FAMILY,
       "A caller holding no right in the context it selects (organisation, tenant or global) "
       "cannot act there: 403 or 404 (x-orgkit-rights mode context, membership_inferred)")
def context_membership_required(step: str, exchange: Exchange, *, reason: str) -> None:
    """One call by a persona that belongs to no context it selects."""
    _refused_outside(step, exchange, reason)


def _refused_outside(step: str, exchange: Exchange, reason: str) -> None:
    """403 or 404 for a call outside the caller's context (both context checks)."""
    if exchange.status not in OUTSIDE:
        raise fail(f"{step}: {_where(exchange)} answered {exchange.status}{exchange.said()}",
                   f"403 or 404: {reason}", exchange)


def invitation_kept(step: str, exchange: Exchange) -> None:
    """Part of invitation_context_enforced: refused calls left the invitation in place."""
    if not 200 <= exchange.status < 300:
        raise fail(f"{step}: {_where(exchange)} answered {exchange.status}{exchange.said()}",
                   "2xx: calls from outside the context changed nothing", exchange)


@check("foreign_token_refused", FAMILY,
       "A valid access token of the other API is not a credential here: 401 (x-orgkit.auth)")
def foreign_token_refused(persona: str, exchange: Exchange) -> None:
    """One call with another API's token."""
    if exchange.status != 401:
        raise fail(f"{_where(exchange)} with {persona}'s token (another API's) answered "
                   f"{exchange.status}{exchange.said()}", "401: a token of another API",
                   exchange)
