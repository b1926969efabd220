"""SVX handlers for tenants, organisations and the current user."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from .inputs import Field, check_fields, parse_json, path_uuid, query_bool, query_choice, query_uuid
from .paging import Ordering, paginate
from .problems import Problem
from .routing import Call, Reply
from .svx_access import Access
from .svx_data import stamp

TENANT_TEXT = ("authorised_officer_email", "authorised_officer_first_name",
               "authorised_officer_last_name", "business_address", "company_number",
               "legal_name", "lei_number", "status_in_tenant", "trading_name")
TENANT_INPUT = {**{k: Field(nullable=True, max_length=72) for k in TENANT_TEXT},
                "color": Field(nullable=True, max_length=20), "id": Field("uuid"),
                "logo_url": Field("uri", nullable=True, max_length=2048),
                "name": Field(required=True, max_length=255)}
ORG_INPUT = {**{k: Field() for k in TENANT_TEXT}, "color": Field(max_length=20),
             "company_url": Field("uri", nullable=True, max_length=2048),
             "logo_url": Field("uri", max_length=2048),
             "name": Field(required=True, max_length=255)}
TENANT_MUTABLE = ("name", "logo_url", "color")


def _body(call: Call, fields: Mapping[str, Field]) -> dict[str, Any]:
    return check_fields(parse_json(call.content_type, call.body), fields)


def _rights_body(call: Call) -> list[str]:
    names: list[str] = check_fields(parse_json(call.content_type, call.body), {
        "security_rights": Field("strings", required=True)})["security_rights"]
    return names


def _listing(items: list[dict[str, Any]], call: Call) -> list[dict[str, Any]]:
    status = query_choice(call.query, "status", ("active", "archived", "all"), "active")
    needle = call.query.get("filter_by", "").casefold()
    return [i for i in items if status in ("all", i["status"])
            and (needle in i["name"].casefold() or needle == i["id"])]


def _set_status(item: dict[str, Any], status: str) -> None:
    now = stamp()
    item.update(status=status, updated_at=now, archived_at=now if status == "archived" else None)


class Tenancy:
    """Tenants, organisations and /me over one store."""

    def __init__(self, access: Access) -> None:
        self.access, self.store = access, access.store

    def _global(self, call: Call, right: str) -> None:
        self.access.require(call.user, [(f"atom:global:{right}", "global", "")])

    def _known_rights(self, names: list[str], *levels: str) -> list[str]:
        for name in names:
            right = self.store.right(name)
            if right is None or not any(right[f"for_{lv}"] for lv in levels):
                raise Problem(422, f"'{name}' is not a {'/'.join(levels)}-level security right.",
                              security_right=name)
        return names

    def list_security_rights(self, call: Call) -> Reply:
        """Public: the catalogue (active rights unless with_inactive=true)."""
        everything = query_bool(call.query, "with_inactive")
        return Reply(200, {"security_rights": [r for r in self.store.rights
                                               if everything or r["active"]]})

    # -- tenants ---------------------------------------------------------------------------

    def list_tenants(self, call: Call) -> Reply:
        self._global(call, "view_all_tenants")
        items = _listing(list(self.store.tenants.values()), call)
        ordering = Ordering("name", self.access.flaws)
        return Reply(200, paginate(items, call.query, "tenants", ordering))

    def create_tenant(self, call: Call) -> Reply:
        self._global(call, "create_tenant")
        external = query_bool(call.query, "with_external_security_rights")
        values = _body(call, TENANT_INPUT)
        tenant_id = str(values.pop("id", None) or uuid.uuid4()).lower()
        if tenant_id in self.store.tenants:
            raise Problem(409, "A tenant with this id exists already.", tenant_id=tenant_id)
        rights = self.store.internal("tenant") + self.store.internal("org")
        now = stamp()
        tenant = {**dict.fromkeys(TENANT_INPUT), **values, "id": tenant_id, "status": "active",
                  "security_rights": rights + (self.store.external("tenant", "org")
                                               if external else []),
                  "inserted_at": now, "updated_at": now, "archived_at": None}
        self.store.tenants[tenant_id] = tenant
        # "The current user becomes the first admin of the tenant."
        self.store.enrol("tenant", tenant_id, call.user, self.store.internal("tenant"))
        return Reply(201, {"tenant": tenant})

    def get_tenant(self, call: Call) -> Reply:
        if "uuid-crash" in self.access.flaws:  # planted: parses before validating
            uuid.UUID(call.params["tenant_id"])
        tenant_id = path_uuid(call.params, "tenant_id")
        self.access.require(call.user, [("atom:global:view_all_tenants", "global", ""),
                                        ("atom:tenant:view_tenant", "tenant", tenant_id)])
        return Reply(200, {"tenant": self.store.tenant(tenant_id)})

    def update_tenant(self, call: Call) -> Reply:
        tenant_id = path_uuid(call.params, "tenant_id")
        self._global(call, "create_tenant")
        values = _body(call, TENANT_INPUT)
        tenant = self.store.tenant(tenant_id)
        tenant.update({k: v for k, v in values.items() if k in TENANT_MUTABLE},
                      updated_at=stamp())
        return Reply(200, {"tenant": tenant})

    def delete_tenant(self, call: Call) -> Reply:
        tenant_id = path_uuid(call.params, "tenant_id")
        self._global(call, "create_tenant")
        self.store.tenant(tenant_id)
        for org_id in [o for o, org in self.store.orgs.items() if org["tenant_id"] == tenant_id]:
            self._drop_org(org_id)
        self._drop_admins("tenant", tenant_id)
        self._drop_owned(tenant_id, "tenant_id")
        del self.store.tenants[tenant_id]
        return Reply(204)

    def _drop_owned(self, owner: str, field: str) -> None:
        """The spec's cascade: invitations, deployments, agents of a deleted tenant or org."""
        for items in (self.store.invitations, self.store.deployments, self.store.agents):
            for key in [k for k, item in items.items() if item.get(field) == owner]:
                del items[key]

    def _drop_admins(self, kind: str, scope: str) -> None:
        for key in [k for k in self.store.admins if k[:2] == (kind, scope)]:
            del self.store.admins[key]

    def _drop_org(self, org_id: str) -> None:
        self._drop_admins("org", org_id)
        self._drop_owned(org_id, "org_id")
        self.store.graves[org_id] = self.store.orgs.pop(org_id)["tenant_id"]

    def archive_tenant(self, call: Call) -> Reply:
        return self._tenant_status(call, "archived")

    def restore_tenant(self, call: Call) -> Reply:
        return self._tenant_status(call, "active")

    def _tenant_status(self, call: Call, status: str) -> Reply:
        tenant_id = path_uuid(call.params, "tenant_id")
        self._global(call, "create_tenant")
        tenant = self.store.tenant(tenant_id)
        _set_status(tenant, status)
        return Reply(200, {"tenant": tenant})

    def add_tenant_rights(self, call: Call) -> Reply:
        tenant_id = path_uuid(call.params, "tenant_id")
        self._global(call, "assign_sr_to_tenant")
        names = _rights_body(call)
        tenant = self.store.tenant(tenant_id)
        held = tenant["security_rights"]
        held += [n for n in self._known_rights(names, "tenant", "org") if n not in held]
        tenant["updated_at"] = stamp()
        return Reply(200, {"tenant": tenant})

    def remove_tenant_rights(self, call: Call) -> Reply:
        tenant_id = path_uuid(call.params, "tenant_id")
        self._global(call, "assign_sr_to_tenant")
        tenant = self.store.tenant(tenant_id)
        names = self._known_rights(call.params["security_rights"].split(","), "tenant", "org")
        tenant["security_rights"] = [n for n in tenant["security_rights"] if n not in names]
        return Reply(204)

    def add_org_rights(self, call: Call) -> Reply:
        """addOrgSecurityRights: org-level rights its tenant holds (others: 422)."""
        org_id = path_uuid(call.params, "org_id")
        self._org_assigner(call, org_id)
        names = _rights_body(call)
        org = self.store.org(org_id)
        tenant = self.store.tenants.get(str(org["tenant_id"]), {"security_rights": []})
        for name in self._known_rights(names, "org"):
            if name not in tenant["security_rights"]:
                raise Problem(422, f"'{name}' is not enabled for the organisation's tenant.",
                              security_right=name)
        org["security_rights"] += [n for n in names if n not in org["security_rights"]]
        org["updated_at"] = stamp()
        return Reply(200, {"org": org})

    def remove_org_rights(self, call: Call) -> Reply:
        """removeOrgSecurityRights: comma-separated org-level names in the path."""
        org_id = path_uuid(call.params, "org_id")
        self._org_assigner(call, org_id)
        org = self.store.org(org_id)
        names = self._known_rights(call.params["security_rights"].split(","), "org")
        org.update(security_rights=[n for n in org["security_rights"] if n not in names],
                   updated_at=stamp())
        return Reply(204)

    def _org_assigner(self, call: Call, org_id: str) -> None:
        if "org-rights-any-tenant" in self.access.flaws and any(  # planted: any tenant will do
                "atom:tenant:assign_sr_to_org" in self.store.held(call.user, "tenant", t)
                for t in self.store.tenants):
            return
        self.access.require(call.user, [("atom:tenant:assign_sr_to_org", "tenant",
                                         self.access.parent(org_id))])

    # -- organisations ---------------------------------------------------------------------

    def list_tenant_orgs(self, call: Call) -> Reply:
        tenant_id = path_uuid(call.params, "tenant_id")
        self.access.require(call.user, [("atom:global:view_all_orgs", "global", ""),
                                        ("atom:tenant:view_tenant_orgs", "tenant", tenant_id)])
        self.store.tenant(tenant_id)
        items = _listing([o for o in self.store.orgs.values() if o["tenant_id"] == tenant_id],
                         call)
        return Reply(200, paginate(items, call.query, "orgs", Ordering("name", self.access.flaws)))

    def create_org(self, call: Call) -> Reply:
        tenant_id = path_uuid(call.params, "tenant_id")
        self.access.require(call.user, [("atom:tenant:create_org", "tenant", tenant_id)])
        alone = query_bool(call.query, "no_first_user")
        external = query_bool(call.query, "add_all_external_security_rights")
        values = _body(call, ORG_INPUT)
        tenant = self.store.tenant(tenant_id)
        wanted = self.store.internal("org") + (self.store.external("org") if external else [])
        now = stamp()
        org = {**dict.fromkeys(ORG_INPUT), **values, "id": str(uuid.uuid4()),
               "tenant_id": tenant_id, "status": "active", "inserted_at": now,
               "updated_at": now, "archived_at": None,
               "security_rights": [r for r in wanted if r in tenant["security_rights"]]}
        self.store.orgs[org["id"]] = org
        if not alone:
            self.store.enrol("org", org["id"], call.user, self.store.internal("org"))
        return Reply(201, {"org": org})

    def get_org(self, call: Call) -> Reply:
        org_id = path_uuid(call.params, "org_id")
        self.access.reads_org(call.user, org_id)
        org = self.store.org(org_id)
        if "hidden-org" in self.access.flaws and not self.store.held(call.user, "global", ""):
            raise Problem(404, "No organisation is registered under this id.")
        return Reply(200, {"org": org})

    def update_org(self, call: Call) -> Reply:
        org_id = path_uuid(call.params, "org_id")
        self.access.require(call.user, self.access.org_managers(org_id))
        values = _body(call, ORG_INPUT)
        org = self.store.org(org_id)
        org.update(values, updated_at=stamp())
        return Reply(200, {"org": org})

    def delete_org(self, call: Call) -> Reply:
        org_id = path_uuid(call.params, "org_id")
        self.access.require(call.user, self.access.org_managers(org_id))
        self.store.org(org_id)
        self._drop_org(org_id)
        return Reply(204)

    def archive_org(self, call: Call) -> Reply:
        return self._org_status(call, "archived")

    def restore_org(self, call: Call) -> Reply:
        return self._org_status(call, "active")

    def _org_status(self, call: Call, status: str) -> Reply:
        org_id = path_uuid(call.params, "org_id")
        self.access.require(call.user, self.access.org_managers(org_id))
        org = self.store.org(org_id)
        _set_status(org, status)
        return Reply(200, {"org": org})

    def list_visible_orgs(self, call: Call) -> Reply:
        tenant_id = query_uuid(call.query, "tenant_id")
        orgs = [o for o in self.store.orgs.values()
                if tenant_id in (None, o["tenant_id"]) and self.access.sees_org(call.user, o)]
        return Reply(200, {"orgs": sorted(orgs, key=lambda o: o["inserted_at"], reverse=True)})
