"""Personas of a run: who they are, what they hold, and a bearer token for each."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from orgkit.errors import ConfigError
from orgkit.model import IdentityRule
from orgkit.personas import PersonaKind, load_personas, persona_kind, user_grants
from orgkit.rights import Caller, Grants


@dataclass(frozen=True)
class Persona:
    """A named identity of the personas file, authenticated."""

    name: str
    api: str
    token: str
    caller: Caller
    tenant_id: str | None = None
    org_id: str | None = None
    secrets: tuple[str, ...] = ()  # client secrets behind the token: redacted from every output
    kind: PersonaKind = PersonaKind.USER  # an application's permissions or a user's rights

    @property
    def grants(self) -> Grants:
        """What the persona holds, as the personas file states it."""
        return self.caller.grants


def load(path: Path, api: str, identity: IdentityRule | None = None) -> dict[str, Persona]:
    """The personas of one API from a personas file, each with a usable token; identity (the
    API's declared grants) says which application tokens are confined to their organization
    (default: the bundled document's of that name, else none)."""
    document = load_personas(path)
    rule = identity or _bundled_identity(api)
    found = {name: _persona(name, entry, rule) for name, entry in document["personas"].items()
             if entry["api"] == api}
    if not found:
        raise ConfigError(f"{path}: no persona for the {api} API")
    return found


def _bundled_identity(api: str) -> IdentityRule:
    from orgkit.specs import SPEC_FILES, load_api

    return load_api(api).model.identity if api in SPEC_FILES else IdentityRule()


def _persona(name: str, entry: Mapping[str, Any], identity: IdentityRule) -> Persona:
    """A persona by its kind (an application's permissions, or a user's rights per scope)."""
    token, api = _token(name, entry), str(entry["api"])
    if persona_kind(entry) is PersonaKind.APPLICATION:
        kind = str(entry.get("kind") or "admin")
        org = entry.get("organization_id")
        caller = Caller(name, token_kind=kind, org=org,
                        grants=Grants(permissions=frozenset(entry.get("permissions") or ())),
                        confined=identity.confines(kind, org))
        return Persona(name, api, token, caller, org_id=org, secrets=_secrets(entry),
                       kind=PersonaKind.APPLICATION)
    # `tid` is the token's tenant context (null for a global admin); without it, assume the
    # tenant the persona administers.
    tid = entry["tid"] if "tid" in entry else entry.get("tenant_id")
    caller = Caller(str(entry.get("sub") or name), tid,
                    grants=user_grants(name, entry.get("rights") or {}))
    return Persona(name, api, token, caller, entry.get("tenant_id"), entry.get("org_id"),
                   _secrets(entry))


def _secrets(entry: Mapping[str, Any]) -> tuple[str, ...]:
    creds = entry.get("client_credentials") or {}
    return (str(creds["client_secret"]),) if creds.get("client_secret") else ()


def _token(name: str, entry: Mapping[str, Any]) -> str:
    if "token" in entry:
        return str(entry["token"]).strip()
    if "token_command" in entry:
        done = subprocess.run(entry["token_command"], shell=True, capture_output=True,
                              text=True, timeout=60, check=False)
        if done.returncode != 0 or not done.stdout.strip():
            raise ConfigError(f"persona {name!r}: token_command failed "
                              f"(exit {done.returncode}): {done.stderr.strip()[:300]}")
        return done.stdout.strip()
    return _client_credentials(name, entry["client_credentials"])


def _client_credentials(name: str, creds: Mapping[str, str]) -> str:
    form = {"grant_type": "client_credentials", "client_id": creds["client_id"],
            "client_secret": creds["client_secret"]}
    try:
        response = httpx.post(creds["token_url"], data=form, timeout=30)
    except httpx.HTTPError as exc:
        raise ConfigError(f"persona {name!r}: cannot reach {creds['token_url']}: {exc}") from None
    token = response.json().get("access_token") if response.status_code == 200 else None
    if not token:
        raise ConfigError(f"persona {name!r}: the token endpoint answered "
                          f"{response.status_code}: {response.text[:300]}")
    return str(token)
