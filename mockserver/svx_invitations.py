"""SVX invitations: a context (global, tenant or org) decides what a caller sees and manages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from mockserver.engine import Ctx
from mockserver.http import Response
from mockserver.store import Item
from orgkit import pagination
from orgkit.errors import InvalidInput, NotFound, Unprocessable
from orgkit.pagination import SortedListView, sort_value

HEADER = "Meeco-Organisation-ID"
STATUSES = ("pending", "accepted", "expired")
VALID_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Context:
    """Where the caller acts: the JWT's tenant and the optional organisation header."""

    kind: str  # global | tenant | org
    tenant_id: str | None
    org_id: str | None

    def sees(self, invitation: Item) -> bool:
        """Whether an invitation belongs to this context (a tenant sees its orgs' too)."""
        if self.kind == "org":
            return invitation.get("org_id") == self.org_id
        if self.kind == "tenant":
            return invitation.get("tenant_id") == self.tenant_id
        return invitation.get("context") == "global"


def context_of(ctx: Ctx) -> Context:
    """The caller's context; an org header outside the caller's tenant looks absent (404)."""
    org_id, tenant_id = ctx.req.header(HEADER), ctx.caller.tenant
    if not org_id:
        return Context("tenant" if tenant_id else "global", tenant_id, None)
    org = ctx.store["orgs"].get((org_id,))
    if org is None or (tenant_id and org.get("tenant_id") != tenant_id):
        raise NotFound(f"{HEADER} {org_id!r} is not an organisation of your tenant "
                      f"{tenant_id!r}")
    return Context("org", str(org["tenant_id"]), org_id)


def list_invitations(ctx: Ctx) -> Response:
    """GET /invitations: the context's invitations, status filter, ordering and pages."""
    where = context_of(ctx)
    wanted = _statuses(ctx.req.query.get("status"))
    paging = ctx.op.pagination
    assert paging is not None
    request = pagination.parse_request(paging, ctx.req.query)
    chosen = {str(i["id"]): i for i in ctx.store["invitations"].values()
              if where.sees(i) and i.get("status") in wanted}
    entries = sorted((sort_value(i.get(request.order_key)), key) for key, i in chosen.items())
    page = pagination.select(SortedListView(entries), request)
    body: dict[str, Any] = {paging.items: [ctx.render(chosen[e[1]]) for e in page.entries]}
    if paging.meta:
        body[paging.meta] = page.meta
    return Response(200, body)


def _statuses(raw: object) -> set[str]:
    if raw is None:
        return set(STATUSES)
    wanted = {s.strip() for s in str(raw).split(",") if s.strip()}
    unknown = sorted(wanted - set(STATUSES))
    if unknown:
        raise InvalidInput(f"status must be a comma-separated list of {list(STATUSES)}, "
                           f"got {unknown}")
    return wanted


def create_invitation(ctx: Ctx) -> Response:
    """POST /invitations: invite someone into the caller's context."""
    where = context_of(ctx)
    fields = ctx.body()
    now = datetime.now(UTC)
    invitation = {
        "id": ctx.api.new_id(), "email": fields.get("email"),
        "given_name": fields.get("given_name"), "family_name": fields.get("family_name"),
        "status": "pending", "context": where.kind, "tenant_id": where.tenant_id,
        "org_id": where.org_id, "invited_by": ctx.caller.subject,
        "created_at": _iso(now), "updated_at": _iso(now), "expires_at": _iso(now + VALID_FOR),
    }
    ctx.store["invitations"].put(invitation)
    return Response(201, {"invitation": invitation})


def _visible(ctx: Ctx) -> Item:
    where = context_of(ctx)
    invitation = ctx.store["invitations"].get((str(ctx.req.path["id"]),))
    if invitation is None or not where.sees(invitation):
        raise NotFound(f"no invitation {ctx.req.path['id']!r} in your {where.kind} context")
    return invitation


def get_invitation(ctx: Ctx) -> Response:
    """GET /invitations/{id}."""
    return Response(200, {"invitation": ctx.render(_visible(ctx))})


def delete_invitation(ctx: Ctx) -> Response:
    """DELETE /invitations/{id}: only pending or expired ones."""
    invitation = _visible(ctx)
    _refuse_accepted(invitation, "deleted")
    ctx.store["invitations"].delete((str(invitation["id"]),))
    return Response(204)


def resend_invitation(ctx: Ctx) -> Response:
    """POST /invitations/{id}/resend: pending again, with a fresh expiry."""
    invitation = dict(_visible(ctx))
    _refuse_accepted(invitation, "resent")
    now = datetime.now(UTC)
    invitation.update(status="pending", updated_at=_iso(now), expires_at=_iso(now + VALID_FOR))
    ctx.store["invitations"].put(invitation)
    return Response(200, {"invitation": invitation})


def _refuse_accepted(invitation: Item, verb: str) -> None:
    if invitation.get("status") == "accepted":
        raise Unprocessable(f"invitation {invitation['id']!r} was accepted and cannot be {verb}")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
