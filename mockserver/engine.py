"""The generic engine: one runtime per API that authenticates, authorizes and dispatches."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mockserver.http import RawCall, Request, Response
from mockserver.identity import Identity, Lookup
from mockserver.store import Item, Key, Store
from orgkit.errors import NotFound, SpecError, Unauthenticated
from orgkit.model import ApiModel
from orgkit.rights import Caller, authorize
from orgkit.rightsrules import RightsMode, Scope, ScopeRef, SourceKind
from orgkit.specs import LoadedApi
from orgkit.tokens import KeyRing

Behaviour = Callable[["Ctx"], Response]
# A plugin's own route beside its API (uploads, downloads): "METHOD /__mock/..." -> handler.
RouteHandler = Callable[["ApiRuntime", RawCall], Response]
# The client-credentials grant behind auth.token_url: (runtime, client id, secret) -> answer.
TokenIssuer = Callable[["ApiRuntime", str, str], dict[str, Any]]


@dataclass(frozen=True)
class ApiPlugin:
    """What one API adds to the generic engine: named domain behaviours and its id shape.

    Collections, identity and rights are declared in the document (x-orgkit.collections,
    .grants, .scopes), so an API without behaviours of its own needs no plugin: ApiPlugin().
    """

    behaviours: Mapping[str, Behaviour] = field(default_factory=dict)
    # How the API's ids look (default: UUIDs), drawn from the runtime's seeded generator.
    new_id: Callable[[random.Random], str] | None = None
    routes: Mapping[str, RouteHandler] = field(default_factory=dict)
    issue_token: TokenIssuer | None = None


class Ctx:
    """One request being handled: the request, the runtime and helpers over both."""

    def __init__(self, req: Request, api: ApiRuntime) -> None:
        self.req, self.api, self.op = req, api, req.op
        self.rule = req.op.resource
        self._target: Item | None = None

    @property
    def store(self) -> Store:
        """The API's store."""
        return self.api.store

    @property
    def caller(self) -> Caller:
        """The authenticated caller (behaviours of secured operations only)."""
        if self.req.caller is None:
            raise Unauthenticated("this operation needs a bearer token")
        return self.req.caller

    def resolve(self, ref: ScopeRef) -> str | None:
        """The id a scope reference points at for this request."""
        if ref.kind is SourceKind.PATH:
            return _text(self.req.path.get(ref.name))
        if ref.kind is SourceKind.QUERY:
            return _text(self.req.query.get(ref.name))
        if ref.kind is SourceKind.HEADER:
            return self.req.header(ref.name)
        if ref.kind is SourceKind.JWT:
            return self.req.caller.tenant if self.req.caller else None
        if ref.kind is SourceKind.PARENT_TENANT_OF and ref.inner is not None:
            return self._tenant_of(self.resolve(ref.inner))
        if ref.kind is SourceKind.ITEM:
            # A missing item has no scope, so the rule refuses as it does for another tenant's
            # item: the answer never tells an outsider which ids exist (global rights see 404).
            try:
                return _text(self.target().get(ref.name))
            except NotFound:
                return None
        return None

    def _tenant_of(self, inner_id: str | None) -> str | None:
        """The tenant an inner scope's item lies in, by the declared x-orgkit.scopes rule."""
        nesting = self.api.model.scopes.get(Scope.ORG)
        if nesting is None or inner_id is None:
            return None
        item = self.api.find(nesting.collection, inner_id)
        return None if item is None else _text(item.get(nesting.tenant_field))

    def parents(self) -> dict[str, str | None]:
        """Parent field values of the operation's resource, resolved from the request."""
        if self.rule is None:
            return {}
        return {name: self.resolve(ref) for name, ref in self.rule.parent}

    def key(self) -> Key:
        """The storage key of the item the request addresses."""
        return self._key(self.parents())

    def _key(self, parents: Mapping[str, str | None]) -> Key:
        assert self.rule is not None and self.rule.id_ref is not None
        values = {**parents, self.rule.id_field: self.resolve(self.rule.id_ref)}
        return tuple(str(values.get(f)) for f in self.store[self.rule.collection].key_fields)

    def target(self) -> Item:
        """The addressed item (live object); NotFound names what was looked for."""
        if self._target is None:
            assert self.rule is not None
            parents = self.parents()  # resolved once for the key and the check
            key = self._key(parents)
            item = self.store[self.rule.collection].get(key)
            if item is None or not _parents_match(item, parents):
                raise NotFound(f"no {_singular(self.rule.collection)} with "
                               f"{self.rule.id_field} {key[-1]!r}")
            self._target = item
        return self._target

    def render(self, item: Item) -> dict[str, Any]:
        """A copy of an item fit for a response: private (_-prefixed) fields dropped."""
        return {k: v for k, v in item.items() if not k.startswith("_")}

    def wrap(self, item: Item, status: int | None = None) -> Response:
        """The operation's success response for one item, in its envelope."""
        status = status or self.op.success_status
        if status == 204:
            return Response(204)
        body = self.render(item)
        envelope = self.rule.envelope if self.rule else None
        return Response(status, {envelope: body} if envelope else body)

    def body(self) -> dict[str, Any]:
        """The request body, unwrapped from the resource envelope when it carries one.

        Where the request schema itself is the envelope (`{"invitation": {...}}`), the inner
        object is the body even when the client adds other top-level properties, which the
        schema allows.
        """
        body = self.req.body if isinstance(self.req.body, dict) else {}
        envelope = self.rule.envelope if self.rule else None
        if not envelope:
            return dict(body)
        declared = self.op.request_schema.get("properties") or {}
        inner = body.get(envelope)
        if set(declared) == {envelope} or set(body) == {envelope}:
            return dict(inner) if isinstance(inner, dict) else {}
        return dict(body)


class ApiRuntime:
    """The engine of one API: its model, resolved document, store and behaviours."""

    def __init__(self, loaded: LoadedApi, plugin: ApiPlugin, keyring: KeyRing, seed: int) -> None:
        self.model: ApiModel = loaded.model
        self.document = loaded.document
        self.served = loaded.served  # what /openapi.json hands out (references kept)
        self.plugin, self.keyring = plugin, keyring
        self._check_actions(loaded.source)
        self.store = Store(self._layout(), self._unique())
        self.identity = Identity(self.model)
        self.cascades = self._cascades()
        # One stream per API so the same seed gives different ids in SVX and Transmit.
        self.rng = random.Random(f"{seed}:{self.model.name}")
        self._tokens: dict[str, Mapping[str, Any]] = {}
        # The Caller of each cached token, with the identity revision it was built at (a write
        # to the collections it depends on makes the next request build it anew).
        self._callers: dict[str, tuple[tuple[object, ...], Caller]] = {}
        self.token_cache_bytes = 0  # the cached tokens' text: bounded with their count

    def _layout(self) -> dict[str, tuple[str, ...]]:
        """Key fields per collection: the id field plus the parents every addressed op names."""
        layout: dict[str, tuple[str, ...]] = {}
        for op in self.model.operations:
            rule = op.resource
            if rule is None or not rule.collection or rule.id_ref is None:
                continue
            fields = tuple(name for name, _ in rule.parent) + (rule.id_field,)
            known = layout.get(rule.collection)
            layout[rule.collection] = fields if known is None else tuple(
                f for f in known if f in fields)
        for op in self.model.operations:
            if op.resource and op.resource.collection:
                layout.setdefault(op.resource.collection, (op.resource.id_field,))
        for name, declared in self.model.collections.items():
            if declared.key:
                layout[name] = declared.key
            layout.setdefault(name, ("id",))
        return layout

    def _check_actions(self, source: str) -> None:
        """SpecError (when the mock is built, never a 500 later) for a resource action that is
        neither a CRUD action nor a behaviour the plugin registers."""
        from mockserver import crud

        for op in self.model.operations:
            action = op.resource.action if op.resource is not None else None
            if action is not None and action not in crud.ACTIONS \
                    and action not in self.plugin.behaviours:
                raise SpecError(source, f"{op.pointer}/x-orgkit-resource/action",
                                f"unknown behaviour {action!r}: neither a CRUD action "
                                f"({', '.join(crud.ACTIONS)}) nor one the {self.model.name} "
                                "plugin registers")

    def find(self, collection: str, item_id: str) -> Item | None:
        """The item of a collection whose (last) key field is item_id, without a scan."""
        coll = self.store[collection]
        if len(coll.key_fields) == 1:  # keyed by that field alone: the key is the lookup
            return coll.get((item_id,))
        found = Lookup(collection).find(self.store, {coll.key_fields[-1]: item_id})
        return found[0] if found else None

    def _unique(self) -> dict[str, tuple[str, ...]]:
        """Unique fields per collection: a rule on any operation holds for the collection."""
        found: dict[str, tuple[str, ...]] = {}
        for op in self.model.operations:
            if op.resource and op.resource.unique:
                known = found.get(op.resource.collection, ())
                found[op.resource.collection] = known + tuple(
                    f for f in op.resource.unique if f not in known)
        return found

    def _cascades(self) -> dict[str, tuple[tuple[str, str], ...]]:
        found: dict[str, tuple[tuple[str, str], ...]] = {}
        for op in self.model.operations:
            if op.resource and op.resource.cascade:
                found[op.resource.collection] = op.resource.cascade
        return found

    def new_id(self) -> str:
        """A fresh id from the runtime's seeded generator (reproducible runs): the plugin's
        shape, else a UUID."""
        if self.plugin.new_id is not None:
            return self.plugin.new_id(self.rng)
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    @staticmethod
    def now() -> str:
        """The current time as ISO 8601 UTC."""
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @staticmethod
    def now_ms() -> int:
        """The current time in epoch milliseconds (Transmit's timestamps)."""
        return int(datetime.now(UTC).timestamp() * 1000)

    def authenticate(self, authorization: str | None) -> Caller:
        """The caller behind an Authorization header; Unauthenticated says why not."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <token>'")
        claims = self._tokens.get(token)
        if claims is None or claims.get("exp", 0) <= datetime.now(UTC).timestamp():
            claims = self.keyring.verify(token.strip(), self.model.auth.subject_claim)
            self._cache_token(token, claims)
        return self._caller(token, claims)

    def verified_claims(self, authorization: str | None) -> Mapping[str, Any] | None:
        """The claims of the bearer token in authorization, if authenticate verified and kept
        it (an outsized token is verified every time, so None)."""
        return self._tokens.get((authorization or "").partition(" ")[2])

    def _caller(self, token: str, claims: Mapping[str, Any]) -> Caller:
        """The token's Caller, built again only when the store it was built from has changed
        (a cached one was built from these claims, so they were this API's)."""
        revision = self.identity.revision(self.store)
        known = self._callers.get(token)
        if known is not None and known[0] == revision:
            return known[1]
        foreign = self.model.auth.foreign(claims)
        if foreign is not None:
            raise Unauthenticated(f"not an access token of the {self.model.name} API: "
                                  f"{foreign}{self.identity.hint}")
        caller = self.identity.caller(self.store, claims)
        if token in self._tokens:  # bounded with the token cache
            self._callers[token] = (revision, caller)
        return caller

    def _cache_token(self, token: str, claims: Mapping[str, Any]) -> None:
        """Remember a verified token, the cache bounded by count and bytes (verifying again is
        cheap, so a full cache is simply emptied)."""
        if len(token) > TOKEN_CACHE_BYTES // 64:
            return  # one outsized token must not evict everybody else's
        full = len(self._tokens) >= TOKEN_CACHE_ENTRIES
        if full or self.token_cache_bytes + len(token) > TOKEN_CACHE_BYTES:
            self._tokens.clear()
            self._callers.clear()
            self.token_cache_bytes = 0
        self._tokens[token] = claims
        self.token_cache_bytes += len(token)

    def run(self, req: Request) -> Response:
        """Authorize and dispatch a validated request (the pipeline's engine stage); domain
        errors propagate to the one error renderer (mockserver/render.py)."""
        ctx = Ctx(req, self)
        self._authorize(ctx)
        return self._dispatch(ctx)

    def _authorize(self, ctx: Ctx) -> None:
        rule = ctx.op.rights
        if rule.mode is RightsMode.PUBLIC:
            return
        authorize(rule, ctx.caller, ctx.resolve)

    def _dispatch(self, ctx: Ctx) -> Response:
        from mockserver import crud

        rule = ctx.op.resource
        if rule is None:  # a document without rules: answered from its examples
            from mockserver.examples import answer

            return answer(ctx)
        # Checked when the runtime was built (_check_actions); looked up per request so a
        # test may swap the plugin.
        action = self.plugin.behaviours.get(rule.action) or crud.ACTIONS[rule.action]
        return action(ctx)


TOKEN_CACHE_ENTRIES = 10_000
TOKEN_CACHE_BYTES = 4 * 1024 * 1024


def _parents_match(item: Item, parents: Mapping[str, str | None]) -> bool:
    return all(_text(item.get(f)) == v for f, v in parents.items())


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _singular(collection: str) -> str:
    return collection[:-1] if collection.endswith("s") else collection
