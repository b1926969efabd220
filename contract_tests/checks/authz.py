"""Authorization checks peers have (RESTler, CATS, EvoMaster): parents, leaks, forged input."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contract_tests.checks.base import check
from contract_tests.checks.errors import expectation, first_problem, require_error
from contract_tests.failures import fail
from contract_tests.target import Exchange
from orgkit.model import Operation
from orgkit.specs import LoadedApi

FAMILY = "authorization"


@check("wrong_parent_not_found", FAMILY,
       "A child addressed through another parent than its own (an admin of one organisation "
       "under another's path, an agent under another organisation's header) is 404, never 2xx")
def wrong_parent_not_found(api: LoadedApi, op: Operation, who: str,
                           exchange: Exchange) -> Exchange:
    """One call naming an existing child under a parent it does not belong to."""
    if exchange.status < 400:
        raise fail(f"{exchange.method} {exchange.url} as {who} answered {exchange.status}"
                   f"{exchange.said()}", "404: the item does not exist under this parent",
                   exchange)
    return require_error(api, op, exchange, statuses=[404])


@check("refused_create_leaves_nothing", FAMILY,
       "A create that was refused (403 for a persona lacking rights, 400 for an invalid body) "
       "leaves nothing behind: the item is not listed")
def refused_create_leaves_nothing(attempt: str, exchange: Exchange) -> Exchange:
    """The refused attempt itself: a 4xx (a 2xx means the create went through)."""
    if not 400 <= exchange.status < 500:
        raise fail(f"{attempt}: {exchange.method} {exchange.url} answered {exchange.status}"
                   f"{exchange.said()}", "a 4xx: the create must be refused", exchange)
    return exchange


def nothing_listed(attempt: str, listing: Exchange, found: Sequence[Mapping[str, Any]],
                   marker: str) -> None:
    """Part of refused_create_leaves_nothing: no listed item carries the attempt's marker."""
    if found:
        raise fail(f"after {attempt} was refused, {listing.method} {listing.url} lists "
                   f"{len(found)} item(s) carrying its marker {marker!r}: {dict(found[0])}",
                   "nothing created by a refused request", listing)


@check("read_only_fields_ignored", FAMILY,
       "Fields a request body does not declare (id, tenant_id, status, created_at, "
       "organization_id and the item's other read-only fields) are ignored or refused, never "
       "stored", basis="inferred")
def read_only_fields_ignored(api: LoadedApi, op: Operation, exchange: Exchange,
                             stored: Mapping[str, Any], evidence: Exchange) -> Exchange:
    """The forged request's answer and the fields the item read back holds as sent."""
    if exchange.status >= 400:
        return require_error(api, op, exchange)
    if stored:
        fields = ", ".join(f"{k}={v!r}" for k, v in list(stored.items())[:5])
        raise fail(f"{exchange.method} {exchange.url} stored undeclared or read-only fields "
                   f"from the body: {fields}", "fields the request schema does not declare are "
                   "ignored (or the request refused with a 4xx)", evidence)
    return exchange


@check("odd_path_ids_rejected", FAMILY,
       "Odd values in every path parameter (`x/../y`, `{}`, a newline, 10 kB, non-ASCII, "
       "U+001F) get a 4xx in the error shape, never a 5xx or a 2xx")
def odd_path_ids_rejected(api: LoadedApi, op: Operation, label: str,
                          exchange: Exchange) -> Exchange:
    """One request with an odd value in one path parameter."""
    expected = "a 4xx in the error shape"
    if exchange.status < 400 or exchange.status >= 500:
        raise fail(f"{label}: {exchange.method} {exchange.url[:200]} answered "
                   f"{exchange.status}{exchange.said()}", expected, exchange)
    # A decoded `/` or dot segment may route the request to no operation at all, where the
    # API's default shape answers (as for unknown_path_not_found): either shape is right.
    options = [expectation(api, op, exchange.status), expectation(api, None, exchange.status)]
    problem = first_problem(options, exchange.status, exchange.content_type,
                            exchange.response_text)
    if problem:
        raise fail(f"{label}: {exchange.status} answer not in the error shape: {problem}",
                   expected, exchange)
    return exchange


@check("existence_not_revealed", FAMILY,
       "For another tenant's resource the answer does not depend on whether it exists: an "
       "existing foreign id and a random one get the same status and error code",
       basis="inferred")
def existence_not_revealed(who: str, param: str, known: Exchange, unknown: Exchange,
                           codes: Sequence[str]) -> Exchange:
    """The answers to an existing foreign item and to a random id in `param`, compared."""
    said = (f"as {who}, {known.method} {known.url} (an existing item) answered "
            f"{known.status}; with a random {param} it answered {unknown.status}")
    expected = "the same status and error code whether the item exists or not"
    if known.status != unknown.status:
        raise fail(said, expected, known)
    mine, theirs = signature(known, codes), signature(unknown, codes)
    if mine != theirs:
        raise fail(f"{said}, but the bodies differ: {mine} vs {theirs}", expected, known)
    return known


def signature(exchange: Exchange, codes: Sequence[str]) -> tuple[Any, ...]:
    """What an error answer says beyond its message: media type, body keys, code fields."""
    if exchange.status < 400:
        return (exchange.status,)
    body = exchange.json()
    keys = tuple(sorted(body)) if isinstance(body, dict) else type(body).__name__
    values = tuple(body.get(c) for c in codes) if isinstance(body, dict) else ()
    return exchange.content_type, keys, values
