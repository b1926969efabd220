"""Forged requests of the authorization family: refused creates and bodies with fields the
request schema does not declare, judged by what the API lists and reads back afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from contract_tests import tenancy
from contract_tests.checks.auth import each
from contract_tests.checks.authz import (
    nothing_listed,
    read_only_fields_ignored,
    refused_create_leaves_nothing,
)
from contract_tests.driver import rights_count
from contract_tests.personas import Persona
from contract_tests.requests import (
    Planned,
    SetupFailed,
    body_schema,
    merge,
    required,
    sample,
    send,
)
from contract_tests.scenery import Scenery, item_of
from contract_tests.sites import home_persona, require_selected
from contract_tests.target import Exchange
from contract_tests.walks import Walker, default_order
from orgkit.errors import OrgkitError
from orgkit.model import Operation, PagingStyle
from orgkit.rightsrules import RightsMode

Run = Callable[[], Exchange | None]
Schema = Mapping[str, Any]
# Always forged where the request does not declare them (issue: the classic mass assignment).
NAMED = ("id", "tenant_id", "organization_id", "status", "created_at")
WRONG_TYPE = {"string": 12345, "integer": "orgkit-not-a-number", "number": "orgkit-not-a-number",
              "boolean": "orgkit-not-a-boolean", "array": "orgkit-not-an-array",
              "object": "orgkit-not-an-object"}
PAST = "2001-02-03T04:05:06Z"
PAST_MS = 981_173_106_000
LIST_BOUND = 50  # pages walked looking for leftovers


class NotApplicable(OrgkitError):
    """The check cannot apply to the operation (the message says why)."""


def creates(op: Operation) -> bool:
    """Whether the operation creates an item (a POST answering 201)."""
    return op.method == "POST" and op.success_status == 201 and op.resource is not None


def request_object(scenery: Scenery, op: Operation) -> tuple[str | None, Schema]:
    """The envelope (or None) and the object schema of the body's item fields."""
    media, schema = body_schema(op)
    if "json" not in media or "properties" not in schema:
        raise NotApplicable("the operation takes no JSON object body")
    envelope = op.resource.envelope if op.resource else None
    props = schema["properties"]
    if envelope and set(props) == {envelope} and "properties" in props[envelope]:
        return envelope, props[envelope]
    return None, schema


def with_fields(planned: Planned, envelope: str | None, fields: Mapping[str, Any]) -> Planned:
    """The request with body fields set (inside the envelope when there is one)."""
    dotted = {(f"{envelope}.{k}" if envelope else k): v for k, v in fields.items()}
    return replace(planned, body=merge(planned.body, dotted))


def refused_persona(scenery: Scenery, planned: Planned) -> Persona | None:
    """A persona the oracle refuses the request (owner mode: not the owner), admins of another
    tenant first, then personas holding some rights."""
    owner = scenery.owner_of(planned)
    owner_mode = planned.op.rights.mode is RightsMode.OWNER

    def refused(p: Persona) -> bool:
        if owner_mode:
            return owner is not None and p.caller.subject != owner
        return scenery.refusal(p, planned) is not None

    home = scenery.home.tenant_id
    found = sorted((p for p in scenery.personas() if refused(p)),
                   key=lambda p: (p.tenant_id in (home, None), rights_count(p) == 0))
    return next(iter(found), None)


def sampled(scenery: Scenery, op: Operation) -> Planned:
    """A request of sampled values (path, required query and headers) and a minimal body."""
    path = {p.name: str(sample(p.schema)) for p in op.parameters if p.location == "path"}
    planned = Planned(op, path, required(op, "query"), required(op, "header"))
    try:
        return scenery.with_body(planned, None)
    except SetupFailed:
        return planned


def actor(scenery: Scenery, planned: Planned) -> Persona:
    """Who performs a request: the home persona when the oracle allows it, else the first."""
    return scenery.actor(planned, [home_persona(scenery.suite.personas)])


# -- leakage --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """A create that must be refused, with the marker its item would carry."""

    label: str
    persona: Persona
    planned: Planned
    marker: str


@dataclass(frozen=True)
class Lister:
    """How to see every item the create could have left: the list request and who sends it."""

    planned: Planned
    persona: Persona


def leakage(scenery: Scenery, op: Operation) -> Run:
    """A refused persona's create and an invalid body's create, then the list: no leftovers."""
    if not creates(op):
        raise NotApplicable("the operation creates nothing (no POST answering 201)")
    envelope, schema = request_object(scenery, op)
    field = marker_field(schema)
    lister = list_request(scenery, op)
    attempts = [a for a in (refused_attempt(scenery, op, envelope, schema, field),
                            invalid_attempt(scenery, op, envelope, schema, field)) if a]
    if not attempts:
        raise SetupFailed("no persona is refused and the body has no field to break")
    listed(scenery, lister)  # the list works before anything is judged by it

    def attempt(one: Attempt) -> Callable[[], Exchange]:
        def sent() -> Exchange:
            exchange = send(scenery.suite.target, one.planned, one.persona.token)
            scenery.adopt(one.planned, exchange, one.persona)
            return refused_create_leaves_nothing(one.label, exchange)
        return sent

    def leftovers() -> Exchange:
        listing, items = listed(scenery, lister)
        for one in attempts:
            found = [i for i in items if one.marker in json.dumps(i, ensure_ascii=False)]
            nothing_listed(one.label, listing, found, one.marker)
        return listing

    return lambda: each([*(attempt(a) for a in attempts), leftovers])


def marker_field(schema: Schema) -> str:
    """The body's free-text field an item can be recognised by (`name` first)."""
    props = schema.get("properties") or {}
    free = [n for n, p in props.items() if p.get("type") == "string" and not p.get("enum")
            and not p.get("pattern") and p.get("format") in (None, "email", "uri", "url")]
    wanted = set(schema.get("required") or ())
    free.sort(key=lambda n: (n != "name", n not in wanted))
    if not free:
        raise NotApplicable("the body has no free-text field to recognise the item by")
    return str(free[0])


def marked(scenery: Scenery, schema: Schema, field: str) -> tuple[str, Any]:
    """A unique marker and the field value that carries it."""
    marker = f"orgkit-leak-{scenery.maker.token()}"
    fmt = (schema.get("properties") or {})[field].get("format")
    value = {"email": f"{marker}@example.com", "uri": f"https://example.com/{marker}",
             "url": f"https://example.com/{marker}"}.get(str(fmt), marker)
    return marker, value


def refused_attempt(scenery: Scenery, op: Operation, envelope: str | None, schema: Schema,
                    field: str) -> Attempt | None:
    """The home site's create sent by a persona the rights rule refuses."""
    planned = scenery.plan(op)
    persona = refused_persona(scenery, planned)
    if persona is None:
        return None
    marker, value = marked(scenery, schema, field)
    return Attempt(f"{persona.name}'s create (the rights rule refuses it)", persona,
                   with_fields(planned, envelope, {field: value}), marker)


def invalid_attempt(scenery: Scenery, op: Operation, envelope: str | None, schema: Schema,
                    field: str) -> Attempt | None:
    """The home site's create by an allowed persona, one field of the wrong type."""
    props = schema.get("properties") or {}
    broken = next((n for n, p in props.items() if n != field and p.get("type") in WRONG_TYPE),
                  None)
    if broken is None:
        return None
    planned = scenery.plan(op)
    marker, value = marked(scenery, schema, field)
    fields = {field: value, broken: WRONG_TYPE[str(props[broken]["type"])]}
    who = actor(scenery, planned)
    return Attempt(f"{who.name}'s create with a {broken} of the wrong type", who,
                   with_fields(planned, envelope, fields), marker)


def list_request(scenery: Scenery, op: Operation) -> Lister:
    """The list of the created item's collection, at the same site, and who may send it."""
    rule = op.resource
    assert rule is not None
    path = {p.name for p in op.parameters if p.location == "path"}
    lists = [o for o in scenery.model.operations if o.method == "GET" and o.resource
             and o.resource.collection == rule.collection and o.resource.id_ref is None
             and tenancy.items_field(o) and {p.name for p in o.parameters
                                             if p.location == "path"} <= path]
    lists.sort(key=lambda o: o.resource is None or o.resource.action != "list")
    if not lists:
        raise NotApplicable(f"no operation lists the {rule.collection} it creates")
    require_selected(scenery.suite, lists[0])  # --operation restricts the judging list too
    planned = scenery.plan(lists[0])
    return Lister(planned, actor(scenery, planned))


def listed(scenery: Scenery, lister: Lister) -> tuple[Exchange, list[Mapping[str, Any]]]:
    """Every item of the list (all pages); SetupFailed when the list does not answer."""
    op, target = lister.planned.op, scenery.suite.target
    rule = op.pagination
    if rule is None:
        exchange = send(target, lister.planned, lister.persona.token)
        body = exchange.json()
        items = body.get(tenancy.items_field(op) or "") if isinstance(body, dict) else None
        if exchange.status != 200 or not isinstance(items, list):
            raise SetupFailed(f"{lister.planned.describe()} answered {exchange.status}")
        return exchange, [i for i in items if isinstance(i, dict)]
    style = PagingStyle.PAGE if PagingStyle.PAGE in rule.styles else PagingStyle.CURSOR
    walk = Walker(target, lister.planned, lister.persona.token, rule).walk(
        style, rule.max_per_page, default_order(rule), LIST_BOUND)
    if walk.problem or walk.last is None:
        raise SetupFailed(walk.problem or f"{lister.planned.describe()} answered nothing")
    return walk.last, list(walk.items())


# -- mass assignment ------------------------------------------------------------------------


@dataclass(frozen=True)
class Forge:
    """Forged fields for one create or update: which, in which envelope, read back how."""

    scenery: Scenery
    op: Operation
    envelope: str | None
    reader: Operation | None
    item: Schema
    names: Sequence[str]

    def values(self, base: Mapping[str, Any]) -> dict[str, Any]:
        """A distinctive value per forged field, unlike what the item holds without it."""
        props = self.item.get("properties") or {}
        found = {n: forged_value(self.scenery, n, props.get(n) or {}, base.get(n))
                 for n in self.names}
        return {n: v for n, v in found.items() if v is not None and v != base.get(n)}

    def read(self, planned: Planned, who: Persona,
             answer: Exchange | None = None) -> tuple[dict[str, Any], Exchange | None]:
        """The item as the API holds it: through its get operation, else the answer's."""
        rule = self.op.resource
        assert rule is not None
        own = dict((item_of(self.op, answer) if answer is not None else None) or {})
        item_id = planned.value(rule.id_ref) if rule.id_ref else own.get(rule.id_field)
        reader = self.reader
        if reader is None or reader.resource is None or reader.resource.id_ref is None or \
                not item_id:
            return own, answer
        ref = reader.resource.id_ref.name
        path = {p.name: str(item_id) if p.name == ref else planned.path.get(p.name, "")
                for p in reader.parameters if p.location == "path"}
        exchange = send(self.scenery.suite.target, Planned(reader, path, required(
            reader, "query"), planned.headers), who.token)
        found = item_of(reader, exchange)
        return (dict(found), exchange) if found is not None else (own, answer)

    def judge(self, forged: Planned, answer: Exchange, who: Persona,
              values: Mapping[str, Any]) -> Exchange:
        """Send nothing more than the read-back; fail naming every field stored as sent."""
        if answer.status >= 400:
            return read_only_fields_ignored(self.scenery.suite.api, self.op, answer, {}, answer)
        after, evidence = self.read(forged, who, answer)
        stored = {k: v for k, v in values.items() if k in after and after[k] == v}
        return read_only_fields_ignored(self.scenery.suite.api, self.op, answer, stored,
                                        evidence or answer)

    def create(self) -> Exchange:
        """A plain create (the baseline), then one with the forged fields."""
        control = self.scenery.plan(self.op)
        who = actor(self.scenery, control)
        answer = self.sent(control, who)
        if not 200 <= answer.status < 300:
            raise SetupFailed(f"{control.describe()} as {who.name} answered {answer.status}")
        base, _ = self.read(control, who, answer)
        values = self.values(base)
        forged = with_fields(self.scenery.plan(self.op), self.envelope, values)
        return self.judge(forged, self.sent(forged, who), who, values)

    def update(self) -> Exchange:
        """A disposable item read before, updated with the forged fields, read after."""
        planned = self.scenery.plan(self.op, fresh=True)
        who = actor(self.scenery, planned)
        before, _ = self.read(planned, who)
        values = self.values(before)
        forged = with_fields(planned, self.envelope, values)
        return self.judge(forged, self.sent(forged, who), who, values)

    def sent(self, planned: Planned, who: Persona) -> Exchange:
        """Send a request, recording what it created for cleanup."""
        exchange = send(self.scenery.suite.target, planned, who.token)
        self.scenery.adopt(planned, exchange, who)
        return exchange


def mass_assignment(scenery: Scenery, op: Operation) -> Run:
    """Creates and updates with undeclared fields: none of them is stored."""
    rule = op.resource
    updates = (op.method in ("PUT", "PATCH") and rule is not None and rule.id_ref is not None
               and rule.action == "update")
    if rule is None or not (creates(op) or updates):
        raise NotApplicable("the operation neither creates nor updates an item")
    envelope, schema = request_object(scenery, op)
    reader = scenery.find_op(rule.collection, "GET", addressed=True)
    item = item_schema(scenery, reader or op)
    declared = set(schema.get("properties") or ())
    names = [n for n in dict.fromkeys([*NAMED, *(item.get("properties") or ())])
             if n not in declared and n != envelope]
    forge = Forge(scenery, op, envelope, reader, item, names)
    return forge.create if creates(op) else forge.update


def item_schema(scenery: Scenery, op: Operation) -> Schema:
    """The object schema of the item an operation answers (inside its envelope)."""
    schemas = op.response_schemas
    schema = next((schemas[s] for s in sorted(schemas) if s.startswith("2") and schemas[s]), {})
    envelope = op.resource.envelope if op.resource else None
    inner = (schema.get("properties") or {}).get(envelope or "")
    return inner if isinstance(inner, Mapping) and "properties" in inner else schema


def forged_value(scenery: Scenery, name: str, prop: Schema, base: Any) -> Any:
    """A value nobody but this request would choose for a field (None: none fits)."""
    kind, fmt, token = prop.get("type"), prop.get("format"), scenery.maker.token()
    if name == "tenant_id" and scenery.away and scenery.away.tenant_id != base:
        return scenery.away.tenant_id  # moving the item into another tenant
    if fmt == "date-time" or name.endswith("_at"):
        return PAST_MS if kind in ("integer", "number") else PAST
    if fmt == "uuid" or name == "id" or name.endswith("_id"):
        return scenery.maker.fresh_uuid()
    if prop.get("enum"):
        return next((v for v in prop["enum"] if v != base), None)
    if kind == "boolean":
        return not base if isinstance(base, bool) else True
    if kind in ("integer", "number"):
        return 987_654
    if kind == "array":
        items = prop.get("items") or {}
        return [f"orgkit-forged-{token}"] if items.get("type", "string") == "string" else None
    if kind == "object":
        return None
    if fmt in ("uri", "url"):
        return f"https://orgkit-forged.example/{token}"
    return f"{token}@example.com" if fmt == "email" else f"orgkit-forged-{token}"
