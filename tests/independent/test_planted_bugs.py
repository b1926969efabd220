"""Planted bugs: each broken variant of the independent implementation must fail the suite,
and for the right check. Cases whose check does not exist yet are strict xfails naming the
blind spot (issue 11), so they turn into failures the day a check catches them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from contract_tests.results import Outcome
from tests.contract_tests.asgi_live import describe, failed, run_family, serving

from .certify import SEED  # noqa: E402
from .deployment import FLAWS, build  # noqa: E402


@dataclass(frozen=True)
class Planted:
    """A bug, where the suite must look and which check must fail."""

    flaw: str
    api: str
    family: str
    operations: tuple[str, ...]
    check: str
    blind_spot: str = ""
    outcome: Outcome = Outcome.FAIL  # ADVISORY where the broken rule is our inference


CASES = [
    Planted("page-size-ignored", "svx", "pagination", ("listTenantOrgs",),
            "page_size_respected"),
    Planted("cross-tenant-read", "svx", "rights", ("getOrg",), "tenant_isolation"),
    Planted("uuid-crash", "svx", "errors", ("getTenant",), "invalid_uuid_rejected"),
    Planted("unconfined-org-admin", "transmit", "rights",
            ("createManagedOrganization", "getAllOrganizations", "createOrganization"),
            "rights_enforced"),
    Planted("hidden-organization", "transmit", "workflows",
            ("createOrganization", "getOrganization"), "ensure_resource_availability"),
    Planted("hidden-org", "svx", "workflows", ("createOrg", "getOrg"),
            "ensure_resource_availability",
            "Schemathesis' ensure_resource_availability applies only where the linked path "
            "extends the creating POST's path; createOrg (POST /tenants/{tenant_id}/orgs) -> "
            "getOrg (GET /orgs/{org_id}) never qualifies, so a 404 for a new org passes"),
    Planted("svx-401-bare", "svx", "rights", ("listTenants",), "unauthenticated_refused"),
    # Only org-admin tokens on another organization earn a Transmit 403 (other refusals of the
    # token kind are 401s), so the bug shows where org-admin tokens are taken at all.
    Planted("transmit-403-foreign", "transmit", "rights",
            ("createManagedOrganization", "getAllOrganizations", "createOrganization"),
            "rights_enforced"),
    Planted("hidden-org", "svx", "rights", ("getOrg",), "qualified_caller_allowed"),
    # the spec has no accept/decline operation: managing another tenant's invitation is the
    # nearest "wrong user" bug
    Planted("invitation-any-context", "svx", "rights",
            ("createInvitation", "deleteInvitation", "getInvitation"),
            "invitation_context_enforced"),
    # membership of the context is inferred (membership_inferred): an advisory, not a failure
    Planted("invitation-open-create", "svx", "rights", ("createInvitation",),
            "context_membership_required", outcome=Outcome.ADVISORY),
    Planted("org-rights-any-tenant", "svx", "rights",
            ("createOrg", "listSecurityRights", "addOrgSecurityRights"),
            "tenant_isolation"),
    # owner mode: another user's blob is a 404 ("only ... the same user who retrieved the
    # upload URL")
    Planted("blob-any-reader", "svx", "rights", ("createBlob", "confirmBlob", "getBlob"),
            "rights_enforced"),
    # the grant rules are inferred: handing oneself a right is an advisory, not a failure
    Planted("grants-unchecked", "svx", "rights",
            ("listSecurityRights", "getOrg", "assignOrgAdminSecurityRights"),
            "self_escalation_refused",
            outcome=Outcome.ADVISORY),
    # a redirect SHOULD carry Location (RFC 9110 15.4); its declaration is our reconstruction
    Planted("logo-without-location", "svx", "conformance", ("redirectToOrgLogo",),
            "positive_data_acceptance", outcome=Outcome.ADVISORY),
]


def _param(case: Planted) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case.blind_spot)] if case.blind_spot else []
    return pytest.param(case, id=f"{case.flaw}-{case.check}", marks=marks)


def test_every_flaw_is_planted_somewhere() -> None:
    """The table exercises every flaw the deployment offers."""
    assert {c.flaw for c in CASES} == set(FLAWS)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_the_suite_catches_the_planted_bug(case: Planted, tmp_path: Path) -> None:
    """The named check fails on the operation where the bug lives."""
    deployment = build(frozenset({case.flaw}))
    personas = deployment.write_personas(tmp_path)
    with serving(deployment.app) as origin:
        results = run_family(origin, case.api, case.family, personas, case.operations, SEED)
    caught = [failed(results, case.check, op, case.outcome) for op in case.operations]
    assert any(caught), f"{case.check} was not {case.outcome}; failures:\n{describe(results)}"
