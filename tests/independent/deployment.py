"""The whole independent implementation as one ASGI app, and the personas file that fits it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .credentials import issue
from .routing import router
from .svx_access import Access
from .svx_api import served, svx_table
from .svx_data import SvxStore
from .svx_data import seed as seed_svx
from .transmit_api import Transmit
from .transmit_data import TransmitStore
from .transmit_data import seed as seed_transmit

# Planted bugs the tests can switch on, one at a time (see test_planted_bugs.py).
FLAWS = ("svx-401-bare", "transmit-403-foreign", "hidden-org", "page-size-ignored",
         "cross-tenant-read", "uuid-crash", "unconfined-org-admin", "hidden-organization",
         "invitation-any-context", "invitation-open-create", "org-rights-any-tenant",
         "blob-any-reader", "grants-unchecked", "logo-without-location")


@dataclass(frozen=True)
class Mounts:
    """Both APIs under their server paths. (Starlette's Mount matches `.*`, which stops at a
    newline, so an encoded %0A in an id would miss the API and its error shape.)"""

    apis: dict[str, ASGIApp]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        for prefix, app in self.apis.items():
            if path == prefix or path.startswith(prefix + "/"):
                root = scope.get("root_path", "") + prefix
                await app({**scope, "root_path": root}, receive, send)
                return
        if scope["type"] == "http":
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)


@dataclass(frozen=True)
class Deployment:
    """A served implementation: the app, its stores and what it serves."""

    app: Mounts
    svx: SvxStore
    transmit: TransmitStore
    ids: dict[str, str]
    operations: dict[str, tuple[str, ...]]

    def personas(self) -> dict[str, Any]:
        """An orgkit-personas/1 document stating the facts of this deployment's users."""
        return {"format": "orgkit-personas/1", "personas": {**self._svx(), **self._transmit()}}

    def write_personas(self, folder: Path) -> Path:
        """The personas file, written into a folder."""
        path = folder / "independent-personas.json"
        path.write_text(json.dumps(self.personas(), indent=1))
        return path

    def _svx(self) -> dict[str, Any]:
        i = self.ids
        casts = {"global-admin": ("root", None, i["org_a1"]),
                 "tenant-admin": ("tenant-a", i["tenant_a"], i["org_a1"]),
                 "other-tenant-admin": ("tenant-b", i["tenant_b"], i["org_b1"]),
                 "org-admin": ("org-a1", i["tenant_a"], i["org_a1"]),
                 "no-rights": ("nobody", i["tenant_a"], i["org_a1"]),
                 "global-assigner": ("assigner", None, i["org_a1"])}
        return {name: self._svx_persona(i[f"user_{label}"], tid, org, name)
                for name, (label, tid, org) in casts.items()}

    def _svx_persona(self, user: str, tid: str | None, org: str, name: str) -> dict[str, Any]:
        rights: dict[str, Any] = {"global": [], "tenants": {}, "orgs": {}}
        for (kind, scope, holder), record in self.svx.admins.items():
            if holder != user or record["status"] != "active":
                continue
            if kind == "global":
                rights["global"] = list(record["security_rights"])
            else:
                rights[f"{kind}s"][scope] = list(record["security_rights"])
        claims = {} if tid is None else {"tid": tid}
        return {"api": "svx", "token": issue("svx", user, **claims), "sub": user, "tid": tid,
                "tenant_id": tid or self.ids["tenant_a"], "org_id": org, "rights": rights,
                "description": f"independent implementation: {name}"}

    def _transmit(self) -> dict[str, Any]:
        names = {"mgmt": "management-app", "reader": "readonly-app",
                 "hub-admin": "transmit-org-admin", "idle": "transmit-no-permissions"}
        return {names[client_id]: {
            "api": "transmit", "token": issue("transmit", client_id), "kind": client["kind"],
            "permissions": list(client["permissions"]),
            "organization_id": client["organization_id"],
            "description": f"independent implementation: client {client_id}"}
            for client_id, client in self.transmit.clients.items()}


def build(flaws: frozenset[str] = frozenset()) -> Deployment:
    """A fresh deployment with its starting data; `flaws` switches on planted bugs (names in
    FLAWS) or allowed variants (see paging.Ordering)."""
    svx, transmit = SvxStore(), TransmitStore()
    ids = {**seed_svx(svx), **seed_transmit(transmit)}
    table, handlers = svx_table(Access(svx, flaws)), Transmit(transmit, flaws)
    app = Mounts({"/svx": router("svx", table, flaws),
                  "/cis": router("transmit", handlers.table(), flaws)})
    return Deployment(app, svx, transmit, ids,
                      {"svx": tuple(served(table)), "transmit": tuple(served(handlers.table()))})
