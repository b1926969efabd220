"""Parse the document-level rules about state: collections, where rights live, how scopes nest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orgkit.errors import SpecError
from orgkit.model import (
    CollectionRule,
    GrantSource,
    IdentityRule,
    Operation,
    ScopeNesting,
    SubjectRule,
    declared_collections,
)
from orgkit.rightsrules import Scope
from orgkit.rules import Reader

SCALARS = (str, int, float, bool, type(None))
# Scopes whose rights apply in one tenant or org, so their sources say which (scope_field).
PER_ID = (Scope.TENANT, Scope.ORG)
# The only nesting the rights model knows: an org (inner scope) lies in a tenant (outer scope).
NESTED = (Scope.ORG,)


def _optional(x: Reader, key: str) -> Reader | None:
    """A reader for the mapping at key; None when the key is missing or null."""
    return None if x.get(key, Mapping, None) is None else x.sub(key)


def parse_collections(x: Reader) -> dict[str, CollectionRule]:
    """x-orgkit.collections: name -> {key, schema, references} (every part optional)."""
    table = _optional(x, "collections")
    if table is None:
        return {}
    rules = {}
    for name in table.data:
        c = table.sub(str(name))
        key = tuple(str(k) for k in c.get("key", list, []))
        refs = c.get("references", Mapping, {}) or {}
        for fname, target in refs.items():
            if not isinstance(target, str):
                raise c.fail(f"references/{fname}", f"expected a collection name, got {target!r}")
        rules[str(name)] = CollectionRule(
            name=str(name), key=key, schema=c.get("schema", (str, Mapping), None),
            references={str(k): str(v) for k, v in refs.items()})
    return rules


def parse_identity(x: Reader) -> IdentityRule:
    """x-orgkit.grants: how a caller's subject, token kind, org and rights are found."""
    g = _optional(x, "grants")
    if g is None:
        return IdentityRule()
    subject = None
    if g.get("subject", Mapping, None) is not None:
        s = g.sub("subject")
        subject = SubjectRule(s.get("collection", str), s.get("field", str, "id") or "id")
    sources = g.get("sources", list, [])
    _check_confinement(g)
    return IdentityRule(
        subject=subject, token_kind_claim=g.get("token_kind_claim", str, None),
        token_kinds=tuple(_strings(g, "token_kinds")), org_claim=g.get("org_claim", str, None),
        confined_token_kinds=tuple(_strings(g, "confined_token_kinds")),
        sources=tuple(_source(Reader(g.source, raw, f"{g.pointer}/sources/{i}"))
                      for i, raw in enumerate(sources)),
    )


def _check_confinement(g: Reader) -> None:
    """SpecError for confined token kinds without an org claim, or outside token_kinds."""
    confined, accepted = _strings(g, "confined_token_kinds"), _strings(g, "token_kinds")
    if confined and g.get("org_claim", str, None) is None:
        raise g.fail("confined_token_kinds", "confines tokens to the org their org_claim "
                     "names, but no org_claim is declared")
    for i, kind in enumerate(confined):
        if accepted and kind not in accepted:
            raise g.fail(f"confined_token_kinds/{i}", f"{kind!r} is not one of token_kinds "
                         f"{accepted}")


def _strings(r: Reader, key: str) -> list[str]:
    values = r.get(key, list, [])
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise r.fail(f"{key}/{i}", f"expected a string, got {value!r}")
    return list(values)


def _source(r: Reader) -> GrantSource:
    scope = r.enum("scope", Scope)
    collection, claim = r.get("collection", str, None), r.get("claim", str, None)
    if (collection is None) == (claim is None):
        raise r.fail("collection", "a source names exactly one of collection and claim")
    if claim is not None:
        if scope in PER_ID:
            raise r.fail("claim", f"a claim carries rights for scope global or permission, "
                         f"not {scope.value} (it names no {scope.value} id)")
        return GrantSource(scope, claim=claim)
    scope_field = r.get("scope_field", str, None)
    if scope in PER_ID and scope_field is None:
        raise r.fail("scope_field", f"is required for scope {scope.value}: the item field "
                     f"naming the {scope.value} the rights apply to")
    if scope not in PER_ID and scope_field is not None:
        raise r.fail("scope_field", f"scope {scope.value} has no id; drop scope_field")
    where = r.get("where", Mapping, {}) or {}
    for fname, value in where.items():
        if not isinstance(value, SCALARS):
            raise r.fail(f"where/{fname}", f"expected a string, number, boolean or null, "
                         f"got {value!r}")
    return GrantSource(scope, collection=collection, user_field=r.get("user_field", str),
                       scope_field=scope_field, rights_field=r.get("rights_field", str),
                       where=dict(where))


def parse_scopes(x: Reader) -> dict[Scope, ScopeNesting]:
    """x-orgkit.scopes: for an inner scope, the collection and field naming its tenant."""
    table = _optional(x, "scopes")
    if table is None:
        return {}
    found = {}
    for name in table.data:
        scope = _scope_name(table, str(name))
        s = table.sub(str(name))
        found[scope] = ScopeNesting(s.get("collection", str), s.get("tenant_field", str))
    return found


def _scope_name(table: Reader, name: str) -> Scope:
    if name not in {s.value for s in NESTED}:
        nested = ", ".join(s.value for s in NESTED)
        raise table.fail(name, f"unknown nested scope; expected one of: {nested} (the tenant is "
                         "the outer scope, global and permission do not nest)")
    return Scope(name)


def check_collections(x: Reader, ops: tuple[Operation, ...],
                      collections: Mapping[str, CollectionRule],
                      identity: IdentityRule, scopes: Mapping[Scope, ScopeNesting]) -> None:
    """SpecError for a rule naming a collection neither an operation nor x-orgkit.collections
    declares (the pointer names the rule)."""
    declared = declared_collections(ops, collections)
    named = [(f"/grants/{where}", name) for where, name in identity.collections()]
    named += [(f"/scopes/{s.value}/collection", n.collection) for s, n in scopes.items()]
    named += [(f"/collections/{c.name}/references/{f}", target)
              for c in collections.values() for f, target in c.references.items()]
    named = [(f"{x.pointer}{where}", name) for where, name in named]
    named += [(f"{op.pointer}/x-orgkit-resource/cascade/{i}", name)
              for op in ops if op.resource is not None
              for i, (name, _) in enumerate(op.resource.cascade)]
    for where, name in named:
        if name not in declared:
            raise SpecError(x.source, where,
                            f"names the collection {name!r}, which no operation's "
                            f"x-orgkit-resource nor x-orgkit.collections declares; "
                            f"declared: {sorted(declared)}")


def check_schemas(x: Reader, collections: Mapping[str, CollectionRule],
                  components: Mapping[str, Any]) -> None:
    """SpecError for a collection schema naming no component schema."""
    for c in collections.values():
        if isinstance(c.schema, str) and c.schema not in components:
            raise SpecError(x.source, f"{x.pointer}/collections/{c.name}/schema",
                            f"names no component schema: {c.schema!r}")
