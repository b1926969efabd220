"""Who may do what in SVX: x-orgkit-rights rules shared by several handlers, on the store."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .problems import Problem
from .svx_data import SvxStore

Grant = tuple[str, str, str | None]  # (right, scope kind, scope id: None when unknown)


@dataclass(frozen=True)
class Access:
    """Rights decisions over one store; `flaws` plants authorization bugs for the tests."""

    store: SvxStore
    flaws: frozenset[str] = frozenset()

    def holds(self, user: str, grants: Iterable[Grant]) -> bool:
        """Whether the user holds one of the grants in its scope."""
        return any(right in self.store.held(user, kind, scope) for right, kind, scope in grants)

    def require(self, user: str, grants: Iterable[Grant]) -> None:
        """403 unless the user holds one of the grants."""
        if not self.holds(user, list(grants)):
            raise Problem(403, "Your security rights do not cover this action.")

    def parent(self, org_id: str) -> str | None:
        """The tenant of an organisation (None when there is no such organisation)."""
        org = self.store.orgs.get(org_id)
        return self.store.graves.get(org_id) if org is None else str(org["tenant_id"])

    def org_readers(self, org_id: str) -> list[Grant]:
        """getOrg's rule."""
        return [("atom:global:view_all_orgs", "global", ""),
                ("atom:tenant:view_tenant_orgs", "tenant", self.parent(org_id)),
                ("atom:org:view_org", "org", org_id)]

    def org_managers(self, org_id: str) -> list[Grant]:
        """The rule of update/archive/restore/deleteOrg (create_org on the parent tenant)."""
        return [("atom:tenant:create_org", "tenant", self.parent(org_id))]

    def sees_org(self, user: str, org: dict[str, object]) -> bool:
        """listVisibleOrgs' per-item rule."""
        return self.holds(user, [("atom:global:view_all_tenants", "global", ""),
                                 ("atom:tenant:view_tenant_orgs", "tenant", str(org["tenant_id"])),
                                 ("atom:org:view_org", "org", str(org["id"]))])

    def reads_org(self, user: str, org_id: str) -> None:
        """getOrg's check, with the planted cross-tenant flaw."""
        if "cross-tenant-read" in self.flaws and any(
                "atom:tenant:view_tenant_orgs" in self.store.held(user, "tenant", t)
                for t in self.store.tenants):
            return
        self.require(user, self.org_readers(org_id))
