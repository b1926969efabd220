"""Who may hand out which rights (the inferred x-orgkit-grants rules of the three assign
operations): a right of a level needs that level's assign right (checked before the 422s); a
right the caller does not hold in the granted scope never goes to the caller itself, and to
another user only when the caller qualifies by a right of a wider scope (checked after)."""

from __future__ import annotations

from .problems import Problem
from .svx_access import Access, Grant


class Grants:
    """The grant rules over one store."""

    def __init__(self, access: Access) -> None:
        self.access, self.store = access, access.store

    def _levels(self, kind: str, scope: str) -> dict[str, list[Grant]]:
        """Per catalogue level: the rights one of which a caller needs to grant that level."""
        levels: dict[str, list[Grant]] = {
            "global": [("atom:global:assign_global_sr_to_user", "global", "")]}
        if kind == "org":
            levels["tenant"] = [("atom:tenant:assign_org_sr_to_user", "tenant",
                                 self.access.parent(scope)),
                                ("atom:global:assign_org_sr_to_user", "global", "")]
        return levels

    def check_levels(self, user: str, kind: str, scope: str, names: list[str]) -> None:
        """403 for a right of a level the caller may not hand out here."""
        for name in names:
            right = self.store.right(name) or {}
            for level, grants in self._levels(kind, scope).items():
                if right.get(f"for_{level}") and not self.access.holds(user, grants):
                    raise Problem(403, f"You may not hand out {level}-level rights here.",
                                  security_right=name)

    def _wider(self, user: str, kind: str, scope: str) -> bool:
        """Whether the caller qualifies by a right of a wider scope than the granted one."""
        return kind == "org" and self.access.holds(user, [
            ("atom:tenant:assign_org_sr_to_user", "tenant", self.access.parent(scope)),
            ("atom:global:assign_org_sr_to_user", "global", "")])

    def check_holding(self, user: str, grantee: str, kind: str, scope: str,
                      names: list[str]) -> None:
        """403 for a right the caller lacks in the scope, unless a wider authority passes it
        to someone else (user ids compared in canonical lower case)."""
        held = self.store.held(user, kind, scope)
        missing = [n for n in names if n not in held]
        if not missing or "grants-unchecked" in self.access.flaws:  # planted: anything goes
            return
        if grantee.lower() == user.lower() or not self._wider(user, kind, scope):
            raise Problem(403, f"You cannot hand out '{missing[0]}', which you do not hold "
                               "here.", security_right=missing[0])
