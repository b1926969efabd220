"""Transmit "Organizations": all 14 operations, hand-written."""

from __future__ import annotations

import re
from typing import Any

from .inputs import Field, check_fields, parse_json
from .problems import Problem
from .routing import Call, Operation, Reply
from .transmit_data import TransmitStore, millis

READ = ("organizations:read", "orgs:read")
EDIT = ("organizations:edit", "orgs:edit")
CREATE = ("organizations:create", "orgs:create")
TEXT = Field()
CREATE_INPUT = {"name": Field(required=True), "domain": Field(required=True),
                "domains": Field("strings", required=True), "enabled": Field("bool"),
                "alias_name": TEXT}
UPDATE_INPUT = {"name": TEXT, "domain": TEXT, "domains": Field("strings"),
                "enabled": Field("bool"), "alias_name": TEXT}
APP_IDS = {"app_ids": Field("strings", required=True)}


def _logo_sent(call: Call) -> bool:
    """Whether a multipart/form-data body carries a `logo` part."""
    media, _, rest = (call.content_type or "").partition(";")
    found = re.search(r'boundary="?([^";]+)"?', rest)
    if media.strip().lower() != "multipart/form-data" or found is None:
        return False
    parts = call.body.split(b"--" + found.group(1).encode())
    return any(re.search(rb'(?i)content-disposition:[^\r\n]*name="logo"', p) for p in parts)


class Transmit:
    """Handlers over one store; `flaws` plants bugs for the tests."""

    def __init__(self, store: TransmitStore, flaws: frozenset[str] = frozenset()) -> None:
        self.store, self.flaws = store, flaws

    def _allow(self, call: Call, permissions: tuple[str, ...], org_admins: bool = False) -> None:
        client = self.store.clients.get(call.user)
        if client is None:
            raise Problem(401, "The access token belongs to no registered client.")
        kind_ok = client["kind"] == "admin" or org_admins
        # org-admin tokens are confined to their own organization (the path's managing one)
        in_scope = (client["kind"] == "admin" or "unconfined-org-admin" in self.flaws
                    or client["organization_id"] == call.params.get("organization_id"))
        if not (kind_ok and in_scope and set(permissions) & set(client["permissions"])):
            raise Problem(403, "The client is not permitted to perform this action.")

    def create_organization(self, call: Call) -> Reply:
        self._allow(call, CREATE)
        values = check_fields(parse_json(call.content_type, call.body),
                              {**CREATE_INPUT, **APP_IDS})
        if self.store.name_taken(values["name"]):
            raise Problem(409, "An organization with this name is already registered.")
        return Reply(201, {"result": self.store.add(values, list(values["app_ids"]))})

    def get_all_organizations(self, call: Call) -> Reply:
        self._allow(call, (*READ, "organizations:list", "orgs:list"))
        name = call.query.get("name")
        found = [o for o in self.store.organizations.values() if name in (None, o["name"])]
        return Reply(200, {"result": sorted(found, key=lambda o: -o["created_at"])})

    def get_organization(self, call: Call) -> Reply:
        self._allow(call, READ)
        if "hidden-organization" in self.flaws:  # planted: every organization reads as missing
            raise Problem(404, "Organization could not be located.")
        return Reply(200, {"result": self.store.organization(call.params["organization_id"])})

    def get_organization_by_name(self, call: Call) -> Reply:
        self._allow(call, READ)
        name = call.params["organization_name"]
        found = [o for o in self.store.organizations.values() if o["name"] == name]
        if not found:
            raise Problem(404, "No organization carries this name.")
        return Reply(200, {"result": found[0]})

    def update_organization(self, call: Call) -> Reply:
        self._allow(call, EDIT)
        values = check_fields(parse_json(call.content_type, call.body), UPDATE_INPUT)
        org = self.store.organization(call.params["organization_id"])
        if "name" in values and self.store.name_taken(values["name"], org["organization_id"]):
            raise Problem(400, "name is used by another organization")
        org.update(values, updated_at=millis())
        return Reply(200, {"result": org})

    def delete_organization(self, call: Call) -> Reply:
        self._allow(call, ("organizations:delete", "orgs:delete"))
        gone = self.store.organizations.pop(
            self.store.organization(call.params["organization_id"])["organization_id"])
        for key in [k for k in self.store.assigned if k[1] == gone["organization_id"]]:
            del self.store.assigned[key]
        for org in self.store.organizations.values():
            for managed in org["managed_organizations_by_app"].values():
                if gone["organization_id"] in managed:
                    managed.remove(gone["organization_id"])
        return Reply(204)

    def _apps(self, call: Call, add: bool) -> Reply:
        self._allow(call, EDIT)
        app_ids = check_fields(parse_json(call.content_type, call.body), APP_IDS)["app_ids"]
        org = self.store.organization(call.params["organization_id"])
        kept = [a for a in org["app_ids"] if a not in app_ids]
        org.update(app_ids=kept + (list(dict.fromkeys(app_ids)) if add else []),
                   updated_at=millis())
        return Reply(204)

    def add_apps(self, call: Call) -> Reply:
        return self._apps(call, add=True)

    def remove_apps(self, call: Call) -> Reply:
        return self._apps(call, add=False)

    def upload_logo(self, call: Call) -> Reply:
        self._allow(call, EDIT)
        if not _logo_sent(call):
            raise Problem(400, "logo must be sent as a multipart/form-data file part")
        org = self.store.organization(call.params["organization_id"])
        org.update(logo_url=f"https://cdn.independent.example/logos/{org['organization_id']}",
                   updated_at=millis())
        return Reply(202)

    def create_managed(self, call: Call) -> Reply:
        self._allow(call, CREATE, org_admins=True)
        values = check_fields(parse_json(call.content_type, call.body), CREATE_INPUT)
        manager = self.store.organization(call.params["organization_id"])
        app_id = call.params["app_id"]
        self.store.app(app_id)
        if self.store.name_taken(values["name"]):
            raise Problem(409, "An organization with this name is already registered.")
        org = self.store.add(values, [app_id])
        org["managing_organization_id"] = manager["organization_id"]
        manager["managed_organizations_by_app"].setdefault(app_id, []).append(
            org["organization_id"])
        return Reply(201, {"result": org})

    def _pair(self, call: Call) -> tuple[dict[str, Any], str]:
        app = self.store.app(call.params["app_id"])
        return app, self.store.organization(call.params["organization_id"])["organization_id"]

    def _assign(self, call: Call, fields: dict[str, Field]) -> Reply:
        self._allow(call, EDIT)
        values = check_fields(parse_json(call.content_type, call.body), fields)
        app, org_id = self._pair(call)
        known = {"role_group_ids": {g["group_id"] for g in app["role_groups"]},
                 "role_ids": {r["role_id"] for r in app["roles"]}}
        for key, ids in values.items():
            if not set(ids) <= known[key]:
                raise Problem(400, f"{key} names entries the application does not define")
        current = self.store.assigned.setdefault((call.params["app_id"], org_id),
                                                 {"role_group_ids": [], "role_ids": []})
        current.update({k: list(dict.fromkeys(v)) for k, v in values.items()})
        return Reply(202)

    def set_role_groups(self, call: Call) -> Reply:
        return self._assign(call, {"role_group_ids": Field("strings", required=True)})

    def set_roles_and_groups(self, call: Call) -> Reply:
        return self._assign(call, {"role_group_ids": Field("strings"),
                                   "role_ids": Field("strings")})

    def _assigned(self, call: Call) -> tuple[dict[str, Any], dict[str, list[str]]]:
        self._allow(call, READ)
        app, org_id = self._pair(call)
        chosen = self.store.assigned.get((call.params["app_id"], org_id), {})
        return app, {"role_groups": [g for g in app["role_groups"]
                                     if g["group_id"] in chosen.get("role_group_ids", [])],
                     "default_organization_roles": [r for r in app["roles"]
                                                    if r["role_id"] in app["default_role_ids"]],
                     "roles": [r for r in app["roles"] if r["role_id"] in chosen.get("role_ids",
                                                                                      [])]}

    def get_role_groups(self, call: Call) -> Reply:
        _, result = self._assigned(call)
        del result["roles"]
        return Reply(200, {"result": result})

    def get_roles_and_groups(self, call: Call) -> Reply:
        return Reply(200, {"result": self._assigned(call)[1]})

    def table(self) -> dict[str, dict[str, Operation]]:
        """The paths of the API (all 14 operations served)."""
        org, app_org = "/v1/organizations/{organization_id}", \
            "/v1/applications/{app_id}/organizations/{organization_id}"
        return {
            "/v1/organizations": {
                "POST": Operation("createOrganization", self.create_organization),
                "GET": Operation("getAllOrganizations", self.get_all_organizations)},
            "/v1/organizations/name/{organization_name}": {
                "GET": Operation("getOrganizationByName", self.get_organization_by_name)},
            org: {"GET": Operation("getOrganization", self.get_organization),
                  "PUT": Operation("updateOrganization", self.update_organization),
                  "DELETE": Operation("deleteOrganization", self.delete_organization)},
            f"{org}/apps": {"PUT": Operation("addAppsToOrganization", self.add_apps),
                            "DELETE": Operation("removeAppsFromOrganization", self.remove_apps)},
            f"{org}/logo": {"POST": Operation("uploadLogo", self.upload_logo)},
            f"{org}/applications/{{app_id}}/managed-organizations": {
                "POST": Operation("createManagedOrganization", self.create_managed)},
            f"{app_org}/role-groups/set": {
                "POST": Operation("setAssignedRoleGroups", self.set_role_groups)},
            f"{app_org}/role-groups": {
                "GET": Operation("getAssignedRoleGroups", self.get_role_groups)},
            f"{app_org}/roles-and-groups/set": {
                "POST": Operation("setAssignedRolesAndGroups", self.set_roles_and_groups)},
            f"{app_org}/roles-and-groups": {
                "GET": Operation("getAssignedRolesAndGroups", self.get_roles_and_groups)},
        }
