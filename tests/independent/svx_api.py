"""The SVX path table: every operation of the spec, by path and method."""

from __future__ import annotations

from .routing import Handler, Operation
from .svx_access import Access
from .svx_blobs import Blobs
from .svx_deployments import Deployments
from .svx_extras import Extras
from .svx_invitations import Invitations
from .svx_people import People
from .svx_tenancy import Tenancy

Table = dict[str, dict[str, Operation]]


def _op(name: str, handler: Handler | None = None) -> Operation:
    return Operation(name, handler)


def _public(name: str, handler: Handler) -> Operation:
    return Operation(name, handler, secured=False)


def _inv(name: str, handler: Handler) -> Operation:
    return Operation(name, handler, shape="invitations")


def svx_table(access: Access) -> Table:
    """Every path of the spec with every method it gives it."""
    t, p, i = Tenancy(access), People(access), Invitations(access)
    d, b, x = Deployments(access), Blobs(access.store, access.flaws), Extras(access)
    return {
        "/applications": {"GET": _op("listApplicationAgents", x.list_agents),
                          "POST": _op("createApplicationAgent", x.create_agent)},
        "/applications/{id}": {"GET": _op("getApplicationAgent", x.get_agent),
                               "PUT": _op("updateApplicationAgent", x.update_agent),
                               "DELETE": _op("deleteApplicationAgent", x.delete_agent)},
        "/version": {"GET": _public("getVersion", x.version_of("platform"))},
        "/atom/version": {"GET": _public("getAtomVersion", x.version_of("atom"))},
        "/utilities/version": {"GET": _public("getUtilitiesVersion", x.version_of("utilities"))},
        "/alive/platform": {"GET": _public("alivePlatform", x.alive)},
        "/me/password": {"PUT": _op("changeMyPassword", x.change_my_password)},
        "/invitations": {"GET": _inv("listInvitations", i.list_invitations),
                         "POST": _inv("createInvitation", i.create_invitation)},
        "/invitations/{id}": {"GET": _inv("getInvitation", i.get_invitation),
                              "DELETE": _inv("deleteInvitation", i.delete_invitation)},
        "/invitations/{id}/resend": {"POST": _inv("resendInvitation", i.resend_invitation)},
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
        "/tenants/{tenant_id}/logo": {"GET": _public("redirectToTenantLogo", d.tenant_logo)},
        "/tenants/{tenant_id}/admins": {"GET": _op("listTenantAdmins", p.list_admins("tenant"))},
        "/tenants/{tenant_id}/admins/{tenant_admin_id}": {
            "GET": _op("getTenantAdmin", p.get_admin("tenant")),
            "DELETE": _op("removeTenantAdmin", p.remove_admin("tenant"))},
        "/tenants/{tenant_id}/admins/{tenant_admin_id}/archive": {
            "POST": _op("archiveTenantAdmin", p.archive_admin("tenant"))},
        "/tenants/{tenant_id}/admins/{tenant_admin_id}/restore": {
            "POST": _op("restoreTenantAdmin", p.restore_admin("tenant"))},
        "/tenants/{tenant_id}/admins/{tenant_admin_id}/security_rights": {
            "POST": _op("assignTenantAdminSecurityRights", p.assign_rights("tenant"))},
        "/blobs": {"POST": _op("createBlob", b.create_blob)},
        "/blobs/{id}": {"GET": _op("getBlob", b.get_blob),
                        "PUT": _op("confirmBlob", b.confirm_blob)},
        "/blobs/{id}/public": {"GET": _public("getPublicBlob", b.get_public_blob)},
        "/blobs/{id}/redirect": {"GET": _public("redirectToBlob", b.redirect_to_blob)},
        "/orgs": {"GET": _op("listVisibleOrgs", t.list_visible_orgs)},
        "/orgs/{org_id}": {"GET": _op("getOrg", t.get_org), "PUT": _op("updateOrg", t.update_org),
                           "DELETE": _op("deleteOrg", t.delete_org)},
        "/orgs/{org_id}/archive": {"POST": _op("archiveOrg", t.archive_org)},
        "/orgs/{org_id}/restore": {"POST": _op("restoreOrg", t.restore_org)},
        "/orgs/{org_id}/logo": {"GET": _public("redirectToOrgLogo", d.org_logo)},
        "/orgs/{org_id}/security_rights": {"POST": _op("addOrgSecurityRights", t.add_org_rights)},
        "/orgs/{org_id}/security_rights/{security_rights}": {
            "DELETE": _op("removeOrgSecurityRights", t.remove_org_rights)},
        "/orgs/{org_id}/deployments": {"GET": _op("listDeployments", d.list_deployments),
                                       "POST": _op("createDeployment", d.create_deployment)},
        "/deployments/{id}": {"GET": _op("getDeployment", d.get_deployment),
                              "DELETE": _op("deleteDeployment", d.delete_deployment)},
        "/orgs/{org_id}/admins": {"GET": _op("listOrgAdmins", p.list_admins("org"))},
        "/orgs/{org_id}/admins/{org_admin_id}": {
            "GET": _op("getOrgAdmin", p.get_admin("org")),
            "DELETE": _op("removeOrgAdmin", p.remove_admin("org"))},
        "/orgs/{org_id}/admins/{org_admin_id}/archive": {
            "POST": _op("archiveOrgAdmin", p.archive_admin("org"))},
        "/orgs/{org_id}/admins/{org_admin_id}/restore": {
            "POST": _op("restoreOrgAdmin", p.restore_admin("org"))},
        "/orgs/{org_id}/admins/{org_admin_id}/security_rights": {
            "GET": _op("listOrgAdminSecurityRights", p.list_org_admin_rights),
            "POST": _op("assignOrgAdminSecurityRights", p.assign_rights("org"))},
        "/global_admins": {"GET": _op("listGlobalAdmins", p.list_admins("global"))},
        "/global_admins/{id}": {"GET": _op("getGlobalAdmin", p.get_admin("global")),
                                "DELETE": _op("removeGlobalAdmin", p.remove_admin("global"))},
        "/global_admins/{id}/archive": {
            "POST": _op("archiveGlobalAdmin", p.archive_admin("global"))},
        "/global_admins/{id}/restore": {
            "POST": _op("restoreGlobalAdmin", p.restore_admin("global"))},
        "/global_admins/{id}/security_rights": {
            "POST": _op("assignGlobalSecurityRights", p.assign_rights("global"))},
        "/global_admins/{id}/security_rights/{security_rights}": {
            "DELETE": _op("removeGlobalSecurityRights", p.remove_global_rights)},
        "/me": {"GET": _op("getMe", p.get_me), "PUT": _op("updateMe", x.update_me)},
        "/me/security_rights": {"GET": _op("getMySecurityRights", p.get_my_rights)},
        "/me/orgs": {"GET": _op("listMyOrgs", p.list_my_orgs)},
        "/security_rights": {"GET": Operation("listSecurityRights", t.list_security_rights,
                                              secured=False)},
    }


def served(table: Table) -> list[str]:
    """The operation ids this table serves."""
    return [op.name for methods in table.values() for op in methods.values()
            if op.handler is not None]
