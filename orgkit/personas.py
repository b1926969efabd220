"""The personas file format (`orgkit-personas/1`): reading, checking, and what an entry holds.

The format belongs to the core: the contract suite reads it and `fixtures` writes it, and
neither the reading nor the kind of a persona depends on which API it belongs to. A persona is
an *application* when it authenticates with client credentials or states token permissions
(`kind`, `permissions`, `organization_id`), otherwise a *user* holding rights per scope
(`sub`, `tid`, `tenant_id`, `org_id`, `rights`).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from orgkit.documents import read_document
from orgkit.errors import ConfigError
from orgkit.grants import canonical_id
from orgkit.model import GrantSource, IdentityRule
from orgkit.rights import Grants
from orgkit.rightsrules import Scope

PERSONAS_FORMAT = "orgkit-personas/1"
CREDENTIAL_KEYS = ("token", "token_command", "client_credentials")
CLIENT_CREDENTIAL_FIELDS = ("token_url", "client_id", "client_secret")


class PersonaKind(StrEnum):
    """How a persona authenticates and what it holds."""

    USER = "user"  # a bearer token for a user; rights per scope (`rights`)
    APPLICATION = "application"  # an app's client credentials; token `permissions`


def persona_kind(entry: Mapping[str, Any]) -> PersonaKind:
    """The kind of a personas-file (or data-set) entry, from its keys, never its API name."""
    app_keys = ("client_credentials", "client_id", "permissions")
    return PersonaKind.APPLICATION if any(k in entry for k in app_keys) else PersonaKind.USER


def load_personas(path: str | Path) -> dict[str, Any]:
    """Read and check a personas document; ConfigError names the file and what is wrong."""
    data = read_document(path, what="personas file", expected_format=PERSONAS_FORMAT)
    personas = data.get("personas")
    if not isinstance(personas, dict) or not personas:
        raise ConfigError(f"{path}: 'personas' must be a non-empty mapping of name to persona")
    for name, entry in personas.items():
        problem = persona_problem(entry)
        if problem:
            raise ConfigError(f"{path}: persona {name!r}: {problem}")
    return data


def persona_problem(entry: Any) -> str | None:
    """What is wrong with one persona entry, or None when it is usable."""
    if not isinstance(entry, dict):
        return "must be a mapping"
    if not isinstance(entry.get("api"), str) or not entry["api"].strip():
        return f"'api' must name the API (e.g. svx, transmit), got {entry.get('api')!r}"
    given = [k for k in CREDENTIAL_KEYS if k in entry]
    if len(given) != 1:
        return f"needs exactly one of {', '.join(CREDENTIAL_KEYS)}; got {given or 'none'}"
    value = entry[given[0]]
    if given[0] == "client_credentials":
        return _credentials_problem(value)
    if not isinstance(value, str) or not value.strip():
        return f"'{given[0]}' must be a non-empty string"
    return None


def _credentials_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "'client_credentials' must be a mapping"
    missing = [f for f in CLIENT_CREDENTIAL_FIELDS
               if not isinstance(value.get(f), str) or not value[f]]
    if missing:
        return f"'client_credentials' lacks {', '.join(missing)} (non-empty strings)"
    return None


def user_grants(name: str, rights: Mapping[str, Any]) -> Grants:
    """A user persona's rights (`{global: [..], tenants: {id: [..]}, orgs: {id: [..]}}`)."""
    try:
        return Grants(
            global_rights=frozenset(rights.get("global") or ()),
            tenant_rights={str(k): frozenset(v) for k, v in (rights.get("tenants") or {}).items()},
            org_rights={str(k): frozenset(v) for k, v in (rights.get("orgs") or {}).items()},
        )
    except (TypeError, AttributeError) as exc:
        raise ConfigError(f"persona {name!r}: 'rights' must be {{global: [..], tenants: "
                          f"{{id: [..]}}, orgs: {{id: [..]}}}}: {exc}") from None


def rights_document(grants: Grants) -> dict[str, Any]:
    """A user's grants as the file's `rights` value (sorted, so the output is stable)."""
    return {"global": sorted(grants.global_rights),
            "tenants": {k: sorted(v) for k, v in grants.tenant_rights.items()},
            "orgs": {k: sorted(v) for k, v in grants.org_rights.items()}}


def held_in_state(identity: IdentityRule, state: Mapping[str, Any], subject: str) -> Grants:
    """What a user holds per the API's declared grant sources, read from a data set section
    (collection name -> items); claim sources carry nothing here (there is no token)."""
    found: dict[Scope, dict[str, set[str]]] = {scope: {} for scope in Scope}
    for source in identity.sources:
        if source.collection is None:
            continue
        for item in state.get(source.collection) or ():
            if not _counts(source, item, subject):
                continue
            scope_id = str(item.get(source.scope_field)) if source.scope_field else ""
            found[source.scope].setdefault(scope_id, set()).update(_rights(item, source))
    return Grants(
        global_rights=frozenset(found[Scope.GLOBAL].get("", ())),
        tenant_rights={k: frozenset(v) for k, v in found[Scope.TENANT].items()},
        org_rights={k: frozenset(v) for k, v in found[Scope.ORG].items()},
        permissions=frozenset(found[Scope.PERMISSION].get("", ())),
    )


def _counts(source: GrantSource, item: Mapping[str, Any], subject: str) -> bool:
    if canonical_id(str(item.get(source.user_field))) != canonical_id(subject):
        return False
    return all(item.get(k) == v for k, v in source.where.items())


def _rights(item: Mapping[str, Any], source: GrantSource) -> set[str]:
    value = item.get(source.rights_field)
    if isinstance(value, str):
        return {value}
    return {str(r) for r in value or ()}
