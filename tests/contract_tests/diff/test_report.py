"""Diff reports never carry credentials."""

from __future__ import annotations

from contract_tests.diff.report import redact
from contract_tests.target import Exchange


def test_redact_replaces_credentials_only() -> None:
    exchange = Exchange("GET", "http://h/svx/orgs", {"Authorization": "Bearer eyJsecret",
                                                      "Cookie": "s=1", "X-Trace": "t"},
                        None, 200)
    shown = redact(exchange)
    assert shown.request_headers == {"Authorization": "Bearer REDACTED", "Cookie": "REDACTED",
                                     "X-Trace": "t"}
    assert "eyJsecret" not in shown.curl()
