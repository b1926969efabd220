"""Escalation the declared rules refuse: laundering, UUID case, and tokens of the wrong API.

Hardening issue items 10 and 11; the rules are `x-orgkit-grants` and `x-orgkit.auth` in the
specs, and the mock enforces them from the declaration.
"""

from __future__ import annotations

import pytest

from tests.mockserver.mocksupport import (
    ORG_A1,
    ORG_ADMIN,
    TENANT_A,
    TENANT_ADMIN,
    Api,
    expect,
    expect_error,
)

SECOND_ACCOUNT = "5b0c1e8e-2d7f-4f6a-9a57-6c1d2e3f4a5b"  # a user the org admin controls
VIEW_ORG = "atom:org:view_org"
ASSIGN_ORG = "atom:org:assign_org_sr_to_user"


def org_assigner_only(api: Api) -> None:
    """The org admin of A1 holds only the right to assign org rights (not view_org)."""
    record = dict(api.svx["org_admins"].get((ORG_A1, ORG_ADMIN)))
    record["security_rights"] = [ASSIGN_ORG]
    api.svx["org_admins"].put(record)


def org_rights(api: Api, user: str) -> list[str]:
    """The user's rights on A1 (none when there is no record)."""
    record = api.svx["org_admins"].get((ORG_A1, user))
    return [] if record is None else list(record["security_rights"])


def test_self_assignment_through_the_upper_case_uuid_is_refused(api: Api) -> None:
    org_assigner_only(api)
    url = f"/svx/orgs/{ORG_A1}/admins/{ORG_ADMIN.upper()}/security_rights"
    expect_error(api.post(url, as_="org-admin", json={"security_rights": [VIEW_ORG]}), 403)
    assert org_rights(api, ORG_ADMIN) == [ASSIGN_ORG]
    assert api.svx["org_admins"].get((ORG_A1, ORG_ADMIN.upper())) is None  # no phantom admin


def test_an_upper_case_uuid_names_the_same_admin(api: Api) -> None:
    url = f"/svx/orgs/{ORG_A1.upper()}/admins/{SECOND_ACCOUNT.upper()}/security_rights"
    expect(api.post(url, as_="tenant-admin", json={"security_rights": [VIEW_ORG]}), 204)
    assert org_rights(api, SECOND_ACCOUNT) == [VIEW_ORG]
    assert api.svx["org_admins"].get((ORG_A1, SECOND_ACCOUNT.upper())) is None


def test_laundering_through_a_second_account_is_refused(api: Api) -> None:
    org_assigner_only(api)
    url = f"/svx/orgs/{ORG_A1}/admins/{SECOND_ACCOUNT}/security_rights"
    expect_error(api.post(url, as_="org-admin",
                          json={"security_rights": [VIEW_ORG, ASSIGN_ORG]}), 403)
    assert org_rights(api, SECOND_ACCOUNT) == []
    # Had it worked, the second account would now hand view_org back to the org admin.
    back = f"/svx/orgs/{ORG_A1}/admins/{ORG_ADMIN}/security_rights"
    expect_error(api.client.post(back, headers=api.bearer(SECOND_ACCOUNT, TENANT_A),
                                 json={"security_rights": [VIEW_ORG]}), 403)
    assert org_rights(api, ORG_ADMIN) == [ASSIGN_ORG]


def test_an_org_assigner_passes_on_rights_it_holds(api: Api) -> None:
    url = f"/svx/orgs/{ORG_A1}/admins/{SECOND_ACCOUNT}/security_rights"
    expect(api.post(url, as_="org-admin", json={"security_rights": [VIEW_ORG]}), 204)
    assert org_rights(api, SECOND_ACCOUNT) == [VIEW_ORG]


def test_a_wider_authority_grants_what_it_does_not_hold_itself(api: Api) -> None:
    # The tenant admin holds no org right on A1, but assigns org rights through its tenant.
    url = f"/svx/orgs/{ORG_A1}/admins/{SECOND_ACCOUNT}/security_rights"
    expect(api.post(url, as_="tenant-admin", json={"security_rights": [VIEW_ORG]}), 204)


def test_a_tenant_admin_cannot_self_assign_in_an_org_it_holds_nothing_in(api: Api) -> None:
    url = f"/svx/orgs/{ORG_A1}/admins/{TENANT_ADMIN.upper()}/security_rights"
    expect_error(api.post(url, as_="tenant-admin", json={"security_rights": [VIEW_ORG]}), 403)
    assert org_rights(api, TENANT_ADMIN) == []


# Item 10: one signing key, two APIs; a token names which API it belongs to.
WRONG_API = [
    ("transmit-token-on-svx-read", "management-app", "GET", "/svx/invitations"),
    ("transmit-token-on-svx-guarded", "management-app", "GET", f"/svx/tenants/{TENANT_A}"),
    ("transmit-token-on-svx-me", "readonly-app", "GET", "/svx/me"),
    ("svx-token-on-transmit", "global-admin", "GET", "/cis/v1/organizations"),
]


@pytest.mark.parametrize(("persona", "method", "url"), [c[1:] for c in WRONG_API],
                         ids=[c[0] for c in WRONG_API])
def test_a_token_of_the_other_api_is_401(api: Api, persona: str, method: str, url: str) -> None:
    body = expect_error(api.call(method, url, as_=persona), 401)
    assert "token" in str(body).lower()


def test_an_upper_case_uuid_header_names_the_same_org(api: Api) -> None:
    lower = expect(api.get("/svx/applications", as_="org-admin",
                           headers={"Meeco-Organisation-Id": ORG_A1}), 200)
    upper = expect(api.get("/svx/applications", as_="org-admin",
                           headers={"Meeco-Organisation-Id": ORG_A1.upper()}), 200)
    assert upper == lower
