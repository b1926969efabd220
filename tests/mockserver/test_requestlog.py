"""The request log: what each call sent and got, bounded, with credentials redacted."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.requestlog import BODY_LIMIT, REDACTED, RequestLog, redact, shown
from tests.mockserver.mocksupport import PERSONAS, Api, expect, expect_error

TRANSMIT_CLIENT = PERSONAS["transmit-org-admin"]


def log_of(api: Api) -> list[dict[str, Any]]:
    """The entries GET /__mock/requests returns."""
    entries: list[dict[str, Any]] = api.client.get("/__mock/requests").json()["requests"]
    return entries


def test_an_entry_has_query_persona_and_both_bodies(api: Api) -> None:
    expect(api.get("/svx/tenants?per_page=1", as_="global-admin"), 200)
    entry = log_of(api)[-1]
    assert (entry["path"], entry["query"], entry["persona"]) == (
        "/svx/tenants", "per_page=1", "global-admin")
    assert entry["request_body"] == "" and entry["response_body"].startswith('{"tenants": [')
    assert entry["response_bytes"] > 0


def test_a_request_body_is_logged_and_an_anonymous_call_has_no_persona(api: Api) -> None:
    expect_error(api.post("/svx/tenants", json={"name": "Acme"}), 401)
    entry = log_of(api)[-1]
    assert json.loads(entry["request_body"]) == {"name": "Acme"}
    assert entry["persona"] is None and entry["status"] == 401


def test_an_unknown_subject_is_logged_by_its_sub(api: Api) -> None:
    api.client.get("/svx/tenants", headers=api.bearer("someone-else"))
    assert log_of(api)[-1]["persona"] == "someone-else"


TOKEN_CALLS = [
    ("form", {"data": {"grant_type": "client_credentials",
                       "client_id": TRANSMIT_CLIENT["client_id"],
                       "client_secret": TRANSMIT_CLIENT["client_secret"]}}),
    ("json", {"json": {"client_id": TRANSMIT_CLIENT["client_id"],
                       "client_secret": TRANSMIT_CLIENT["client_secret"]}}),
    ("basic", {"headers": {"Authorization": "Basic " + base64.b64encode(
        f"{TRANSMIT_CLIENT['client_id']}:{TRANSMIT_CLIENT['client_secret']}".encode()).decode()},
        "data": {"grant_type": "client_credentials"}}),
]


@pytest.mark.parametrize("kwargs", [c[1] for c in TOKEN_CALLS], ids=[c[0] for c in TOKEN_CALLS])
def test_token_calls_are_logged_without_secrets(api: Api, kwargs: dict[str, Any]) -> None:
    answer = api.client.post("/cis/oidc/token", **kwargs)
    assert answer.status_code == 200, answer.text
    entry = log_of(api)[-1]
    assert (entry["path"], entry["persona"], entry["status"]) == (
        "/cis/oidc/token", "transmit-org-admin", 200)
    text = json.dumps(entry)
    assert TRANSMIT_CLIENT["client_secret"] not in text
    assert answer.json()["access_token"] not in text
    assert "Basic" not in text and REDACTED in entry["response_body"]


def test_control_calls_are_not_logged(api: Api) -> None:
    api.client.get("/__mock/personas")
    api.client.get("/__mock/requests")
    assert log_of(api) == []


def test_bodies_are_cut_at_the_limit(api: Api) -> None:
    expect(api.get("/svx/tenants?per_page=100", as_="global-admin"), 200)
    entry = log_of(api)[-1]
    assert entry["response_bytes"] > BODY_LIMIT
    assert entry["response_body"].endswith(f"... ({entry['response_bytes']} bytes)")
    assert len(entry["response_body"]) < BODY_LIMIT + 40


REDACTIONS = [
    ("json", '{"client_id": "a", "client_secret": "s3cr3t"}',
     '{"client_id": "a", "client_secret": "[redacted]"}'),
    ("json-cut", '{"client_secret": "s3c', '{"client_secret": "[redacted]"'),
    ("json-escaped", '{"password": "a\\"b", "x": 1}', '{"password": "[redacted]", "x": 1}'),
    ("form", "client_id=a&client_secret=s3cr3t&x=1", "client_id=a&client_secret=[redacted]&x=1"),
    ("form-first", "access_token=abc", "access_token=[redacted]"),
    ("other-fields", '{"name": "client_secret"}', '{"name": "client_secret"}'),
]


@pytest.mark.parametrize(("text", "expected"), [r[1:] for r in REDACTIONS],
                         ids=[r[0] for r in REDACTIONS])
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


@given(st.text(alphabet=st.characters(blacklist_characters='"\\&'), min_size=1))
def test_no_secret_survives_redaction(secret: str) -> None:
    for text in (json.dumps({"client_secret": secret}), f"client_secret={secret}"):
        assert redact(text).endswith((f'"{REDACTED}"}}', REDACTED))


def test_binary_bodies_are_described_not_dumped() -> None:
    assert shown(b"\x89PNG\x00", "image/png", 5) == "<5 bytes of image/png>"


def test_the_log_is_bounded_by_count_and_by_bytes() -> None:
    log = RequestLog(maxlen=3, max_bytes=10_000)
    for n in range(5):
        log.append({"n": str(n)})
    assert [e["n"] for e in log] == ["2", "3", "4"]
    for n in range(5):
        log.append({"n": str(n), "body": "x" * 4000})
    assert len(log) == 2 and log.bytes <= 10_000
    log.clear()
    assert len(log) == 0 and log.bytes == 0


def test_a_connexion_call_has_its_persona_and_a_redacted_body(api: Api) -> None:
    api.post("/svx/tenants", as_="global-admin", json={"name": "Acme", "password": "hunter2"})
    entry = log_of(api)[-1]
    assert (entry["method"], entry["persona"]) == ("POST", "global-admin")
    assert "hunter2" not in entry["request_body"] and REDACTED in entry["request_body"]
