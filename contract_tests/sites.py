"""Where the suite aims its requests: the home and away personas and their sites (tenant and
organisation), the names carrying scope ids, and the operations a run selects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contract_tests.personas import Persona
from contract_tests.requests import SetupFailed
from contract_tests.suite import Suite
from orgkit.model import ApiModel, Operation
from orgkit.rightsrules import RightsMode, Scope, SourceKind

# Preferred by name; otherwise chosen by what the personas file says they hold.
HOME_PERSONA = "tenant-admin"  # its tenant and organisation: where requests are aimed
AWAY_PERSONA = "other-tenant-admin"  # another tenant: the target of cross-tenant requests
MUTATING = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Site:
    """The tenant and organisation a request is aimed at (both None for Transmit)."""

    tenant_id: str | None = None
    org_id: str | None = None

    def scope_id(self, scope: Scope | None) -> str | None:
        """The site's id in a scope: its tenant (the outer scope) or its organisation."""
        return {Scope.TENANT: self.tenant_id, Scope.ORG: self.org_id}.get(scope) \
            if scope is not None else None


def scope_fields(model: ApiModel) -> dict[str, Scope]:
    """Parameter and item field names carrying a tenant or an organisation id, from the rights
    rules' sources and the scope nesting (`workspace_id` is a tenant where the document says
    so); `tenant_id` and `org_id` are the rights model's own words."""
    found = {"tenant_id": Scope.TENANT, "org_id": Scope.ORG}
    nesting = model.scopes.get(Scope.ORG)
    if nesting is not None:
        found.setdefault(nesting.tenant_field, Scope.TENANT)
    for op in model.operations:
        for req in op.rights.any_of:
            ref = req.source
            if ref is None or req.scope not in (Scope.TENANT, Scope.ORG):
                continue
            if ref.kind is SourceKind.PARENT_TENANT_OF and ref.inner is not None:
                found.setdefault(ref.inner.name, Scope.ORG)
            elif ref.kind in (SourceKind.PATH, SourceKind.QUERY, SourceKind.HEADER):
                found.setdefault(ref.name, req.scope)
    return found


def selected_operations(suite: Suite) -> list[Operation]:
    """The API's operations the run covers, in spec order."""
    return [op for op in suite.api.model.operations if suite.config.selects(op.operation_id)]


def fresh_for_each_caller(op: Operation) -> bool:
    """Whether each caller needs its own disposable item: changes, and reads of items any
    authenticated user may address (such an item may exist only in its creator's context)."""
    rule = op.resource
    addressed = rule is not None and rule.id_ref is not None
    return op.method in MUTATING or (op.rights.mode is RightsMode.AUTHENTICATED and addressed)


def require_selected(suite: Suite, *ops: Operation) -> None:
    """SetupFailed naming the first operation --operation left out: a focused run never calls
    operations it did not select (only cleanup does, best effort)."""
    for op in ops:
        if not suite.config.selects(op.operation_id):
            raise SetupFailed(f"operation {op.operation_id} not selected (--operation), and "
                              "this check needs it")


def tenant_admins(personas: Mapping[str, Persona]) -> list[Persona]:
    """Personas holding rights in their own tenant and no global rights, in file order."""
    return [p for p in personas.values() if p.tenant_id and not p.grants.global_rights
            and p.grants.tenant_rights.get(p.tenant_id)]


def home_persona(personas: Mapping[str, Persona]) -> Persona | None:
    """Whose tenant and organisation requests aim at: tenant-admin, else a tenant admin (with
    an organisation first), else any persona with a tenant."""
    admins = sorted(tenant_admins(personas), key=lambda p: p.org_id is None)
    return personas.get(HOME_PERSONA) or next(iter(admins), None) or next(
        (p for p in personas.values() if p.tenant_id), None)


def away_persona(personas: Mapping[str, Persona], home_tenant: str | None) -> Persona | None:
    """An admin of another tenant than home's: other-tenant-admin, else the first found."""
    named = personas.get(AWAY_PERSONA)
    if named is not None and named.tenant_id != home_tenant:
        return named
    return next((p for p in tenant_admins(personas) if p.tenant_id != home_tenant), None)
