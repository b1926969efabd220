"""The router: one match per request, literal paths first, the method decides between templates."""

from __future__ import annotations

import pytest

from mockserver.router import Router
from orgkit.specs import load_api


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(load_api("transmit").model)


@pytest.mark.parametrize(("method", "path", "operation", "params"), [
    ("GET", "/v1/organizations/name/apps", "getOrganizationByName",
     {"organization_name": "apps"}),
    ("PUT", "/v1/organizations/name/apps", "addAppsToOrganization", {"organization_id": "name"}),
    ("DELETE", "/v1/organizations/name/apps", "removeAppsFromOrganization",
     {"organization_id": "name"}),
    ("HEAD", "/v1/organizations/name/acme", "getOrganizationByName",
     {"organization_name": "acme"}),
    ("GET", "/v1/organizations/abc", "getOrganization", {"organization_id": "abc"}),
], ids=["literal-template-get", "other-template-put", "other-template-delete", "head-as-get",
        "one-template"])
def test_the_method_decides_between_matching_templates(
        router: Router, method: str, path: str, operation: str, params: dict[str, str]) -> None:
    match = router.match(method, path)
    assert match is not None and match.op is not None
    assert (match.op.operation_id, dict(match.params)) == (operation, params)


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("POST", "/v1/organizations/name/acme", ("GET",)),
    ("POST", "/v1/organizations/name/apps", ("GET",)),
    ("PATCH", "/v1/organizations/abc", ("DELETE", "GET", "PUT")),
], ids=["only-literal-template", "no-template-has-it", "one-template"])
def test_a_method_no_match_has_is_refused_with_the_first_matchs_methods(
        router: Router, method: str, path: str, allowed: tuple[str, ...]) -> None:
    match = router.match(method, path)
    assert match is not None and match.op is None and match.allowed == allowed


def test_a_path_no_template_matches_is_not_found(router: Router) -> None:
    assert router.match("GET", "/v1/nothing/here") is None
