"""Transmit organization names are unique as names (not as byte strings), ids and shapes alike."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.mockserver.mocksupport import Api, error_message, expect, expect_error, transmit_items

ORGS = "/cis/v1/organizations"
APP = transmit_items("apps")[0]["app_id"]
EXISTING = transmit_items("organizations")[0]
NAME = "Café Nord"  # composed é (NFC)
BODY = {"domain": "nord.example", "domains": ["nord.example"], "app_ids": [APP], "enabled": True}

SAME_NAMES = [
    ("exact", NAME),
    ("decomposed-nfd", "Cafe\u0301 Nord"),
    ("upper-case", "CAFÉ NORD"),
    ("trailing-space", NAME + " "),
    ("leading-and-double-space", "  Café  Nord"),
    ("zero-width-space", "Caf\u200bé Nord"),
    ("fullwidth", "Ｃａｆé Ｎｏｒｄ"),
]


def _create(api: Api, name: Any, **changes: Any) -> Any:
    return api.post(ORGS, as_="management-app", json={**BODY, "name": name, **changes})


@pytest.mark.parametrize("variant", [c[1] for c in SAME_NAMES], ids=[c[0] for c in SAME_NAMES])
def test_a_variant_of_a_taken_name_is_409(api: Api, variant: str) -> None:
    expect(_create(api, NAME), 201)
    body = expect_error(_create(api, variant), 409)
    assert "already taken by 'Café Nord'" in error_message(body)


def test_distinct_names_are_still_accepted(api: Api) -> None:
    expect(_create(api, NAME), 201)
    expect(_create(api, "Café Nord 2"), 201)
    expect(_create(api, "Cafe Nord"), 201)  # no accent: another name


@pytest.mark.parametrize("variant", [EXISTING["name"], EXISTING["name"].upper() + " "],
                         ids=["exact", "case-and-space"])
def test_renaming_to_a_taken_name_is_422(api: Api, variant: str) -> None:
    mine = expect(_create(api, NAME), 201)["result"]
    path = f"{ORGS}/{mine['organization_id']}"
    body = expect_error(api.put(path, as_="management-app", json={"name": variant}), 422)
    assert "already taken" in error_message(body)
    assert expect(api.get(path, as_="management-app"), 200)["result"]["name"] == NAME


def test_renaming_an_org_to_its_own_name_in_another_case_is_fine(api: Api) -> None:
    mine = expect(_create(api, NAME), 201)["result"]
    path = f"{ORGS}/{mine['organization_id']}"
    renamed = expect(api.put(path, as_="management-app", json={"name": "CAFÉ NORD"}), 200)
    assert renamed["result"]["name"] == "CAFÉ NORD"


EMPTY_NAMES = [("empty", ""), ("spaces", "   "), ("zero-width", "\u200b")]


@pytest.mark.parametrize("name", [c[1] for c in EMPTY_NAMES], ids=[c[0] for c in EMPTY_NAMES])
def test_an_empty_name_is_400_on_create_and_update(api: Api, name: str) -> None:
    # Refused by the spec's (inferred) pattern before the engine's own check would.
    assert "'name'" in error_message(expect_error(_create(api, name), 400))
    path = f"{ORGS}/{EXISTING['organization_id']}"
    expect_error(api.put(path, as_="management-app", json={"name": name}), 400)


def test_app_ids_naming_no_app_are_422(api: Api) -> None:
    body = expect_error(_create(api, NAME, app_ids=[APP, "nosuchapp"]), 422)
    assert "unknown app_ids: ['nosuchapp']" in error_message(body)
    assert not expect(api.get(ORGS, as_="management-app", params={"name": NAME}), 200)["result"]


def test_created_organizations_look_like_the_fixtures(api: Api) -> None:
    created = expect(_create(api, NAME), 201)["result"]
    assert re.fullmatch(r"[0-9a-z]{21}", created["organization_id"])
    assert re.fullmatch(r"[0-9a-z]{21}", EXISTING["organization_id"])
    assert created["managed_organizations_by_app"] == {}
    assert set(EXISTING) - {"logo_url", "alias_name", "managing_organization_id"} <= set(created)


def test_managed_organizations_look_like_the_fixtures(api: Api) -> None:
    path = (f"{ORGS}/{EXISTING['organization_id']}/applications/{APP}/managed-organizations")
    created = expect(api.post(path, as_="management-app", json={**BODY, "name": NAME}),
                     201)["result"]
    assert re.fullmatch(r"[0-9a-z]{21}", created["organization_id"])
    assert created["managed_organizations_by_app"] == {}
