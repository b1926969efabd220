"""SVX application agents, the monitoring endpoints, and changes to the current user.

Agents follow the inferred `membership` rule in the organisation of `Meeco-Organisation-Id`:
any right there, on its tenant, or any global right. Our choices: agent ids are sequential
decimal strings ("1001", "1002", ...); an agent of another organisation than the header's is a
404; a create without a body names the agent "application <id>". Every seeded user has a
password of its own (the suite cannot know it: 422), and a new password equal to the current one
is a 422 too. `/alive/platform` answers 200 with an empty body.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .inputs import UUID, Field, check_fields, parse_json
from .problems import Problem
from .routing import Call, Handler, Reply
from .svx_access import Access
from .svx_data import stamp

HEADER = "meeco-organisation-id"
AGENT_INPUT = {"name": Field(required=True, max_length=255),
               "description": Field(nullable=True, max_length=1024)}
NAME_INPUT = {"given_name": Field(max_length=255), "family_name": Field(max_length=255)}
PASSWORD_INPUT = {"current_password": Field(required=True, max_length=1024),
                  "new_password": Field(required=True, max_length=1024)}
COMPONENTS = {"platform": ("svx-platform", "4.0.0"), "atom": ("atom", "2.31.4"),
              "utilities": ("svx-utilities", "1.12.0")}


def digest(password: str) -> str:
    """What the store keeps of a password."""
    return hashlib.sha256(password.encode()).hexdigest()


def _inner(call: Call, key: str, fields: dict[str, Field]) -> dict[str, Any]:
    """The object under `key` of the JSON body, checked."""
    inner = parse_json(call.content_type, call.body).get(key)
    if not isinstance(inner, dict):
        raise Problem(400, f"Property '{key}' must be an object.", field=key)
    return check_fields(inner, fields)


class Extras:
    """Application agents, versions and liveness, updateMe and changeMyPassword."""

    def __init__(self, access: Access) -> None:
        self.access, self.store = access, access.store

    # -- application agents ----------------------------------------------------------------

    def _org(self, call: Call) -> str:
        """The header's organisation after the membership check (403 before 404)."""
        raw = call.headers.get(HEADER)
        if raw is None or not UUID.match(raw):
            raise Problem(400, "Header 'Meeco-Organisation-Id' must name an organisation "
                               "by its UUID.", header="Meeco-Organisation-Id")
        org_id = raw.lower()
        user = call.user
        if not (self.store.held(user, "global", "") or self.store.held(user, "org", org_id)
                or self.store.held(user, "tenant", self.access.parent(org_id))):
            raise Problem(403, "You hold no security right for this organisation.")
        self.store.org(org_id)
        return org_id

    def _agent(self, call: Call) -> dict[str, Any]:
        org_id = self._org(call)
        agent = self.store.agents.get(call.params["id"])
        if agent is None or agent["org_id"] != org_id:
            raise Problem(404, "No application agent with this id in the organisation.",
                          id=call.params["id"])
        return agent

    @staticmethod
    def _values(call: Call, optional_body: bool) -> dict[str, Any]:
        """`application` is optional in ApplicationAgentInput (create's body is, too)."""
        if optional_body and not call.body.strip():
            return {}
        body = parse_json(call.content_type, call.body)
        return _inner(call, "application", AGENT_INPUT) if "application" in body else {}

    def list_agents(self, call: Call) -> Reply:
        org_id = self._org(call)
        return Reply(200, {"applications": [a for a in self.store.agents.values()
                                            if a["org_id"] == org_id]})

    def create_agent(self, call: Call) -> Reply:
        org_id = self._org(call)
        values = self._values(call, optional_body=True)
        key = str(1001 + self.store.agent_serial)
        self.store.agent_serial += 1
        now = stamp()
        agent = {"id": key, "org_id": org_id, "name": values.get("name", f"application {key}"),
                 "description": values.get("description"), "inserted_at": now,
                 "updated_at": now}
        self.store.agents[key] = agent
        return Reply(201, {"application": agent})

    def get_agent(self, call: Call) -> Reply:
        return Reply(200, {"application": self._agent(call)})

    def update_agent(self, call: Call) -> Reply:
        agent = self._agent(call)
        agent.update(self._values(call, optional_body=False), updated_at=stamp())
        return Reply(200, {"application": agent})

    def delete_agent(self, call: Call) -> Reply:
        del self.store.agents[self._agent(call)["id"]]
        return Reply(204)

    # -- monitoring (public) ---------------------------------------------------------------

    def version_of(self, component: str) -> Handler:
        """getVersion / getAtomVersion / getUtilitiesVersion."""
        name, version = COMPONENTS[component]

        def handle(call: Call) -> Reply:
            return Reply(200, {"component": {"name": name, "version": version}})

        return handle

    def alive(self, call: Call) -> Reply:
        return Reply(200)

    # -- the current user ------------------------------------------------------------------

    def update_me(self, call: Call) -> Reply:
        values = _inner(call, "user", NAME_INPUT)
        person = self.store.users.setdefault(call.user, {"id": call.user, "email": None,
                                                         "given_name": None,
                                                         "family_name": None})
        person.update(values)
        return Reply(200, {"user": {k: person[k] for k in ("id", "email", "given_name",
                                                           "family_name")
                                    if person[k] is not None or k != "email"}})

    def change_my_password(self, call: Call) -> Reply:
        values = _inner(call, "user", PASSWORD_INPUT)
        if len(values["new_password"]) < 8:
            raise Problem(400, "Property 'new_password' needs at least 8 characters.",
                          field="new_password")
        held = self.store.passwords.get(call.user)
        if held is None or held != digest(values["current_password"]):
            raise Problem(422, "The current password is not correct.", field="current_password")
        if values["new_password"] == values["current_password"]:
            raise Problem(422, "The new password must differ from the current one.",
                          field="new_password")
        self.store.passwords[call.user] = digest(values["new_password"])
        return Reply(200, {})
