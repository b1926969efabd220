"""The contract suite catches broken implementations: one realistic fault at a time.

Each fault is the mock with one behaviour a vendor might get wrong (tests/contract_tests/
faults.py). The suite must fail on it in the right family and check, naming the right
operation. The mutation score (caught / total) is printed at the end of the run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contract_tests.results import Outcome  # noqa: E402
from mockserver.app import create_app  # noqa: E402
from tests.contract_tests import faults as f
from tests.contract_tests.asgi_live import describe, failed, personas_file, run_family, serving

FAULTS = [
    f.Fault("rights never enforced", "rights", "rights_enforced", "getOrg", "svx",
            f.rights_never_enforced, "every authenticated user may do everything"),
    f.Fault("another tenant's reads allowed", "rights", "tenant_isolation", "getOrg", "svx",
            f.cross_tenant_reads, "GETs skip the rights check"),
    f.Fault("visible-orgs list leaks other tenants", "rights", "tenant_isolation",
            "listVisibleOrgs", "svx", f.visible_list_leaks, "the list ignores visibility"),
    f.Fault("org-admin token not confined", "rights", "rights_enforced",
            "createManagedOrganization", "transmit", f.org_admin_not_confined,
            "a Transmit org-admin token acts on other organizations",
            helpers=("getAllOrganizations", "createOrganization")),
    f.Fault("403 for a missing token", "rights", "unauthenticated_refused", "getOrg", "svx",
            f.forbidden_for_missing_token, "no credentials answered like missing rights"),
    f.Fault("per_page ignored", "pagination", "page_size_respected", "listTenantOrgs", "svx",
            f.per_page_ignored, "every page has the default size"),
    f.Fault("items repeated across pages", "pagination", "pages_are_disjoint",
            "listTenantOrgs", "svx", f.off_by_one_pages, "page N starts one item early"),
    f.Fault("order=desc ignored", "pagination", "order_respected", "listTenantOrgs", "svx",
            f.desc_ignored, "lists always come ascending"),
    f.Fault("page with cursor accepted", "pagination", "combined_paging_rejected",
            "listTenants", "svx", f.page_and_cursor_accepted, "the cursor is silently dropped"),
    f.Fault("cursor never ends", "pagination", "cursor_chain_terminates", "listTenantOrgs",
            "svx", f.cursor_never_ends, "the last page still hands out a cursor"),
    f.Fault("meta total off by one", "pagination", "meta_totals_agree", "listTenantOrgs", "svx",
            f.meta_total_off, "meta.total_count disagrees with the items"),
    f.Fault("errors in another shape", "conformance", "error_shape_matches", "getOrg", "svx",
            f.errors_in_other_shape, 'errors come as {"detail": ...}'),
    f.Fault("http_code disagrees with the status", "errors", "unknown_path_not_found",
            "getOrg", "svx", f.wrong_http_code, "error bodies always say http_code 400"),
    f.Fault("stack trace on malformed JSON", "errors", "malformed_json_rejected", "createTenant",
            "svx", f.crash_on_malformed_json, "a body that is not JSON crashes the server"),
    f.Fault("request bodies not validated", "conformance", "negative_data_rejection",
            "createTenant", "svx", f.tenant_bodies_not_validated,
            "POST /tenants creates a tenant whatever the body"),
    f.Fault("405 without Allow", "errors", "unsupported_method_405", "getOrg", "svx",
            f.no_allow_header, "405 answers omit the Allow header"),
    f.Fault("escalation allowed", "rights", "self_escalation_refused",
            "assignOrgAdminSecurityRights", "svx", f.escalation_allowed,
            "anyone who may assign grants anything to anyone, themself included",
            helpers=("getOrg", "listSecurityRights"), verdict="advisory"),
    f.Fault("invitation outside context", "rights", "invitation_context_enforced",
            "createInvitation", "svx", f.invitation_outside_context,
            "a tenant admin invites into another tenant's organisation"),
    f.Fault("invitations open to anyone", "rights", "context_membership_required",
            "createInvitation", "svx", f.invitations_open_to_anyone,
            "a user holding no right in its context invites admins into it", verdict="advisory"),
    f.Fault("another API's token accepted", "rights", "foreign_token_refused", "getOrg", "svx",
            f.foreign_token_accepted, "a Transmit access token authenticates on SVX"),
    f.Fault("SVX 401 in a foreign shape", "rights", "unauthenticated_refused", "getOrg", "svx",
            f.svx_401_foreign_shape, '401 bodies are {"error", "message"} only'),
    f.Fault("Transmit 401 in a foreign shape", "rights", "unauthenticated_refused",
            "getOrganization", "transmit", f.transmit_401_foreign_shape,
            '401 bodies are {"detail": ...}',
            helpers=("getAllOrganizations", "createOrganization")),
    f.Fault("Transmit 403 in a foreign shape", "rights", "rights_enforced",
            "createManagedOrganization", "transmit", f.transmit_403_foreign_shape,
            '403 bodies are {"statusCode", "error"}',
            helpers=("getAllOrganizations", "createOrganization")),
    f.Fault("404 for an allowed reader of an existing resource", "rights",
            "qualified_caller_allowed", "getOrg", "svx", f.org_reads_not_found,
            "GET /orgs/{id} answers 404 for organisations that exist"),
    f.Fault("valid body with an optional field refused", "conformance",
            "positive_data_acceptance", "createTenant", "svx", f.optional_field_refused,
            "POST /tenants answers 400 to a body carrying the optional legal_name"),
    f.Fault("child found under another parent", "authorization", "wrong_parent_not_found",
            "getOrgAdmin", "svx", f.children_found_under_any_parent,
            "an org's admin is found under any org's path",
            helpers=("getOrg", "listSecurityRights", "assignOrgAdminSecurityRights")),
    f.Fault("refused create still stored", "authorization", "refused_create_leaves_nothing",
            "createOrg", "svx", f.refused_creates_stored,
            "a create refused with 403 is carried out anyway", helpers=("listTenantOrgs",)),
    f.Fault("undeclared body fields stored", "authorization", "read_only_fields_ignored",
            "createOrg", "svx", f.undeclared_fields_stored,
            "createOrg stores id, status, timestamps and tenant_id from the body",
            verdict="advisory"),
    f.Fault("body organization_id stored", "authorization", "read_only_fields_ignored",
            "createOrganization", "transmit", f.undeclared_fields_stored,
            "createOrganization stores organization_id and timestamps from the body",
            helpers=("getAllOrganizations", "getOrganization"), verdict="advisory"),
    f.Fault("odd path ids crash the server", "authorization", "odd_path_ids_rejected",
            "getOrg", "svx", f.odd_ids_crash, "a 10 kB or non-ASCII id answers 500"),
    f.Fault("existence checked before rights", "authorization", "existence_not_revealed",
            "getOrg", "svx", f.existence_checked_first,
            "404 for a random id but 403 for another tenant's existing one", verdict="advisory"),
    f.Fault("reads served stale", "rights", "rights_follow_state", "getOrg", "svx",
            f.stale_reads, "GET answers cached per token and never refreshed after a write",
            helpers=("createOrg", "assignOrgAdminSecurityRights", "removeOrgAdmin",
                     "listSecurityRights")),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[x.name for x in FAULTS])
def test_suite_catches(fault: f.Fault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                       request: pytest.FixtureRequest) -> None:
    app = create_app()
    broken = fault.apply(app, monkeypatch.setattr)
    with serving(broken) as origin:
        results = run_family(origin, fault.api, fault.family, personas_file(origin, tmp_path),
                             operations=fault.operations)
    caught = failed(results, fault.check, fault.operation, Outcome(fault.verdict)) is not None
    request.config.stash.setdefault(f.SCORE_KEY, {})[fault.name] = caught
    assert caught, (f"{fault.name} ({fault.description}) was not caught ({fault.verdict}) by "
                    f"{fault.family}/{fault.check} on {fault.operation}; "
                    f"failures were:\n{describe(results) or '(none)'}")



CONTROLS = sorted({(x.api, x.family, x.operations) for x in FAULTS})


@pytest.mark.parametrize(("api", "family", "operations"), CONTROLS,
                         ids=[f"{a}-{fam}-{ops[0]}" for a, fam, ops in CONTROLS])
def test_faithful_mock_passes_the_same_checks(api: str, family: str,
                                              operations: tuple[str, ...],
                                              tmp_path: Path) -> None:
    operation = operations[0]
    with serving(create_app()) as origin:
        results = run_family(origin, api, family, personas_file(origin, tmp_path),
                             operations=operations)
    # The faithful mock owes no advisory either: it follows our inferences as well.
    assert not [r for r in results if r.outcome in (Outcome.FAIL, Outcome.ADVISORY)], \
        describe(results)
    assert any(r.operation_id == operation and r.outcome.value == "pass" for r in results)
