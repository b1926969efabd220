"""The Transmit plugin: its token endpoint, id shape, apps, logo, managed orgs, role groups."""

from __future__ import annotations

import base64
import random
import string
from collections.abc import Iterable
from types import MappingProxyType
from typing import Any

from mockserver import crud
from mockserver.engine import ApiPlugin, ApiRuntime, Ctx
from mockserver.http import RawCall, Response
from mockserver.store import Item
from orgkit.errors import NotFound, Unauthenticated, Unprocessable

LOGO_PREFIX = "/__mock/logos/"
# Transmit's ids look like nanoids (21 lower-case alphanumerics), as in the fixtures.
ID_ALPHABET = string.digits + string.ascii_lowercase
ID_LENGTH = 21


def new_id(rng: random.Random) -> str:
    """A Transmit-shaped id."""
    return "".join(rng.choices(ID_ALPHABET, k=ID_LENGTH))


def issue_token(api: ApiRuntime, client_id: str, client_secret: str) -> dict[str, Any]:
    """The OAuth2 client-credentials grant: an access token for a known client."""
    client = api.store["clients"].get((client_id,))
    if client is None or client.get("client_secret") != client_secret:
        raise Unauthenticated("invalid_client: unknown client_id or wrong client_secret")
    claims = {"sub": client_id, "token_kind": client["kind"],
              "permissions": list(client.get("permissions") or [])}
    if client.get("organization_id"):
        claims["org_id"] = client["organization_id"]
    ttl = api.keyring.config.ttl_seconds
    token = api.keyring.mint(claims, ttl_seconds=ttl)
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl}


def _app_in_path(ctx: Ctx) -> str:
    """The app the path names; NotFound when there is none."""
    app_id = str(ctx.req.path["app_id"])
    if ctx.store["apps"].get((app_id,)) is None:
        raise NotFound(f"no app with id {app_id!r}")
    return app_id


def _ids_exist(ctx: Ctx, collection: str, ids: Iterable[str], what: str) -> list[str]:
    """The body's ids; unknown ones make the request unprocessable (422)."""
    wanted = [str(i) for i in ids]
    unknown = [i for i in wanted if ctx.store[collection].get((i,)) is None]
    if unknown:
        raise Unprocessable(f"unknown {what}: {unknown}")
    return wanted


def create_organization(ctx: Ctx) -> Response:
    """POST /v1/organizations: the generic create, once the apps it names exist ("A list of
    applications the organization can access": an id naming no app grants nothing), with
    the same shape as every other organization (an empty managed_organizations_by_app)."""
    _ids_exist(ctx, "apps", ctx.body().get("app_ids") or [], "app_ids")
    item = crud.new_item(ctx, ctx.body())
    item.setdefault("managed_organizations_by_app", {})
    ctx.store["organizations"].put(item)
    return ctx.wrap(item)


def get_by_name(ctx: Ctx) -> Response:
    """GET /v1/organizations/name/{organization_name}."""
    name = str(ctx.req.path["organization_name"])
    coll = ctx.store["organizations"]
    entries = coll.sorted_entries({"name": name}, "organization_id")
    if not entries:
        raise NotFound(f"no organization named {name!r}")
    return ctx.wrap(coll.by_entry_key(entries[0][1]))


def _change_apps(ctx: Ctx, add: bool) -> Response:
    org = dict(ctx.target())
    ids = _ids_exist(ctx, "apps", ctx.body().get("app_ids") or [], "app_ids")
    current = list(org.get("app_ids") or [])
    org["app_ids"] = (current + [i for i in ids if i not in current] if add
                      else [i for i in current if i not in ids])
    org["updated_at"] = ctx.api.now_ms()
    ctx.store["organizations"].put(org)
    return Response(204)


def add_apps(ctx: Ctx) -> Response:
    """PUT /v1/organizations/{id}/apps."""
    return _change_apps(ctx, add=True)


def remove_apps(ctx: Ctx) -> Response:
    """DELETE /v1/organizations/{id}/apps."""
    return _change_apps(ctx, add=False)


def upload_logo(ctx: Ctx) -> Response:
    """POST /v1/organizations/{id}/logo (multipart): store it, point logo_url at the mock."""
    org = dict(ctx.target())
    data = ctx.req.files.get("logo")
    if not data:
        raise Unprocessable("the multipart field 'logo' is missing or empty")
    org["_logo"] = base64.b64encode(data).decode()
    origin = ctx.req.base_url.removesuffix(ctx.api.model.mount)
    org["logo_url"] = f"{origin}{LOGO_PREFIX}{org['organization_id']}"
    ctx.store["organizations"].put(org)
    return Response(202)


def delete_organization(ctx: Ctx) -> Response:
    """DELETE /v1/organizations/{id}: the generic delete (with the spec's cascade), then unlink.

    Registered under the generic action name `delete`, so it replaces it for Transmit only: the
    deleted id leaves its managing organization's `managed_organizations_by_app`, and the
    organizations it managed are no longer managed (`managing_organization_id` is removed: the
    schema does not allow null). Otherwise reads would keep naming an organization that is gone.
    """
    gone = str(ctx.target()["organization_id"])
    response = crud.delete(ctx)
    coll = ctx.store["organizations"]
    for other in list(coll.values()):
        managed = other.get("managed_organizations_by_app") or {}
        linked = any(gone in ids for ids in managed.values())
        if not linked and other.get("managing_organization_id") != gone:
            continue
        changed = dict(other)
        changed["managed_organizations_by_app"] = {
            app: kept for app, ids in managed.items() if (kept := [i for i in ids if i != gone])}
        if changed.get("managing_organization_id") == gone:
            del changed["managing_organization_id"]
        coll.put(changed)
    return response


def create_managed(ctx: Ctx) -> Response:
    """POST .../applications/{app_id}/managed-organizations: a child org for one app."""
    parent = dict(ctx.target())
    app_id = _app_in_path(ctx)
    child = crud.new_item(ctx, ctx.body())
    child.update(app_ids=[app_id], managing_organization_id=parent["organization_id"])
    child.setdefault("managed_organizations_by_app", {})
    ctx.store["organizations"].put(child)
    managed = dict(parent.get("managed_organizations_by_app") or {})
    managed[app_id] = [*managed.get(app_id, []), child["organization_id"]]
    parent["managed_organizations_by_app"] = managed
    ctx.store["organizations"].put(parent)
    return Response(201, {"result": ctx.render(child)})


def _assignment(ctx: Ctx) -> Item:
    org = ctx.target()
    app_id = _app_in_path(ctx)
    key = (str(org["organization_id"]), app_id)
    return dict(ctx.store["org_roles"].get(key) or {
        "organization_id": key[0], "app_id": app_id, "role_group_ids": [], "role_ids": []})


def set_role_groups(ctx: Ctx) -> Response:
    """POST .../role-groups/set: replace the org's role groups for the app."""
    assignment = _assignment(ctx)
    assignment["role_group_ids"] = _app_items(ctx, "role_groups", ctx.body().get(
        "role_group_ids") or [], assignment["app_id"])
    ctx.store["org_roles"].put(assignment)
    return Response(202)


def set_roles_and_groups(ctx: Ctx) -> Response:
    """POST .../roles-and-groups/set: replace role groups and direct roles."""
    assignment = _assignment(ctx)
    body = ctx.body()
    assignment["role_group_ids"] = _app_items(ctx, "role_groups", body.get("role_group_ids")
                                              or [], assignment["app_id"])
    assignment["role_ids"] = _app_items(ctx, "roles", body.get("role_ids") or [],
                                        assignment["app_id"])
    ctx.store["org_roles"].put(assignment)
    return Response(202)


def _app_items(ctx: Ctx, collection: str, ids: Iterable[str], app_id: str) -> list[str]:
    wanted = _ids_exist(ctx, collection, ids, collection)
    foreign = [i for i in wanted
               if (ctx.store[collection].get((i,)) or {}).get("app_id") != app_id]
    if foreign:
        raise Unprocessable(f"{collection} {foreign} do not belong to app {app_id!r}")
    return wanted


def _roles(ctx: Ctx, ids: Iterable[str]) -> list[Item]:
    found = (ctx.store["roles"].get((str(i),)) for i in ids)
    return [ctx.render(r) for r in found if r is not None]


def _groups_and_defaults(ctx: Ctx, assignment: Item) -> dict[str, Any]:
    groups = []
    for group_id in assignment["role_group_ids"]:
        group = ctx.store["role_groups"].get((group_id,))
        if group is not None:
            groups.append({k: v for k, v in ctx.render(group).items() if k != "app_id"})
    app = ctx.store["apps"].get((assignment["app_id"],)) or {}
    return {"role_groups": groups,
            "default_organization_roles": _roles(ctx, app.get("default_role_ids") or [])}


def get_role_groups(ctx: Ctx) -> Response:
    """GET .../role-groups."""
    return Response(200, {"result": _groups_and_defaults(ctx, _assignment(ctx))})


def get_roles_and_groups(ctx: Ctx) -> Response:
    """GET .../roles-and-groups."""
    assignment = _assignment(ctx)
    result = _groups_and_defaults(ctx, assignment)
    result["roles"] = _roles(ctx, assignment["role_ids"])
    return Response(200, {"result": result})


def logo_route(api: ApiRuntime, call: RawCall) -> Response:
    """The logo uploaded through POST .../logo."""
    org = api.store["organizations"].get((call.path["org_id"],))
    if org is None or not org.get("_logo"):
        raise NotFound("no logo uploaded for this organization")
    return Response(200, headers={"X-Content-Type-Options": "nosniff"}, content_type="image/png",
                    raw=base64.b64decode(org["_logo"]))


PLUGIN = ApiPlugin(
    behaviours=MappingProxyType({
        "create": create_organization,
        "delete": delete_organization,
        "get_organization_by_name": get_by_name,
        "add_apps": add_apps,
        "remove_apps": remove_apps,
        "upload_logo": upload_logo,
        "create_managed_organization": create_managed,
        "set_role_groups": set_role_groups,
        "get_role_groups": get_role_groups,
        "set_roles_and_groups": set_roles_and_groups,
        "get_roles_and_groups": get_roles_and_groups,
    }),
    new_id=new_id,
    routes=MappingProxyType({f"GET {LOGO_PREFIX}{{org_id}}": logo_route}),
    issue_token=issue_token,
)
