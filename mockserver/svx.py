"""The SVX plugin: its named behaviours, on top of the generic engine."""

from __future__ import annotations

from types import MappingProxyType

from mockserver import svx_blobs, svx_invitations, svx_rights, svx_world
from mockserver.engine import ApiPlugin

PLUGIN = ApiPlugin(
    behaviours=MappingProxyType({
        "create_tenant": svx_world.create_tenant,
        "create_org": svx_world.create_org,
        "list_visible_orgs": svx_world.list_visible_orgs,
        "list_my_orgs": svx_world.list_my_orgs,
        "get_me": svx_world.get_me,
        "update_me": svx_world.update_me,
        "change_my_password": svx_world.change_my_password,
        "version": svx_world.version,
        "alive": svx_world.alive,
        "redirect_org_logo": svx_world.redirect_logo,
        "redirect_tenant_logo": svx_world.redirect_logo,
        "create_deployment": svx_world.create_deployment,
        "assign_global_rights": svx_rights.assign_global_rights,
        "assign_tenant_admin_rights": svx_rights.assign_tenant_admin_rights,
        "assign_org_admin_rights": svx_rights.assign_org_admin_rights,
        "remove_global_admin": svx_rights.remove_admin,
        "remove_tenant_admin": svx_rights.remove_admin,
        "remove_org_admin": svx_rights.remove_admin,
        "remove_global_rights": svx_rights.remove_global_rights,
        "list_org_admin_rights": svx_rights.list_admin_rights,
        "add_org_rights": svx_rights.add_entity_rights,
        "add_tenant_rights": svx_rights.add_entity_rights,
        "remove_org_rights": svx_rights.remove_entity_rights,
        "remove_tenant_rights": svx_rights.remove_entity_rights,
        "my_security_rights": svx_rights.my_security_rights,
        "list_security_rights": svx_rights.list_security_rights,
        "list_invitations": svx_invitations.list_invitations,
        "create_invitation": svx_invitations.create_invitation,
        "get_invitation": svx_invitations.get_invitation,
        "delete_invitation": svx_invitations.delete_invitation,
        "resend_invitation": svx_invitations.resend_invitation,
        "create_blob": svx_blobs.create_blob,
        "confirm_blob": svx_blobs.confirm_blob,
        "get_blob": svx_blobs.get_blob,
        "get_public_blob": svx_blobs.get_public_blob,
        "redirect_blob": svx_blobs.redirect_blob,
    }),
    routes=MappingProxyType(svx_blobs.ROUTES),
)
