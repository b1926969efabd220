"""Redaction: credentials never reach a report or the console."""

from __future__ import annotations

import pytest

from contract_tests.redaction import Redactor
from contract_tests.target import Exchange

SECRET = "client-secret-value-42"
TOKEN = "opaque-token-abcdef"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig-nat_ure"


@pytest.mark.parametrize(("text", "expected"), [
    (f"curl -H 'Authorization: Bearer {TOKEN}' http://h/x",
     "curl -H 'Authorization: Bearer <redacted>' http://h/x"),
    (f"-H 'authorization: bearer {JWT}'", "-H 'authorization: bearer <redacted>'"),
    (f"grant_type=client_credentials&client_id=app&client_secret={SECRET}",
     "grant_type=client_credentials&client_id=app&client_secret=<redacted>"),
    ('{"access_token": "abc.def", "expires_in": 3600}',
     '{"access_token": "<redacted>", "expires_in": 3600}'),
    (f"the token {JWT} expired", "the token <redacted> expired"),
    (f"echo {TOKEN} and {SECRET}", "echo <redacted> and <redacted>"),
    ("nothing secret here", "nothing secret here"),
], ids=["bearer-header", "jwt-header", "form-secret", "json-access-token", "bare-jwt",
        "known-secrets", "plain"])
def test_text(text: str, expected: str) -> None:
    assert Redactor.of([TOKEN, SECRET, "ab"]).text(text) == expected


def test_exchange_headers_bodies_and_url() -> None:
    exchange = Exchange("POST", f"http://h/x?token={TOKEN}", {"Authorization": f"Bearer {JWT}"},
                        f"client_secret={SECRET}".encode(), 200, {"x-echo": TOKEN},
                        f'{{"id_token": "{JWT}"}}')
    clean = Redactor.of([TOKEN, SECRET]).exchange(exchange)
    assert clean is not None
    text = f"{clean.curl()} {clean.response_text} {clean.response_headers}"
    assert not [s for s in (TOKEN, SECRET, JWT) if s in text]
    assert "Authorization: Bearer <redacted>" in clean.curl()
