"""Request planning: for an operation and a persona, a concrete request valid per the spec.

The only reason such a request may be refused is rights: path values name resources that
exist (the personas' tenant and organisation, or resources the suite creates first), required
headers and query parameters are set, and the body is a minimal valid one. Operations that
change or remove the item they address act on disposable items the suite created, never on
the personas' own tenant, organisation or admin records. Everything created is undone in
`suite.cleanup`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from contract_tests import stock
from contract_tests.checks import CheckFailure
from contract_tests.personas import Persona
from contract_tests.requests import BodyMaker, Planned, SetupFailed, body_schema, merge, send
from contract_tests.sites import (
    MUTATING,
    Site,
    away_persona,
    home_persona,
    require_selected,
    scope_fields,
)
from contract_tests.suite import Suite
from contract_tests.target import Exchange
from orgkit.errors import Forbidden
from orgkit.grants import refuse_delegation
from orgkit.model import Operation
from orgkit.rights import Resolver, authorize
from orgkit.rightsrules import RightsMode, Scope, ScopeRef, SourceKind

# Optional creation parameters that keep disposable items from granting their creator rights
# the personas file does not list ("the current user will not become the first admin").
CREATE_QUERY = {"no_first_user": True}
OWNER = "#owner"  # the fact naming who created an item (never a field of the API)


class Scenery:
    """Plans requests, knows which persona the oracle allows, creates what requests need."""

    def __init__(self, suite: Suite) -> None:
        self.suite = suite
        self.model = suite.api.model
        self.maker = BodyMaker(suite.rng)
        self.org_tenant: dict[str, str | None] = {
            p.org_id: p.tenant_id for p in suite.personas.values() if p.org_id and p.tenant_id}
        self.facts: dict[str, dict[str, Any]] = {}  # item id -> fields known about it
        self.cache: dict[str, Any] = {}  # values looked up once (catalogue, app id)
        self._shared: dict[tuple[str, Site, str], str] = {}
        self.id_params = self._id_params()
        self.scope_fields = scope_fields(self.model)
        nesting = self.model.scopes.get(Scope.ORG)
        # Where an organisation's tenant is read: the org scope's collection and field.
        self.org_collection = nesting.collection if nesting else self.id_params.get(
            "org_id", "orgs")
        self.tenant_field = nesting.tenant_field if nesting else "tenant_id"
        home = home_persona(suite.personas)
        self.home = Site() if home is None else Site(home.tenant_id, home.org_id)
        away = away_persona(suite.personas, self.home.tenant_id)
        self.away = None if away is None else Site(away.tenant_id, away.org_id)

    # -- personas and sites ---------------------------------------------------------------

    def personas(self) -> list[Persona]:
        """The run's personas in file order."""
        return list(self.suite.personas.values())

    def _id_params(self) -> dict[str, str]:
        """Path parameter name -> collection of the item it names (from the resource rules)."""
        found: dict[str, str] = {}
        for op in self.model.operations:
            ref = op.resource.id_ref if op.resource else None
            if op.resource and ref and ref.kind is SourceKind.PATH and ref.name != "id":
                found.setdefault(ref.name, op.resource.collection)
        return found

    # -- the oracle -----------------------------------------------------------------------

    def resolver(self, planned: Planned, persona: Persona) -> Resolver:
        """Scope references resolved against a planned request and what the suite knows."""

        def resolve(ref: ScopeRef) -> str | None:
            if ref.kind is SourceKind.JWT:
                return persona.caller.tenant
            if ref.kind is SourceKind.PARENT_TENANT_OF:
                org = resolve(ref.inner) if ref.inner is not None else None
                return None if org is None else self.tenant_of(org)
            if ref.kind is SourceKind.ITEM:
                return _text(self.item_field(planned, ref.name))
            return planned.value(ref)

        return resolve

    def refusal(self, persona: Persona, planned: Planned) -> str | None:
        """Why the oracle refuses the persona this request (None: it may perform it)."""
        try:
            authorize(planned.op.rights, persona.caller, self.resolver(planned, persona))
        except Forbidden as exc:
            return exc.message
        return None

    def allows(self, persona: Persona, planned: Planned) -> bool:
        """Whether the oracle lets the persona perform the request."""
        return self.refusal(persona, planned) is None

    def owner_of(self, planned: Planned) -> str | None:
        """The subject that owns the addressed item (rights mode owner)."""
        return _text(self.item_field(planned, OWNER))

    def item_field(self, planned: Planned, name: str) -> Any:
        """A field of the item the request addresses: known facts, else read through the API."""
        rule = planned.op.resource
        item_id = planned.value(rule.id_ref) if rule and rule.id_ref else None
        if rule is None or not item_id:
            return None
        if item_id not in self.facts and name != OWNER:
            self.lookup(rule.collection, item_id)
            self.facts.setdefault(item_id, {})  # looked up once, found or not
        return self.facts.get(item_id, {}).get(name)

    def tenant_of(self, org_id: str) -> str | None:
        """The tenant of an organisation: known facts, else GET it as a persona allowed to."""
        if org_id not in self.org_tenant:
            item = self.lookup(self.org_collection, org_id)
            self.org_tenant[org_id] = _text((item or {}).get(self.tenant_field))
        return self.org_tenant[org_id]

    def lookup(self, collection: str, item_id: str) -> dict[str, Any] | None:
        """GET one item through the collection's get operation; None when nobody may."""
        op = self.find_op(collection, "GET", addressed=True)
        if op is None or op.resource is None or op.resource.id_ref is None:
            return None
        planned = Planned(op, {op.resource.id_ref.name: item_id})
        blind = [p for p in self.personas() if self._allowed_blind(p, planned)]
        for persona in blind:
            item = item_of(op, self.call(planned, persona))
            if item is not None:
                self.facts.setdefault(item_id, {}).update(item)
                return item
        return None

    def _allowed_blind(self, persona: Persona, planned: Planned) -> bool:
        """The oracle without parent lookups (global or direct rights only)."""
        def resolve(ref: ScopeRef) -> str | None:
            return None if ref.kind is SourceKind.PARENT_TENANT_OF else planned.value(ref)
        try:
            authorize(planned.op.rights, persona.caller, resolve)
        except Forbidden:
            return False
        return True

    def actor(self, planned: Planned, prefer: Iterable[Persona | None] = ()) -> Persona:
        """A persona the oracle allows to perform the request, preferred ones first."""
        ordered = [p for p in prefer if p is not None] + self.personas()
        allowed = [p for p in ordered if self.allows(p, planned) and self._owns(p, planned)]
        # one whose grant rule lets it hand out the rights first (a vendor's assigner holding
        # only its assign right cannot be the one), else any the rights rule allows
        if allowed:
            return min(allowed, key=lambda p: not self.may_hand_out(p, planned))
        raise SetupFailed(f"no persona of the personas file may {planned.describe()} "
                          f"({planned.op.operation_id})")

    def may_hand_out(self, persona: Persona, planned: Planned) -> bool:
        """Whether the operation's x-orgkit-grants rule lets the persona grant the rights the
        planned body names (True where there is no grant rule or no such body)."""
        rule, body = planned.op.grants, planned.body
        names = body.get("security_rights") if isinstance(body, dict) else None
        if rule is None or not isinstance(names, list):
            return True
        try:
            refuse_delegation(rule, planned.op.rights, persona.caller,
                              self.resolver(planned, persona), [str(n) for n in names])
        except Forbidden:
            return False
        return True

    def _owns(self, persona: Persona, planned: Planned) -> bool:
        owner = self.owner_of(planned)
        return (planned.op.rights.mode is not RightsMode.OWNER or owner is None
                or owner == persona.caller.subject)

    def call(self, planned: Planned, persona: Persona | None) -> Exchange:
        """Send a setup request (selected operations only); a transport failure: SetupFailed."""
        require_selected(self.suite, planned.op)
        try:
            return send(self.suite.target, planned, persona.token if persona else None)
        except CheckFailure as exc:
            raise SetupFailed(exc.message) from None

    # -- planning -------------------------------------------------------------------------

    def site_value(self, site: Site, name: str) -> str | None:
        """The site's id for a parameter or parent field naming a tenant or an organisation."""
        return site.scope_id(self.scope_fields.get(name))

    def plan(self, op: Operation, persona: Persona | None = None, *, site: Site | None = None,
             fresh: bool = False, pins: Mapping[str, str] | None = None) -> Planned:
        """A valid request for op: shared resources, or new disposable ones when fresh."""
        site = site or self.home
        pins = dict(pins or {})
        names = sorted((p.name for p in op.parameters if p.location == "path"),
                       key=lambda n: n in stock.DEPENDENT_PATH_PARAMS)
        path: dict[str, str] = {}
        for name in names:
            path[name] = pins[name] if name in pins else self._path_value(
                op, name, site, fresh, persona, path)
        planned = Planned(op, path, self._query(op), self._headers(op, site))
        return self.with_body(planned, persona)

    def _path_value(self, op: Operation, name: str, site: Site, fresh: bool,
                    persona: Persona | None, path: Mapping[str, str]) -> str:
        special = stock.path_value(self, Planned(op, dict(path)), name, site)
        if special is not None:
            return special
        rule = op.resource
        target = rule is not None and rule.id_ref is not None and rule.id_ref.name == name
        collection = rule.collection if target and rule else self.id_params.get(name, "")
        if target and (fresh or op.method in MUTATING):
            # the operation that finishes creation (confirmBlob) gets an unfinished item
            whole = op is not stock.finisher(self, collection)
            return self.make(collection, site, persona, whole) if fresh else self.shared(
                collection, site, "victim" if whole else "unfinished", whole)
        value = self.site_value(site, name)
        return value or self.shared(collection, site, "shared")

    def _query(self, op: Operation) -> dict[str, Any]:
        required = [p for p in op.parameters if p.location == "query" and p.required]
        return {p.name: stock.query_value(p.schema) for p in required}

    def _headers(self, op: Operation, site: Site) -> dict[str, str]:
        parents = {str(ref): name for name, ref in (op.resource.parent if op.resource else ())}
        headers = {}
        for p in op.parameters:
            field = parents.get(f"header:{p.name}")
            value = self.site_value(site, field) if field else None
            if p.location == "header" and p.required and value:
                headers[p.name] = value
        return headers

    def with_body(self, planned: Planned, persona: Persona | None) -> Planned:
        """The request with a minimal valid body (JSON or multipart) for its operation."""
        media, schema = body_schema(planned.op)
        if not media:
            return planned
        if "multipart" in media:
            return Planned(planned.op, planned.path, planned.query, planned.headers,
                           content=stock.multipart_body(schema))
        body = self.maker.value(schema)
        return Planned(planned.op, planned.path, planned.query, planned.headers,
                       merge(body, stock.body_overrides(self, planned, body, persona)))

    # -- resources the suite creates ------------------------------------------------------

    def shared(self, collection: str, site: Site, purpose: str, whole: bool = True) -> str:
        """One item of a collection per site and purpose, made on first use."""
        key = (collection, site, purpose)
        if key not in self._shared:
            self._shared[key] = self.make(collection, site, None, whole)
        return self._shared[key]

    def make(self, collection: str, site: Site, persona: Persona | None,
             whole: bool = True) -> str:
        """Create one disposable item of a collection at a site (`whole`: finished as
        stock.after_make finishes it); its id."""
        op = self.find_op(collection, "POST", addressed=None)
        if op is None or op.resource is None:
            raise SetupFailed(f"the API has no operation that creates a {collection} item")
        ref = op.resource.id_ref  # assignments create the admin record of a fresh user
        pins = {ref.name: self.maker.fresh_uuid()} if ref is not None else {}
        extra = {k: v for k, v in CREATE_QUERY.items() if op.parameter(k, "query")}
        planned = self.plan(op, persona, site=site, pins=pins).with_query(**extra)
        actor = self.actor(planned, [persona, *self._site_personas(site)])
        exchange = self.call(planned, actor)
        item = self.adopt(planned, exchange, actor)
        made = pins[ref.name] if ref is not None else _text((item or {}).get(op.resource.id_field))
        if not 200 <= exchange.status < 300 or not made:
            raise SetupFailed(f"could not create a {collection} item: {planned.describe()} as "
                              f"{actor.name} answered {exchange.status}: "
                              f"{exchange.response_text[:200]}")
        stock.after_make(self, collection, made, actor, confirm=whole)
        return made

    def _site_personas(self, site: Site) -> list[Persona]:
        """Personas at the site, its own admins first (a global admin acts in no tenant)."""
        here = [p for p in self.personas() if p.tenant_id and p.tenant_id == site.tenant_id]
        return sorted(here, key=lambda p: bool(p.grants.global_rights))

    def find_op(self, collection: str, method: str, *, addressed: bool | None) -> Operation | None:
        """An operation of a collection: addressed (with an item id), not, or None: a creator.

        Creators are POSTs without an item id, or assignments (which create admin records).
        Among addressed operations the plain get / delete ones come first.
        """
        found = [op for op in self.model.operations
                 if op.resource and op.resource.collection == collection and op.method == method
                 and self._addresses(op, addressed)]
        plain = ("get", "delete")
        found.sort(key=lambda op: op.resource is None or op.resource.action not in plain)
        return found[0] if found else None

    @staticmethod
    def _addresses(op: Operation, addressed: bool | None) -> bool:
        rule = op.resource
        assert rule is not None
        has_id = rule.id_ref is not None
        if addressed is None:
            return not has_id or rule.action.startswith("assign_")
        dependent = any(p.name in stock.DEPENDENT_PATH_PARAMS for p in op.parameters)
        return has_id == addressed and not dependent and not (op.method == "DELETE"
                                                              and op.has_body)

    def adopt(self, planned: Planned, exchange: Exchange,
              actor: Persona) -> dict[str, Any] | None:
        """Record an item a successful POST created (facts, cleanup); the item if any."""
        op, rule = planned.op, planned.op.resource
        if op.method != "POST" or rule is None or not 200 <= exchange.status < 300:
            return None
        if rule.action.startswith("assign_") and rule.id_ref is not None:
            self._adopt_admin(planned, rule.collection, planned.value(rule.id_ref) or "", actor)
            return None
        item = item_of(op, exchange)
        new_id = _text((item or {}).get(rule.id_field))
        if item is None or not new_id or (rule.id_ref and planned.value(rule.id_ref) == new_id):
            return None  # nothing new: the addressed item answered
        parents = {name: planned.value(ref) for name, ref in rule.parent}
        self.facts[new_id] = {**parents, **item, OWNER: actor.caller.subject}
        if rule.collection == self.org_collection:
            self.org_tenant[new_id] = _text(self.facts[new_id].get(self.tenant_field))
        self.undo_later(rule.collection, new_id, planned, actor)
        return item

    def _adopt_admin(self, planned: Planned, collection: str, user_id: str,
                     actor: Persona) -> None:
        """An assignment made (or extended) the admin record of user_id."""
        body = planned.body if isinstance(planned.body, dict) else {}
        rights = [str(r) for r in body.get("security_rights") or ()]
        self.facts.setdefault(user_id, {}).update(security_rights=rights)
        self.undo_later(collection, user_id, planned, actor)

    def undo_later(self, collection: str, item_id: str, made_by: Planned,
                   actor: Persona) -> None:
        """Register the deletion of an item in suite.cleanup (path values from made_by)."""
        op = self.find_op(collection, "DELETE", addressed=True)
        if op is None or op.resource is None or op.resource.id_ref is None:
            return
        path = {p.name: made_by.path.get(p.name, "") for p in op.parameters
                if p.location == "path"}
        path[op.resource.id_ref.name] = item_id
        undo = Planned(op, path, headers=dict(made_by.headers))

        def run() -> None:
            who = actor if self.allows(actor, undo) else self.actor(undo)
            send(self.suite.target, undo, who.token)

        self.suite.cleanup.append(run)


def item_of(op: Operation, exchange: Exchange) -> dict[str, Any] | None:
    """The item a response carries (inside the resource's envelope when it has one)."""
    body = exchange.json()
    envelope = op.resource.envelope if op.resource else None
    if isinstance(body, dict) and envelope and isinstance(body.get(envelope), dict):
        body = body[envelope]
    return body if isinstance(body, dict) and 200 <= exchange.status < 300 else None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
