"""positive_data_acceptance for the conformance family: valid requests must succeed.

Schemathesis' check of that name cannot judge the generated cases (their ids do not exist and
the broadest persona lacks some scopes), so the suite builds its own valid requests with the
scenery: path values name resources that exist, the caller is a persona the rights rule allows,
and each variant adds what a client may send: the spec's example body, a body with every
optional field, every optional query parameter. Each must succeed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from contract_tests import stock
from contract_tests.checks.auth import each
from contract_tests.checks.conformance import positive_data_acceptance
from contract_tests.personas import Persona
from contract_tests.requests import BodyMaker, Planned, SetupFailed, body_schema, merge, send
from contract_tests.scenery import CREATE_QUERY, Scenery
from contract_tests.sites import fresh_for_each_caller, home_persona
from contract_tests.suite import Suite
from contract_tests.target import Exchange
from orgkit.model import Operation

FAMILY = "conformance"
CHECK = "positive_data_acceptance"


@dataclass(frozen=True)
class Variant:
    """One way of filling a valid request: a body (None: the scenery's minimal one), a query."""

    label: str
    body: Any = None
    query: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Attempt:
    """A variant planned on its own resources, with the persona that sends it."""

    label: str
    persona: Persona
    planned: Planned


def check_acceptance(suite: Suite, scenery: Scenery, op: Operation) -> None:
    """One verdict per operation over every variant; not tested when none can be prepared."""
    try:
        attempts = [attempt(scenery, op, v) for v in variants(scenery, op)]
    except SetupFailed as exc:
        suite.not_tested(FAMILY, CHECK, op, f"cannot prepare a valid request: {exc}")
        return
    secret = next(filter(None, (stock.unknown_secret(a.planned) for a in attempts)), None)
    if secret:
        suite.not_tested(FAMILY, CHECK, op, secret)
        return

    def step(one: Attempt) -> Callable[[], Exchange]:
        def run() -> Exchange:
            exchange = send(suite.target, one.planned, one.persona.token)
            scenery.adopt(one.planned, exchange, one.persona)
            positive_data_acceptance(f"{one.label}, as {one.persona.name}", exchange,
                                     api=suite.api, op=op)
            return exchange
        return run

    suite.verdict(FAMILY, CHECK, op, lambda: each(step(a) for a in attempts))


def variants(scenery: Scenery, op: Operation) -> list[Variant]:
    """The minimal request, then the example body, every optional field, every optional query."""
    found = [Variant("a minimal valid request")]
    media, schema = body_schema(op)
    if "json" in media:
        example = request_example(op)
        if isinstance(example, dict):
            found.append(Variant("the spec's request example", writable(example, schema)))
        full = BodyMaker(scenery.suite.rng, full=True).value(schema)
        found.append(Variant("every optional body field", full))
    query = optional_query(scenery, op)
    if query:
        found.append(Variant("every optional query parameter", query=query))
    return found


def attempt(scenery: Scenery, op: Operation, variant: Variant) -> Attempt:
    """The variant on its own resources (fresh ones where the call changes them)."""
    preferred = home_persona(scenery.suite.personas)
    persona = scenery.actor(scenery.plan(op), [preferred])
    planned = scenery.plan(op, persona, fresh=fresh_for_each_caller(op))
    persona = scenery.actor(planned, [persona])
    created = {k: v for k, v in CREATE_QUERY.items() if op.parameter(k, "query")}
    planned = planned.with_query(**{**variant.query, **created})
    if variant.body is not None:
        overrides = {**stock.body_overrides(scenery, planned, variant.body, persona),
                     **unique_overrides(scenery, variant.body)}
        planned = replace(planned, body=merge(variant.body, overrides))
    return Attempt(variant.label, persona, planned)


def request_example(op: Operation) -> Any:
    """The spec's example of the operation's JSON request body (None when it has none)."""
    content = op.request_content
    media = next((m for m in content if "json" in m), None)
    if media is None:
        return None
    entry = content[media]
    if "example" in entry:
        return entry["example"]
    examples = entry.get("examples") or {}
    first = next(iter(examples.values()), None)
    if isinstance(first, dict) and "value" in first:
        return first["value"]
    return (entry.get("schema") or {}).get("example")


def writable(body: dict[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """The body without the fields the schema marks read-only (a client never sends them)."""
    props = schema.get("properties") or {}
    return {k: v for k, v in body.items() if not (props.get(k) or {}).get("readOnly")}


def unique_overrides(scenery: Scenery, body: Any) -> dict[str, Any]:
    """Fresh values for the fields an example fixes but the API keeps unique (id, name)."""
    found: dict[str, Any] = {}
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        found["id"] = scenery.maker.fresh_uuid()
    if isinstance(body, dict) and isinstance(body.get("name"), str):
        found["name"] = scenery.maker.unique_name()
    return found


def optional_query(scenery: Scenery, op: Operation) -> dict[str, Any]:
    """A valid value for every optional query parameter but a cursor (the server makes those)
    and a patterned one without example (no value is known to match)."""
    cursor = op.pagination.cursor_param if op.pagination else None
    found: dict[str, Any] = {}
    for p in op.parameters:
        if p.location != "query" or p.required or p.name == cursor:
            continue
        value = scenery.site_value(scenery.home, p.name) or stock.query_value(p.schema)
        pattern = p.schema.get("pattern")
        if pattern is None or re.search(str(pattern), str(value)):
            found[p.name] = value
    return found
