"""SVX behaviours around tenants, organisations, the current user and monitoring."""

from __future__ import annotations

import string
from typing import Any

from mockserver import crud
from mockserver.engine import Ctx
from mockserver.http import Response
from mockserver.store import Item
from mockserver.svx_rights import admin_records, upsert_admin
from orgkit.errors import NotFound, Unprocessable
from orgkit.rights import visible

COMPONENTS = {"getVersion": "svx-platform", "getAtomVersion": "atom",
              "getUtilitiesVersion": "svx-utilities"}


def _catalogue(ctx: Ctx, flag: str, *, external: bool) -> list[str]:
    """Names of active rights with a level flag, internal only unless external is set."""
    return sorted(r["name"] for r in ctx.store["security_rights"].values()
                  if r.get(flag) and r.get("active", True) and (external or not r.get("external")))


def create_tenant(ctx: Ctx) -> Response:
    """POST /tenants: internal rights (plus external on request); the caller becomes admin."""
    tenant = crud.new_item(ctx, ctx.body())
    external = bool(ctx.req.query.get("with_external_security_rights"))
    rights = set(_catalogue(ctx, "for_tenant", external=external))
    rights |= set(_catalogue(ctx, "for_org", external=external))
    tenant["security_rights"] = sorted(rights)
    ctx.store["tenants"].put(tenant)
    admin_rights = [r for r in tenant["security_rights"] if r in
                    _catalogue(ctx, "for_tenant", external=True)]
    upsert_admin(ctx, "tenant_admins", {"tenant_id": tenant["id"]}, ctx.caller.subject,
                 admin_rights)
    return ctx.wrap(tenant)


def create_org(ctx: Ctx) -> Response:
    """POST /tenants/{tenant_id}/orgs: inherits the tenant's org-level rights; first admin."""
    org = crud.new_item(ctx, ctx.body())
    tenant = ctx.store["tenants"].get((org["tenant_id"],)) or {}
    external = bool(ctx.req.query.get("add_all_external_security_rights"))
    org_level = set(_catalogue(ctx, "for_org", external=external))
    org["security_rights"] = sorted(org_level & set(tenant.get("security_rights") or []))
    ctx.store["orgs"].put(org)
    if not ctx.req.query.get("no_first_user"):
        upsert_admin(ctx, "org_admins", {"org_id": org["id"]}, ctx.caller.subject,
                     org["security_rights"])
    return ctx.wrap(org)


def list_visible_orgs(ctx: Ctx) -> Response:
    """GET /orgs: active organisations the caller may see, optionally of one tenant."""
    tenant_id = ctx.req.query.get("tenant_id")
    orgs = [ctx.render(o) for o in ctx.store["orgs"].values()
            if o.get("status") == "active" and visible(ctx.op.rights, ctx.caller, o)
            and (tenant_id is None or o.get("tenant_id") == str(tenant_id))]
    return Response(200, {"orgs": sorted(orgs, key=_by_name)})


def _by_name(item: dict[str, Any]) -> tuple[str, str]:
    return (str(item.get("name") or "").casefold(), str(item.get("id")))


def _administered(ctx: Ctx, collection: str, admins: str, status: str) -> list[Item]:
    """Items of a collection where the caller's admin record has the given status."""
    field = "org_id" if collection == "orgs" else "tenant_id"
    found = []
    for record in admin_records(ctx.store, admins, ctx.caller.subject):
        item = ctx.store[collection].get((str(record[field]),))
        if item is not None and record.get("status") == status:
            found.append(ctx.render(item))
    return sorted(found, key=_by_name)


def list_my_orgs(ctx: Ctx) -> Response:
    """GET /me/orgs: organisations the caller administers, active and archived ones apart."""
    tenant_id = ctx.req.query.get("tenant_id")
    mine = [o for o in _administered(ctx, "orgs", "org_admins", "active")
            if tenant_id is None or o.get("tenant_id") == str(tenant_id)]
    return Response(200, {"orgs": [o for o in mine if o.get("status") == "active"],
                           "archived_orgs": [o for o in mine if o.get("status") != "active"]})


def get_me(ctx: Ctx) -> Response:
    """GET /me: who the token belongs to and what they administer."""
    subject = ctx.caller.subject
    user = ctx.store["users"].get((subject,)) or {}
    tenant = ctx.store["tenants"].get((ctx.caller.tenant or "",))
    grants = ctx.caller.grants
    kind = ("global_admin" if grants.global_rights else "tenant_admin" if grants.tenant_rights
            else "org_admin" if grants.org_rights else "user")
    known = bool(user) or any(admin_records(ctx.store, c, subject)
                              for c in ("global_admins", "tenant_admins", "org_admins"))
    return Response(200, {
        "id": subject, "given_name": user.get("given_name"),
        "family_name": user.get("family_name"),
        "tenant_in_jwt": None if tenant is None else ctx.render(tenant),
        "user_known_to_atom": known, "user_type": kind,
        "administered_orgs": _administered(ctx, "orgs", "org_admins", "active"),
        "administered_archived_orgs": _administered(ctx, "orgs", "org_admins", "archived"),
        "administered_tenants": _administered(ctx, "tenants", "tenant_admins", "active"),
        "administered_archived_tenants": _administered(ctx, "tenants", "tenant_admins",
                                                       "archived"),
    })


def update_me(ctx: Ctx) -> Response:
    """PUT /me: change the caller's own given and family name."""
    user = _own_user(ctx)
    body = ctx.req.body.get("user") if isinstance(ctx.req.body, dict) else None
    user.update({k: v for k, v in (body or {}).items() if k in ("given_name", "family_name")})
    ctx.store["users"].put(user)
    return Response(200, {"user": ctx.render(user)})


def change_my_password(ctx: Ctx) -> Response:
    """PUT /me/password: the current password must match the one set before, if any."""
    user = _own_user(ctx)
    body = (ctx.req.body or {}).get("user") or {}
    if user.get("_password") not in (None, body.get("current_password")):
        raise Unprocessable("current_password does not match the password set before")
    user["_password"] = body.get("new_password")
    ctx.store["users"].put(user)
    return Response(200, {})


def _own_user(ctx: Ctx) -> Item:
    found = ctx.store["users"].get((ctx.caller.subject,))
    return dict(found) if found else {"id": ctx.caller.subject, "email": None,
                                      "given_name": None, "family_name": None}


def version(ctx: Ctx) -> Response:
    """GET .../version: the component and the API version."""
    name = COMPONENTS.get(ctx.op.operation_id, "svx")
    return Response(200, {"component": {"name": name, "version": ctx.api.model.version}})


def alive(ctx: Ctx) -> Response:
    """GET /alive/platform: 200 with no body."""
    return Response(200)


def redirect_logo(ctx: Ctx) -> Response:
    """GET /orgs|tenants/{id}/logo: 302 to the stored logo_url."""
    item = ctx.target()
    if not item.get("logo_url"):
        raise NotFound(f"{item.get('name')!r} has no logo_url")
    return Response(302, headers={"Location": str(item["logo_url"])})


def create_deployment(ctx: Ctx) -> Response:
    """POST /orgs/{org_id}/deployments: a new SVX Wallet instance, config generated."""
    body = ctx.body()
    deployment = crud.new_item(ctx, {"description": body.get("description")})
    letters = string.ascii_lowercase + string.digits
    instance = "-".join("".join(ctx.api.rng.choice(letters) for _ in range(5)) for _ in "ab")
    series = body.get("version_series") or "0.1"
    deployment.update(
        instance_id=instance, status="config_values_generated", current_user_id=ctx.caller.subject,
        versions={"svx_wallet": series}, internal_domain=f"{instance}.wallet.internal",
        public_domain=f"{instance}.svx.example", git_workflow_log=[], online_check_counter=0,
    )
    ctx.store["deployments"].put(deployment)
    return Response(201, {"instance_id": instance})
