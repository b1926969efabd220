"""The Transmit store: organizations, apps with their roles and role groups, API clients."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from .problems import Problem

EVERY_PERMISSION = ("organizations:create", "orgs:create", "organizations:read", "orgs:read",
                    "organizations:list", "orgs:list", "organizations:edit", "orgs:edit",
                    "organizations:delete", "orgs:delete")


def new_id(prefix: str) -> str:
    """A fresh id (our mock uses 21 lowercase alphanumerics; we use a prefixed uuid)."""
    return f"{prefix}-{uuid.uuid4().hex}"


def millis() -> int:
    """Now, in milliseconds since the epoch."""
    return int(time.time() * 1000)


@dataclass
class TransmitStore:
    """Everything Transmit holds."""

    organizations: dict[str, dict[str, Any]] = field(default_factory=dict)
    apps: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (app id, organization id) -> {"role_group_ids": [...], "role_ids": [...]}
    assigned: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)

    def organization(self, organization_id: str) -> dict[str, Any]:
        """An organization, or 404."""
        if organization_id not in self.organizations:
            raise Problem(404, "Organization could not be located.")
        return self.organizations[organization_id]

    def app(self, app_id: str) -> dict[str, Any]:
        """An application, or 404."""
        if app_id not in self.apps:
            raise Problem(404, "Application could not be located.")
        return self.apps[app_id]

    def name_taken(self, name: str, besides: str | None = None) -> bool:
        """Whether another organization has this name."""
        return any(o["name"] == name and i != besides for i, o in self.organizations.items())

    def add(self, values: dict[str, Any], app_ids: list[str]) -> dict[str, Any]:
        """Store a new organization built from validated input."""
        now = millis()
        domains = values.get("domains") or []
        org = {"organization_id": new_id("org"), "name": values["name"],
               "domain": values.get("domain") or (domains[0] if domains else ""),
               "domains": domains, "app_ids": app_ids, "enabled": values.get("enabled", True),
               "created_at": now, "updated_at": now, "managed_organizations_by_app": {}}
        if values.get("alias_name") is not None:
            org["alias_name"] = values["alias_name"]
        self.organizations[org["organization_id"]] = org
        return org


def _app(store: TransmitStore, n: int) -> str:
    app_id = f"app-{n}-{uuid.uuid5(uuid.NAMESPACE_URL, f'independent/app/{n}').hex[:12]}"
    roles = [{"role_id": f"{app_id}-role-{r}", "role_name": name, "app_id": app_id,
              "permissions": [f"{name}:use"], "description": f"{name} of app {n}"}
             for r, name in enumerate(("owner", "editor", "auditor"))]
    groups = [{"group_id": f"{app_id}-group-{g}", "name": f"group {g}", "roles": roles[g:g + 2]}
              for g in range(2)]
    store.apps[app_id] = {"roles": roles, "role_groups": groups,
                          "default_role_ids": [roles[-1]["role_id"]]}
    return app_id


def seed(store: TransmitStore) -> dict[str, str]:
    """Fill an empty store; returns the ids the personas need."""
    apps = [_app(store, n) for n in range(2)]
    orgs = [store.add({"name": f"Partner {chr(65 + n)}", "domains": [f"p{n}.example.org"]},
                      apps[: 1 + n % 2]) for n in range(6)]
    hub = orgs[0]
    for child in orgs[4:]:
        child["managing_organization_id"] = hub["organization_id"]
        hub["managed_organizations_by_app"].setdefault(apps[0], []).append(
            child["organization_id"])
    store.clients = {
        "mgmt": {"kind": "admin", "permissions": list(EVERY_PERMISSION), "organization_id": None},
        "reader": {"kind": "admin", "organization_id": None,
                   "permissions": ["organizations:read", "orgs:read", "organizations:list",
                                   "orgs:list"]},
        "hub-admin": {"kind": "org_admin", "organization_id": hub["organization_id"],
                      "permissions": ["organizations:create", "orgs:create",
                                      "organizations:read", "orgs:read"]},
        "idle": {"kind": "admin", "permissions": [], "organization_id": None}}
    return {"hub": hub["organization_id"], "app": apps[0]}
