"""The x-orgkit rights vocabulary: scopes, scope references, requirements and the rights and
grant rules of an operation, as frozen values (evaluated by orgkit/rights.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    """Where a right applies."""

    GLOBAL = "global"
    TENANT = "tenant"
    ORG = "org"
    PERMISSION = "permission"


class RightsMode(StrEnum):
    """How an operation is protected (see specs/README.md)."""

    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    ANY_OF = "any_of"
    MEMBERSHIP = "membership"
    OWNER = "owner"
    VISIBILITY = "visibility"
    CONTEXT = "context"


class SourceKind(StrEnum):
    """Where the id of a scope is read from."""

    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    PARENT_TENANT_OF = "parent-tenant-of"
    JWT = "jwt"
    ITEM = "item"


@dataclass(frozen=True)
class ScopeRef:
    """A reference such as `path:org_id` or `parent-tenant-of:path:org_id`."""

    kind: SourceKind
    name: str
    inner: ScopeRef | None = None

    def __str__(self) -> str:
        if self.inner is not None:
            return f"{self.kind}:{self.inner}"
        return f"{self.kind}:{self.name}"


@dataclass(frozen=True)
class Requirement:
    """One qualifying right: its name, scope and where the scope's id comes from."""

    right: str
    scope: Scope
    source: ScopeRef | None = None


@dataclass(frozen=True)
class ContextRule:
    """Where the caller selects the context it acts in (mode context): tenant, then org."""

    tenant: ScopeRef | None = None
    org: ScopeRef | None = None
    # Whether "the caller must hold a right in the context" is our reading (the seed may only
    # say that the organisation must lie in the selected tenant).
    membership_inferred: bool = False


@dataclass(frozen=True)
class RightsRule:
    """Who may call an operation."""

    mode: RightsMode
    any_of: tuple[Requirement, ...] = ()
    token_kinds: tuple[str, ...] = ()
    org_confined_to: ScopeRef | None = None
    inferred: bool = False
    note: str = ""
    context: ContextRule | None = None

    @property
    def needs_token(self) -> bool:
        """Whether a request without credentials must be refused."""
        return self.mode is not RightsMode.PUBLIC

    @property
    def can_forbid(self) -> bool:
        """Whether a valid token can still be refused with 403."""
        return self.mode in (RightsMode.ANY_OF, RightsMode.MEMBERSHIP, RightsMode.CONTEXT)


@dataclass(frozen=True)
class GrantRule:
    """Who may hand out which security rights through an assign operation (x-orgkit-grants)."""

    grantee: ScopeRef  # the user who receives the rights
    scope: Scope  # where the granted rights apply; held rights are compared there
    source: ScopeRef | None = None  # the id of that scope (None: global)
    # Catalogue level (a right's for_<level> flag) -> the rights that allow granting it here.
    levels: tuple[tuple[str, tuple[Requirement, ...]], ...] = ()
    inferred: bool = False
    note: str = ""
