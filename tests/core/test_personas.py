"""The personas-file format of the core: persona kinds from the entry, rights held in state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from orgkit.model import GrantSource, IdentityRule
from orgkit.personas import PersonaKind, held_in_state, load_personas, persona_kind
from orgkit.rightsrules import Scope

KINDS = [
    ("bearer-token", {"api": "svx", "token": "t", "sub": "u"}, PersonaKind.USER),
    ("token-command", {"api": "workspaces", "token_command": "echo t"}, PersonaKind.USER),
    ("client-credentials", {"api": "transmit", "client_credentials": {}}, PersonaKind.APPLICATION),
    ("pasted-app-token", {"api": "transmit", "token": "t", "permissions": []},
     PersonaKind.APPLICATION),
    ("data-set-client", {"api": "anything", "client_id": "c"}, PersonaKind.APPLICATION),
]


@pytest.mark.parametrize(("entry", "kind"), [k[1:] for k in KINDS], ids=[k[0] for k in KINDS])
def test_the_kind_comes_from_the_entry_not_the_api(entry: dict[str, Any],
                                                   kind: PersonaKind) -> None:
    assert persona_kind(entry) is kind


def test_any_api_name_is_a_valid_persona_api(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"format": "orgkit-personas/1",
                                "personas": {"olga": {"api": "workspaces", "token": "t"}}}))
    assert load_personas(path)["personas"]["olga"]["api"] == "workspaces"


IDENTITY = IdentityRule(sources=(
    GrantSource(Scope.GLOBAL, collection="admins", user_field="user_id", rights_field="rights",
                where={"status": "active"}),
    GrantSource(Scope.TENANT, collection="members", user_field="user_id",
                scope_field="workspace_id", rights_field="role"),
    GrantSource(Scope.ORG, collection="project_members", user_field="user_id",
                scope_field="project_id", rights_field="role"),
    GrantSource(Scope.PERMISSION, claim="permissions"),
))
USER = "3f2a0000-0000-4000-8000-000000000001"
STATE = {
    "admins": [{"user_id": USER, "rights": ["p:view"], "status": "active"},
               {"user_id": USER, "rights": ["p:gone"], "status": "archived"},
               {"user_id": "someone-else", "rights": ["p:other"], "status": "active"}],
    "members": [{"user_id": USER.upper(), "workspace_id": "w1", "role": "owner"},
                {"user_id": USER, "workspace_id": "w2", "role": "viewer"},
                {"user_id": "someone-else", "workspace_id": "w1", "role": "viewer"}],
    "project_members": [{"user_id": USER, "project_id": "p1", "role": "maintainer"}],
}


def test_rights_held_in_state_follow_the_declared_sources() -> None:
    grants = held_in_state(IDENTITY, STATE, USER)
    assert grants.global_rights == {"p:view"}  # the archived record does not count
    assert grants.tenant_rights == {"w1": {"owner"}, "w2": {"viewer"}}  # UUIDs canonical
    assert grants.org_rights == {"p1": {"maintainer"}}
    assert grants.permissions == frozenset()  # claims are the token's, not the state's


def test_a_user_without_records_holds_nothing() -> None:
    grants = held_in_state(IDENTITY, STATE, "nobody")
    assert not (grants.global_rights or grants.tenant_rights or grants.org_rights)


def test_reading_a_personas_file_does_not_import_the_generator(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"format": "orgkit-personas/1",
                                "personas": {"a": {"api": "svx", "token": "t"}}}))
    code = ("import sys; from contract_tests.personas import load; load(__import__('pathlib')"
            f".Path({str(path)!r}), 'svx'); print('faker' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "False"
