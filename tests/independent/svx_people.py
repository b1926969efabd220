"""SVX handlers for admins of the three scopes and for the current user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .inputs import Field, check_fields, parse_json, path_uuid, query_choice, query_uuid
from .paging import Ordering, paginate
from .problems import Problem
from .routing import Call, Reply
from .svx_access import Access, Grant
from .svx_data import stamp
from .svx_grants import Grants

SCOPE_PARAM = {"global": None, "tenant": "tenant_id", "org": "org_id"}
ADMIN_PARAM = {"global": "id", "tenant": "tenant_admin_id", "org": "org_admin_id"}


class People:
    """Admins (global, tenant, org) and /me over one store."""

    def __init__(self, access: Access) -> None:
        self.access, self.store = access, access.store
        self.grants = Grants(access)

    def _scope(self, kind: str, call: Call) -> str:
        param = SCOPE_PARAM[kind]
        return "" if param is None else path_uuid(call.params, param)

    def _readers(self, kind: str, scope: str) -> list[Grant]:
        if kind == "global":
            return [("atom:global:assign_global_sr_to_user", "global", "")]
        if kind == "tenant":
            return [("atom:tenant:list_tenant_admins", "tenant", scope)]
        return [("atom:org:list_org_admins", "org", scope),
                ("atom:tenant:list_admins_of_all_orgs_of_tenant", "tenant",
                 self.access.parent(scope)),
                ("atom:global:list_admins_of_all_orgs", "global", "")]

    def _managers(self, kind: str, scope: str, assigning: bool = False) -> list[Grant]:
        if kind == "global":
            return [("atom:global:assign_global_sr_to_user", "global", "")]
        if kind == "tenant":
            right = "assign_tenant_sr_to_tenant_admin"
            tenant: list[Grant] = [(f"atom:tenant:{right}", "tenant", scope)]
            return tenant if assigning else [(f"atom:global:{right}", "global", ""), *tenant]
        return [("atom:org:assign_org_sr_to_user", "org", scope),
                ("atom:tenant:assign_org_sr_to_user", "tenant", self.access.parent(scope)),
                ("atom:global:assign_org_sr_to_user", "global", "")]

    def _exists(self, kind: str, scope: str) -> dict[str, Any] | None:
        if kind == "tenant":
            return self.store.tenant(scope)
        return self.store.org(scope) if kind == "org" else None

    def _record(self, kind: str, scope: str, call: Call) -> dict[str, Any]:
        user = path_uuid(call.params, ADMIN_PARAM[kind])
        self._exists(kind, scope)
        record = self.store.admins.get((kind, scope, user))
        if record is None:
            raise Problem(404, "This user is not an admin of the given scope.", admin_id=user)
        return record

    def _begin(self, kind: str, call: Call, manage: bool, assigning: bool = False) -> str:
        scope = self._scope(kind, call)
        if ADMIN_PARAM[kind] in call.params:
            path_uuid(call.params, ADMIN_PARAM[kind])
        grants = (self._managers(kind, scope, assigning) if manage
                  else self._readers(kind, scope))
        self.access.require(call.user, grants)
        return scope

    def list_admins(self, kind: str) -> Callable[[Call], Reply]:
        """listGlobalAdmins / listTenantAdmins / listOrgAdmins."""

        def handle(call: Call) -> Reply:
            scope = self._begin(kind, call, manage=False)
            status = query_choice(call.query, "status", ("active", "archived"), "active")
            email = call.query.get("email")
            self._exists(kind, scope)
            items = [a for a in self.store.scope_admins(kind, scope) if a["status"] == status
                     and email in (None, a["email"])]
            ordering = Ordering("given_name", self.access.flaws)
            return Reply(200, paginate(items, call.query, "admins", ordering))

        return handle

    def get_admin(self, kind: str) -> Callable[[Call], Reply]:
        """getGlobalAdmin / getTenantAdmin / getOrgAdmin."""

        def handle(call: Call) -> Reply:
            scope = self._begin(kind, call, manage=False)
            return Reply(200, {"admin": self._record(kind, scope, call)})

        return handle

    def remove_admin(self, kind: str) -> Callable[[Call], Reply]:
        """remove{Global,Tenant,Org}Admin: all rights of the scope go with the record."""

        def handle(call: Call) -> Reply:
            scope = self._begin(kind, call, manage=True)
            record = self._record(kind, scope, call)
            del self.store.admins[(kind, scope, record["id"])]
            return Reply(204)

        return handle

    def archive_admin(self, kind: str) -> Callable[[Call], Reply]:
        """archive{Global,Tenant,Org}Admin: into the former admins' registry, holding no rights."""

        def handle(call: Call) -> Reply:
            scope = self._begin(kind, call, manage=True)
            record = self._record(kind, scope, call)
            now = stamp()
            record.update(status="archived", security_rights=[], archived_at=now, updated_at=now)
            return Reply(204)

        return handle

    def restore_admin(self, kind: str) -> Callable[[Call], Reply]:
        """restore{Global,Tenant,Org}Admin: active again, with no rights until some are assigned."""

        def handle(call: Call) -> Reply:
            scope = self._begin(kind, call, manage=True)
            record = self._record(kind, scope, call)
            record.update(status="active", archived_at=None, updated_at=stamp())
            return Reply(200, {"admin": record})

        return handle

    def assign_rights(self, kind: str) -> Callable[[Call], Reply]:
        """assign{Global,TenantAdmin,OrgAdmin}SecurityRights: the user need not be known."""

        def handle(call: Call) -> Reply:
            scope = self._begin(kind, call, manage=True, assigning=True)
            names = check_fields(parse_json(call.content_type, call.body), {
                "security_rights": Field("strings", required=True)})["security_rights"]
            self.grants.check_levels(call.user, kind, scope, names)
            holder = self._exists(kind, scope)
            for name in names:
                right = self.store.right(name)
                if right is None or not right[f"for_{kind}"] or (
                        holder is not None and name not in holder["security_rights"]):
                    raise Problem(422, f"'{name}' cannot be granted in this {kind} scope.",
                                  security_right=name)
            grantee = path_uuid(call.params, ADMIN_PARAM[kind])
            self.grants.check_holding(call.user, grantee, kind, scope, names)
            self.store.enrol(kind, scope, grantee, names)
            return Reply(204)

        return handle

    def list_org_admin_rights(self, call: Call) -> Reply:
        """listOrgAdminSecurityRights: the admin's organisation rights, alphabetical."""
        org_id = path_uuid(call.params, "org_id")
        path_uuid(call.params, "org_admin_id")
        self.access.require(call.user, [
            ("atom:org:list_org_admin_sr", "org", org_id),
            ("atom:tenant:list_org_admin_sr", "tenant", self.access.parent(org_id)),
            ("atom:global:list_admin_sr_of_any_admin", "global", "")])
        record = self._record("org", org_id, call)
        return Reply(200, {"security_rights": sorted(record["security_rights"])})

    def remove_global_rights(self, call: Call) -> Reply:
        """removeGlobalSecurityRights: comma-separated names in the path."""
        self._begin("global", call, manage=True)
        record = self._record("global", "", call)
        names = call.params["security_rights"].split(",")
        unknown = [n for n in names if (self.store.right(n) or {}).get("for_global") is not True]
        if unknown:
            raise Problem(422, f"'{unknown[0]}' is not a global security right.")
        record.update(security_rights=[r for r in record["security_rights"] if r not in names],
                      updated_at=stamp())
        return Reply(204)

    # -- the current user ------------------------------------------------------------------

    def _mine(self, kind: str, me: str) -> list[tuple[str, list[str]]]:
        return [(scope, rec["security_rights"]) for (k, scope, user), rec
                in self.store.admins.items() if k == kind and user == me
                and rec["status"] == "active"]

    def get_me(self, call: Call) -> Reply:
        tenants = [self.store.tenants[t] for t, _ in self._mine("tenant", call.user)]
        orgs = [self.store.orgs[o] for o, _ in self._mine("org", call.user)]
        person = self.store.users.get(call.user, {})
        tid = call.bearer.claims.get("tid") if call.bearer else None
        return Reply(200, {
            "id": call.user, "given_name": person.get("given_name"),
            "family_name": person.get("family_name"),
            "user_known_to_atom": bool(person) or any(k[2] == call.user for k in self.store.admins),
            "tenant_in_jwt": self.store.tenants.get(tid) if isinstance(tid, str) else None,
            "administered_tenants": [t for t in tenants if t["status"] == "active"],
            "administered_archived_tenants": [t for t in tenants if t["status"] != "active"],
            "administered_orgs": [o for o in orgs if o["status"] == "active"],
            "administered_archived_orgs": [o for o in orgs if o["status"] != "active"]})

    def get_my_rights(self, call: Call) -> Reply:
        return Reply(200, {
            "security_rights": sorted(self.store.held(call.user, "global", "")),
            "tenants": [{"tenant_id": t, "security_rights": r}
                        for t, r in self._mine("tenant", call.user)
                        if self.store.tenants[t]["status"] == "active"],
            "orgs": [{"org_id": o, "tenant_id": self.store.orgs[o]["tenant_id"],
                      "security_rights": r} for o, r in self._mine("org", call.user)
                     if self.store.orgs[o]["status"] == "active"]})

    def list_my_orgs(self, call: Call) -> Reply:
        tenant_id = query_uuid(call.query, "tenant_id")
        orgs = [self.store.orgs[o] for o, _ in self._mine("org", call.user)
                if tenant_id in (None, self.store.orgs[o]["tenant_id"])]
        return Reply(200, {"orgs": [o for o in orgs if o["status"] == "active"],
                           "archived_orgs": [o for o in orgs if o["status"] != "active"]})
