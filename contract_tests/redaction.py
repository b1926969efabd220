"""Credentials never reach a report or the console: tokens and client secrets are redacted."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from contract_tests.results import CheckResult
from contract_tests.target import Exchange

REDACTED = "<redacted>"
MIN_SECRET = 4  # shorter strings are too common to replace blindly (a secret that short leaks)
# Authorization headers keep their scheme: `Authorization: Bearer <redacted>`.
_AUTHORIZATION = re.compile(r"(?i)(authorization\s*:\s*(?:bearer|basic|token)?\s*)[^\s'\"\\]+")
# Form fields and JSON members that carry credentials, whatever their value.
_FIELDS = re.compile(r"(?i)\b((?:client_secret|access_token|refresh_token|id_token|password)"
                     r"(?:=|\"\s*:\s*\"))([^&\s\"'\\]+)")
# Anything shaped like a JWT (a tampered or foreign token included).
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Redactor:
    """Replaces the run's known secrets and anything credential-shaped in text."""

    secrets: tuple[str, ...] = ()

    @classmethod
    def of(cls, secrets: Iterable[str]) -> Redactor:
        """A redactor for these secrets (longest first, so none is left half-replaced)."""
        kept = {s for s in secrets if len(s) >= MIN_SECRET}
        return cls(tuple(sorted(kept, key=len, reverse=True)))

    def text(self, text: str) -> str:
        """The text without credentials."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = _AUTHORIZATION.sub(lambda m: m.group(1) + REDACTED, text)
        text = _FIELDS.sub(lambda m: m.group(1) + REDACTED, text)
        return _JWT.sub(REDACTED, text)

    def exchange(self, exchange: Exchange | None) -> Exchange | None:
        """The exchange with credentials removed from URL, headers and both bodies."""
        if exchange is None:
            return None
        headers = {k: (f"Bearer {REDACTED}" if k.lower() == "authorization"
                       and v.lower().startswith("bearer") else
                       REDACTED if k.lower() == "authorization" else self.text(v))
                   for k, v in exchange.request_headers.items()}
        body = exchange.request_body
        clean_body = None if body is None else self.text(
            body.decode("utf-8", "replace")).encode()
        return replace(exchange, url=self.text(exchange.url), request_headers=headers,
                       request_body=clean_body, response_text=self.text(exchange.response_text),
                       response_headers={k: self.text(v)
                                         for k, v in exchange.response_headers.items()})

    def result(self, result: CheckResult) -> CheckResult:
        """The verdict with credentials removed from its message, expectation and evidence."""
        return replace(result, message=self.text(result.message),
                       expected=self.text(result.expected),
                       exchange=self.exchange(result.exchange))
