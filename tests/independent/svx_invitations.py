"""SVX invitations (list, create, get, delete, resend) in the selected context.

The context (x-orgkit-rights mode `context`): the organisation named by Meeco-Organisation-ID,
which must lie in the token's `tid` tenant when there is one; else the `tid` tenant; else
global. Our choices where the spec leaves them open: ids are `inv_<26 base32>` strings, an
invitation lives 7 days, an absent `status` filter lists every status, `getInvitation` answers
any existing invitation to any authenticated caller (the spec: no right, by analogy with the
list), and a call on an invitation outside the caller's context is a 404 (not there for it).
"""

from __future__ import annotations

import base64
import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .inputs import UUID, Field, check_fields, parse_json, query_choice, query_int
from .paging import collate
from .problems import Problem
from .routing import Call, Reply
from .svx_access import Access
from .svx_data import stamp

LIFETIME = timedelta(days=7)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STATUSES = ("pending", "accepted", "expired")
HEADER = "meeco-organisation-id"
INVITATION_INPUT = {"email": Field(required=True, max_length=254),
                    "given_name": Field(max_length=255), "family_name": Field(max_length=255)}


@dataclass(frozen=True)
class Context:
    """Where a caller acts: kind (global, tenant, org) and the tenant and org ids."""

    kind: str
    tenant_id: str | None = None
    org_id: str | None = None

    def covers(self, invitation: Mapping[str, Any]) -> bool:
        """Whether an invitation lies in this context (a tenant's holds its orgs' too)."""
        if self.kind == "org":
            return bool(invitation["org_id"] == self.org_id)
        if self.kind == "tenant":
            return bool(invitation["tenant_id"] == self.tenant_id)
        return bool(invitation["context"] == "global")


def new_id() -> str:
    """An opaque invitation id (the spec: a plain string)."""
    return "inv_" + base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=").lower()


def refresh(invitation: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """A pending invitation past its expiry is expired."""
    moment = now or datetime.now(UTC)
    if invitation["status"] == "pending" and \
            datetime.fromisoformat(invitation["expires_at"]) <= moment:
        invitation["status"] = "expired"
    return invitation


class Invitations:
    """The five invitation operations over one store."""

    def __init__(self, access: Access) -> None:
        self.access, self.store = access, access.store

    def _context(self, call: Call, refuse: int) -> Context:
        """The selected context; an organisation outside the token's tenant is `refuse`."""
        claims = call.bearer.claims if call.bearer else {}
        tid = claims.get("tid") if isinstance(claims.get("tid"), str) else None
        tenant = tid.lower() if tid and UUID.match(tid) else None
        header = call.headers.get(HEADER, "")
        if not header:
            return Context("tenant", tenant) if tenant else Context("global")
        org = self.store.orgs.get(header.lower()) if UUID.match(header) else None
        if org is None:
            raise Problem(404, "No organisation is registered under this id.",
                          organisation_id=header)
        if tenant is not None and org["tenant_id"] != tenant:
            raise Problem(refuse, "The organisation lies outside the tenant you selected.",
                          organisation_id=header)
        return Context("org", str(org["tenant_id"]), str(org["id"]))

    def _member(self, user: str, context: Context) -> None:
        """403 unless the caller holds some right in its context (or a wider one)."""
        held = bool(self.store.held(user, "global", ""))
        if context.kind in ("tenant", "org"):
            held = held or bool(self.store.held(user, "tenant", context.tenant_id))
        if context.kind == "org":
            held = held or bool(self.store.held(user, "org", context.org_id))
        if not held:
            raise Problem(403, "You hold no security right in the context you selected.")

    def _managed(self, call: Call) -> tuple[Context, dict[str, Any]]:
        """The context of a managing call and the invitation it names, or 403/404."""
        context = self._context(call, 403)
        self._member(call.user, context)
        invitation = self.store.invitations.get(call.params["id"])
        anywhere = "invitation-any-context" in self.access.flaws  # planted: no context test
        if invitation is None or not (anywhere or context.covers(invitation)):
            raise Problem(404, "No invitation with this id in your context.",
                          invitation_id=call.params["id"])
        return context, refresh(invitation)

    def list_invitations(self, call: Call) -> Reply:
        """Invitations of the caller's context; `status` filter (comma-separated), page mode."""
        raw = call.query.get("status")
        if raw is None and "invitations-pending-by-default" in self.access.flaws:
            raw = "pending"  # an allowed variant: the seed names no default filter
        wanted = set(STATUSES) if raw is None else set(raw.split(","))
        if not wanted <= set(STATUSES) or raw == "":
            raise Problem(400, "status takes pending, accepted, expired, comma-separated.",
                          parameter="status")
        per_page = query_int(call.query, "per_page", 1, 100) or 20
        page = query_int(call.query, "page", 1, None) or 1
        ascending = query_choice(call.query, "order", ("ASC", "DESC"), "DESC") == "ASC"
        key = query_choice(call.query, "order_by", ("given_name",), "created_at") \
            if "order_by" in call.query else "created_at"
        context = self._context(call, 404)
        items = [i for i in self.store.invitations.values()
                 if context.covers(i) and refresh(i)["status"] in wanted]
        items.sort(key=lambda i: (i[key] is not None, collate(i[key]), i["id"]),
                   reverse=not ascending)
        start = (page - 1) * per_page
        return Reply(200, {"invitations": items[start:start + per_page], "meta": {
            "total_count": len(items), "per_page": per_page, "page": page,
            "total_pages": math.ceil(len(items) / per_page)}})

    def create_invitation(self, call: Call) -> Reply:
        """Invite to the selected context; a known email is made an admin there at once."""
        body = parse_json(call.content_type, call.body)
        inner = body.get("invitation")
        if not isinstance(inner, dict):
            raise Problem(400, "Property 'invitation' must be an object.", field="invitation")
        values = check_fields(inner, INVITATION_INPUT)
        if not EMAIL.match(values["email"]):
            raise Problem(400, "Property 'email' is not an email address.", field="email")
        context = self._context(call, 403)
        if "invitation-open-create" not in self.access.flaws:  # planted: anyone invites
            self._member(call.user, context)
        now = datetime.now(UTC)
        invitation = {"id": new_id(), "email": values["email"],
                      "given_name": values.get("given_name"),
                      "family_name": values.get("family_name"), "context": context.kind,
                      "tenant_id": context.tenant_id, "org_id": context.org_id,
                      "invited_by": call.user, "status": "pending", "created_at": stamp(now),
                      "updated_at": stamp(now), "expires_at": stamp(now + LIFETIME)}
        if self._admit_known(values["email"], context):
            invitation["status"] = "accepted"
        self.store.invitations[invitation["id"]] = invitation
        return Reply(201, {"invitation": invitation})

    def _admit_known(self, email: str, context: Context) -> bool:
        """"If user already exists, he/she will be added to the target organisation or
        tenant": an admin record holding no rights yet."""
        user = next((u for u, p in self.store.users.items()
                     if (p.get("email") or "").casefold() == email.casefold()), None)
        if user is None:
            return False
        scope = {"org": context.org_id, "tenant": context.tenant_id}.get(context.kind) or ""
        if (context.kind, scope, user) not in self.store.admins:
            self.store.enrol(context.kind, scope, user, [])
        return True

    def get_invitation(self, call: Call) -> Reply:
        """Any authenticated caller may read an existing invitation (the allowed variant
        `invitation-read-in-context`: only one of the context it selects)."""
        invitation = self.store.invitations.get(call.params["id"])
        if invitation is not None and "invitation-read-in-context" in self.access.flaws \
                and not self._context(call, 404).covers(invitation):
            invitation = None
        if invitation is None:
            raise Problem(404, "No invitation with this id.", invitation_id=call.params["id"])
        return Reply(200, {"invitation": refresh(invitation)})

    def delete_invitation(self, call: Call) -> Reply:
        """Pending or expired invitations only (an accepted one: 422)."""
        _, invitation = self._managed(call)
        self._not_accepted(invitation)
        del self.store.invitations[invitation["id"]]
        return Reply(204)

    def resend_invitation(self, call: Call) -> Reply:
        """Pending again, for another lifetime from now."""
        _, invitation = self._managed(call)
        self._not_accepted(invitation)
        now = datetime.now(UTC)
        invitation.update(status="pending", updated_at=stamp(now),
                          expires_at=stamp(now + LIFETIME))
        return Reply(200, {"invitation": invitation})

    @staticmethod
    def _not_accepted(invitation: Mapping[str, Any]) -> None:
        if invitation["status"] == "accepted":
            raise Problem(422, "This invitation was accepted already.",
                          invitation_id=invitation["id"])
