"""SVX security rights: the assign/remove behaviours (who holds what: x-orgkit.grants)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mockserver.engine import Ctx
from mockserver.http import Response
from mockserver.store import Item, Store
from orgkit import grants
from orgkit.errors import NotFound, Unprocessable
from orgkit.rules import LEVELS


def admin_records(store: Store, collection: str, subject: str) -> list[Item]:
    """A user's admin records in one collection (via the per-user index)."""
    coll = store[collection]
    return [coll.by_entry_key(e[1]) for e in coll.sorted_entries({"id": subject}, "id")]


def catalogue_entry(store: Store, name: str) -> Item:
    """A known, active security right; Unprocessable otherwise."""
    right = store["security_rights"].get((name,))
    if right is None or not right.get("active", True):
        raise Unprocessable(f"unknown or inactive security right {name!r}; "
                            "GET /security_rights lists the known ones")
    return right


def requested_rights(ctx: Ctx) -> list[str]:
    """The rights named by the body (`security_rights`) or the comma-separated path value."""
    raw = ctx.req.path.get("security_rights")
    if raw is not None:
        names = [n.strip() for n in str(raw).split(",") if n.strip()]
    else:
        names = [str(n) for n in ctx.body().get("security_rights") or []]
    if not names:
        raise Unprocessable("security_rights is empty; name at least one right")
    for name in names:
        catalogue_entry(ctx.store, name)
    return names


def _require_level(ctx: Ctx, names: Iterable[str], flag: str) -> None:
    for name in names:
        if not catalogue_entry(ctx.store, name).get(flag):
            level = flag.removeprefix("for_")
            raise Unprocessable(f"{name!r} is not a {level}-level security right")


def upsert_admin(ctx: Ctx, collection: str, scope: dict[str, str], user_id: str,
                 add: Iterable[str]) -> Item:
    """Create or update the admin record of user_id in a scope, adding rights."""
    coll = ctx.store[collection]
    key = tuple(str({**scope, "id": user_id}[f]) for f in coll.key_fields)
    record = dict(coll.get(key) or new_admin(ctx, user_id, scope))
    record["security_rights"] = sorted(set(record.get("security_rights") or []) | set(add))
    record.update(status="active", archived_at=None, updated_at=ctx.api.now())
    return coll.put(record)


def new_admin(ctx: Ctx, user_id: str, scope: Mapping[str, str]) -> Item:
    """A fresh admin record, with the user's name and email when the user is known."""
    user = ctx.store["users"].get((user_id,)) or {}
    now = ctx.api.now()
    return {"id": user_id, "email": user.get("email"), "given_name": user.get("given_name"),
            "family_name": user.get("family_name"), "status": "active", "security_rights": [],
            "inserted_at": now, "updated_at": now, "archived_at": None, **scope}


def assign_global_rights(ctx: Ctx) -> Response:
    """POST /global_admins/{id}/security_rights."""
    names = requested_rights(ctx)
    _refuse_levels(ctx, names)
    _require_level(ctx, names, "for_global")
    _refuse_delegation(ctx, names)
    upsert_admin(ctx, "global_admins", {}, str(ctx.req.path["id"]), names)
    return Response(204)


def assign_tenant_admin_rights(ctx: Ctx) -> Response:
    """POST /tenants/{tenant_id}/admins/{tenant_admin_id}/security_rights."""
    tenant = _existing(ctx, "tenants", str(ctx.req.path["tenant_id"]))
    names = requested_rights(ctx)
    _refuse_levels(ctx, names)
    _require_level(ctx, names, "for_tenant")
    _require_enabled(tenant, names, "tenant")
    _refuse_delegation(ctx, names)
    upsert_admin(ctx, "tenant_admins", {"tenant_id": str(tenant["id"])},
                 str(ctx.req.path["tenant_admin_id"]), names)
    return Response(204)


def assign_org_admin_rights(ctx: Ctx) -> Response:
    """POST /orgs/{org_id}/admins/{org_admin_id}/security_rights (org- or tenant-level)."""
    org = _existing(ctx, "orgs", str(ctx.req.path["org_id"]))
    names = requested_rights(ctx)
    user_id, tenant_id = str(ctx.req.path["org_admin_id"]), str(org["tenant_id"])
    _refuse_levels(ctx, names)
    _require_level(ctx, names, "for_org")
    _require_enabled(org, names, "organisation")
    _refuse_delegation(ctx, names)
    to_tenant = [n for n in names if catalogue_entry(ctx.store, n).get("for_tenant")]
    org_only = [n for n in names if n not in to_tenant]
    if org_only:
        upsert_admin(ctx, "org_admins", {"org_id": str(org["id"])}, user_id, org_only)
    if to_tenant:
        upsert_admin(ctx, "tenant_admins", {"tenant_id": tenant_id}, user_id, to_tenant)
    return Response(204)


def _refuse_levels(ctx: Ctx, names: Iterable[str]) -> None:
    """Forbidden for rights whose level needs an assign right the caller lacks (x-orgkit-grants).

    Checked before the endpoint's own level rules (422), so that asking for a right above what
    the caller may hand out is refused as the escalation it is.
    """
    rule = ctx.op.grants
    if rule is not None:
        grants.refuse_level_escalation(rule, ctx.caller, ctx.resolve, names,
                                       lambda name: levels_of(ctx.store, name))


def _refuse_delegation(ctx: Ctx, names: Iterable[str]) -> None:
    """Forbidden for rights the caller lacks here: to itself, or laundered (x-orgkit-grants)."""
    rule = ctx.op.grants
    if rule is not None:
        grants.refuse_delegation(rule, ctx.op.rights, ctx.caller, ctx.resolve, names)


def levels_of(store: Store, name: str) -> frozenset[str]:
    """The catalogue levels of a right (global, tenant, org: its for_<level> flags)."""
    entry = catalogue_entry(store, name)
    return frozenset(level for level in LEVELS if entry.get(f"for_{level}"))


def _require_enabled(entity: Item, names: Iterable[str], what: str) -> None:
    missing = sorted(set(names) - set(entity.get("security_rights") or []))
    if missing:
        raise Unprocessable(f"not enabled for this {what}: {missing}; add them to the "
                            f"{what} first")


def _existing(ctx: Ctx, collection: str, item_id: str) -> Item:
    item = ctx.store[collection].get((item_id,))
    if item is None:
        raise NotFound(f"no {collection[:-1]} with id {item_id!r}")
    return item


def remove_admin(ctx: Ctx) -> Response:
    """DELETE an admin record: the user loses every right of that scope."""
    assert ctx.rule is not None
    ctx.target()
    ctx.store[ctx.rule.collection].delete(ctx.key())
    return Response(204)


def remove_global_rights(ctx: Ctx) -> Response:
    """DELETE /global_admins/{id}/security_rights/{security_rights}."""
    names = set(requested_rights(ctx))
    record = dict(ctx.target())
    record["security_rights"] = sorted(set(record.get("security_rights") or []) - names)
    record["updated_at"] = ctx.api.now()
    ctx.store["global_admins"].put(record)
    return Response(204)


def list_admin_rights(ctx: Ctx) -> Response:
    """GET the security rights of one admin record."""
    return Response(200, {"security_rights": list(ctx.target().get("security_rights") or [])})


def add_entity_rights(ctx: Ctx) -> Response:
    """POST /tenants|orgs/{id}/security_rights: enable rights for the tenant or org."""
    assert ctx.rule is not None
    names = requested_rights(ctx)
    entity = dict(ctx.target())
    if ctx.rule.collection == "orgs":
        _require_level(ctx, names, "for_org")
        _require_enabled(_existing(ctx, "tenants", str(entity["tenant_id"])), names, "tenant")
    entity["security_rights"] = sorted(set(entity.get("security_rights") or []) | set(names))
    entity["updated_at"] = ctx.api.now()
    ctx.store[ctx.rule.collection].put(entity)
    return ctx.wrap(entity)


def remove_entity_rights(ctx: Ctx) -> Response:
    """DELETE /tenants|orgs/{id}/security_rights/{csv}: disable them, and revoke them below."""
    assert ctx.rule is not None
    names = set(requested_rights(ctx))
    entity = ctx.target()
    strip(ctx.store, ctx.rule.collection, entity, names)
    if ctx.rule.collection == "tenants":
        for org in [o for o in ctx.store["orgs"].values() if o["tenant_id"] == entity["id"]]:
            strip(ctx.store, "orgs", org, names)
    return Response(204)


def strip(store: Store, collection: str, entity: Item, names: set[str]) -> None:
    """Remove rights from a tenant or org and from every admin record in its scope."""
    changed = dict(entity, security_rights=sorted(set(entity["security_rights"]) - names))
    store[collection].put(changed)
    admins, field = ("tenant_admins", "tenant_id") if collection == "tenants" else (
        "org_admins", "org_id")
    for record in [a for a in store[admins].values() if a.get(field) == entity["id"]]:
        kept = sorted(set(record.get("security_rights") or []) - names)
        store[admins].put(dict(record, security_rights=kept))


def my_security_rights(ctx: Ctx) -> Response:
    """GET /me/security_rights: the caller's rights for all active tenants and orgs."""
    grants = ctx.caller.grants
    tenants = [{"tenant_id": t, "security_rights": sorted(r)}
               for t, r in sorted(grants.tenant_rights.items()) if _active(ctx, "tenants", t)]
    orgs = []
    for org_id, rights in sorted(grants.org_rights.items()):
        org = ctx.store["orgs"].get((org_id,))
        if org is not None and org.get("status") == "active":
            orgs.append({"org_id": org_id, "tenant_id": org["tenant_id"],
                         "security_rights": sorted(rights)})
    return Response(200, {"security_rights": sorted(grants.global_rights), "tenants": tenants,
                          "orgs": orgs})


def _active(ctx: Ctx, collection: str, item_id: str) -> bool:
    item = ctx.store[collection].get((item_id,))
    return item is not None and item.get("status") == "active"


def list_security_rights(ctx: Ctx) -> Response:
    """GET /security_rights: the catalogue, active ones unless with_inactive."""
    every = bool(ctx.req.query.get("with_inactive"))
    rights = sorted((ctx.render(r) for r in ctx.store["security_rights"].values()
                     if every or r.get("active", True)), key=lambda r: r["name"])
    return Response(200, {"security_rights": rights})
