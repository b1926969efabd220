"""The SVX path table: 35 served operations; other methods of these paths answer 501."""

from __future__ import annotations

from .routing import Handler, Operation
from .svx_access import Access
from .svx_people import People
from .svx_tenancy import Tenancy

Table = dict[str, dict[str, Operation]]


def _op(name: str, handler: Handler | None = None) -> Operation:
    return Operation(name, handler)


def svx_table(access: Access) -> Table:
    """Every path of the subset with every method the spec gives it."""
    t, p = Tenancy(access), People(access)
    return {
        "/tenants": {"GET": _op("listTenants", t.list_tenants),
                     "POST": _op("createTenant", t.create_tenant)},
        "/tenants/{tenant_id}": {"GET": _op("getTenant", t.get_tenant),
                                 "PUT": _op("updateTenant", t.update_tenant),
                                 "DELETE": _op("deleteTenant", t.delete_tenant)},
        "/tenants/{tenant_id}/archive": {"POST": _op("archiveTenant", t.archive_tenant)},
        "/tenants/{tenant_id}/restore": {"POST": _op("restoreTenant", t.restore_tenant)},
        "/tenants/{tenant_id}/security_rights": {
            "POST": _op("addTenantSecurityRights", t.add_tenant_rights)},
        "/tenants/{tenant_id}/security_rights/{security_rights}": {
            "DELETE": _op("removeTenantSecurityRights", t.remove_tenant_rights)},
        "/tenants/{tenant_id}/orgs": {"GET": _op("listTenantOrgs", t.list_tenant_orgs),
                                      "POST": _op("createOrg", t.create_org)},
        "/tenants/{tenant_id}/logo": {"GET": _op("redirectToTenantLogo")},
        "/tenants/{tenant_id}/admins": {"GET": _op("listTenantAdmins", p.list_admins("tenant"))},
        "/tenants/{tenant_id}/admins/{tenant_admin_id}": {
            "GET": _op("getTenantAdmin", p.get_admin("tenant")),
            "DELETE": _op("removeTenantAdmin", p.remove_admin("tenant"))},
        "/tenants/{tenant_id}/admins/{tenant_admin_id}/archive": {
            "POST": _op("archiveTenantAdmin")},
        "/tenants/{tenant_id}/admins/{tenant_admin_id}/restore": {
            "POST": _op("restoreTenantAdmin")},
        "/tenants/{tenant_id}/admins/{tenant_admin_id}/security_rights": {
            "POST": _op("assignTenantAdminSecurityRights", p.assign_rights("tenant"))},
        "/orgs": {"GET": _op("listVisibleOrgs", t.list_visible_orgs)},
        "/orgs/{org_id}": {"GET": _op("getOrg", t.get_org), "PUT": _op("updateOrg", t.update_org),
                           "DELETE": _op("deleteOrg", t.delete_org)},
        "/orgs/{org_id}/archive": {"POST": _op("archiveOrg", t.archive_org)},
        "/orgs/{org_id}/restore": {"POST": _op("restoreOrg", t.restore_org)},
        "/orgs/{org_id}/logo": {"GET": _op("redirectToOrgLogo")},
        "/orgs/{org_id}/security_rights": {"POST": _op("addOrgSecurityRights")},
        "/orgs/{org_id}/security_rights/{security_rights}": {
            "DELETE": _op("removeOrgSecurityRights")},
        "/orgs/{org_id}/deployments": {"GET": _op("listDeployments"),
                                       "POST": _op("createDeployment")},
        "/orgs/{org_id}/admins": {"GET": _op("listOrgAdmins", p.list_admins("org"))},
        "/orgs/{org_id}/admins/{org_admin_id}": {
            "GET": _op("getOrgAdmin", p.get_admin("org")),
            "DELETE": _op("removeOrgAdmin", p.remove_admin("org"))},
        "/orgs/{org_id}/admins/{org_admin_id}/archive": {
            "POST": _op("archiveOrgAdmin", p.archive_admin("org"))},
        "/orgs/{org_id}/admins/{org_admin_id}/restore": {
            "POST": _op("restoreOrgAdmin", p.restore_admin("org"))},
        "/orgs/{org_id}/admins/{org_admin_id}/security_rights": {
            "GET": _op("listOrgAdminSecurityRights"),
            "POST": _op("assignOrgAdminSecurityRights", p.assign_rights("org"))},
        "/global_admins": {"GET": _op("listGlobalAdmins", p.list_admins("global"))},
        "/global_admins/{id}": {"GET": _op("getGlobalAdmin", p.get_admin("global")),
                                "DELETE": _op("removeGlobalAdmin")},
        "/global_admins/{id}/archive": {"POST": _op("archiveGlobalAdmin")},
        "/global_admins/{id}/restore": {"POST": _op("restoreGlobalAdmin")},
        "/global_admins/{id}/security_rights": {
            "POST": _op("assignGlobalSecurityRights", p.assign_rights("global"))},
        "/global_admins/{id}/security_rights/{security_rights}": {
            "DELETE": _op("removeGlobalSecurityRights", p.remove_global_rights)},
        "/me": {"GET": _op("getMe", p.get_me), "PUT": _op("updateMe")},
        "/me/security_rights": {"GET": _op("getMySecurityRights", p.get_my_rights)},
        "/me/orgs": {"GET": _op("listMyOrgs", p.list_my_orgs)},
        "/security_rights": {"GET": Operation("listSecurityRights", t.list_security_rights,
                                              secured=False)},
    }


def served(table: Table) -> list[str]:
    """The operation ids this table serves."""
    return [op.name for methods in table.values() for op in methods.values()
            if op.handler is not None]
