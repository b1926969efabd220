"""name_key: the comparison behind unique names."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orgkit.names import VISIBLE_PATTERN, name_key
from orgkit.specs import load_api

SAME = [
    ("nfc-nfd", "Café", "Cafe\u0301"),
    ("case", "Acme Bank", "ACME BANK"),
    ("german-sharp-s", "Straße", "STRASSE"),
    ("trailing-space", "Acme", "Acme "),
    ("inner-spaces", "Acme Bank", "Acme   Bank"),
    ("tab-and-newline", "Acme Bank", "\tAcme\nBank"),
    ("zero-width-space", "Acme", "Ac\u200bme"),
    ("soft-hyphen", "Acme", "Ac\u00adme"),
    ("bom", "Acme", "\ufeffAcme"),
    ("fullwidth", "Acme", "Ａｃｍｅ"),
]
DIFFERENT = [
    ("accent-matters", "Café", "Cafe"),
    ("inner-space-matters", "Acme Bank", "AcmeBank"),
    ("digits", "Acme 1", "Acme 2"),
]


@pytest.mark.parametrize(("a", "b"), [c[1:] for c in SAME], ids=[c[0] for c in SAME])
def test_the_same_name(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(("a", "b"), [c[1:] for c in DIFFERENT], ids=[c[0] for c in DIFFERENT])
def test_different_names(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


@given(st.text())
def test_the_key_is_a_fixed_point(text: str) -> None:
    assert name_key(name_key(text)) == name_key(text)


@given(st.text())
def test_normal_forms_and_padding_do_not_change_the_key(text: str) -> None:
    key = name_key(text)
    assert name_key(unicodedata.normalize("NFD", text)) == key
    assert name_key(f" {text}\u200b ") == key
    assert name_key(text.casefold()) == key


@given(st.text())
def test_a_name_is_empty_exactly_when_the_spec_pattern_fails(text: str) -> None:
    assert bool(name_key(text)) == bool(re.search(VISIBLE_PATTERN, text))


def test_the_spec_carries_the_same_pattern() -> None:
    schemas = load_api("transmit").document["components"]["schemas"]
    inputs = ["ApiCreateOrganizationInput", "ApiUpdateOrganizationInput",
              "ApiCreateManagedOrganizationInput"]
    assert {schemas[s]["properties"]["name"]["pattern"] for s in inputs} == {VISIBLE_PATTERN}
