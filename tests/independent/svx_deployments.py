"""SVX wallet deployments of an organisation, and the public logo redirects.

Deployments follow the spec's inferred `membership` rule: any right on the organisation, on its
tenant, or any global right. Our choices: instance ids look like the seed's sample
(`xbkm9-vxnve`: two groups of five lower-case letters and digits), a new deployment is
`requested` with version series `1.4` unless given, and an organisation or deployment that does
not exist is a 403 for callers without a global right (rights are checked before existence).
A tenant or organisation without a logo answers 404.
"""

from __future__ import annotations

import math
from typing import Any

from .inputs import Field, check_fields, parse_json, path_uuid, query_choice, query_int
from .paging import collate
from .problems import Problem
from .routing import Call, Reply
from .svx_access import Access
from .svx_data import deployment, stamp

DEPLOYMENT_INPUT = {"description": Field(max_length=1024),
                    "version_series": Field(max_length=255)}
DEFAULT_SERIES = "1.4"



class Deployments:
    """listDeployments, createDeployment, getDeployment, deleteDeployment; the two logos."""

    def __init__(self, access: Access) -> None:
        self.access, self.store = access, access.store

    def _member(self, user: str, org_id: str | None) -> None:
        """403 unless the caller holds a right on the org, its tenant, or globally."""
        if self.store.held(user, "global", ""):
            return
        tenant = self.access.parent(org_id) if org_id else None
        if org_id and (self.store.held(user, "org", org_id)
                       or self.store.held(user, "tenant", tenant)):
            return
        raise Problem(403, "You hold no security right for this organisation.")

    def _org(self, call: Call) -> str:
        """The organisation of the path, after the membership check."""
        org_id = call.params["org_id"].lower()
        self._member(call.user, org_id)
        self.store.org(org_id)
        return org_id

    def _deployment(self, call: Call) -> dict[str, Any]:
        found = self.store.deployments.get(call.params["id"])
        self._member(call.user, str(found["org_id"]) if found else None)
        if found is None:
            raise Problem(404, "No deployment with this instance id.",
                          instance_id=call.params["id"])
        return found

    def list_deployments(self, call: Call) -> Reply:
        """One page, ordered by inserted_at (asc by default), ties by instance id."""
        per_page = query_int(call.query, "per_page", 1, 100) or 20
        page = query_int(call.query, "page", 1, None) or 1
        descending = query_choice(call.query, "order", ("asc", "desc"), "asc") == "desc"
        org_id = self._org(call)
        items = sorted((d for d in self.store.deployments.values() if d["org_id"] == org_id),
                       key=lambda d: (collate(d["inserted_at"]), d["instance_id"]),
                       reverse=descending)
        start = (page - 1) * per_page
        return Reply(200, {"deployments": items[start:start + per_page], "meta": {
            "total_count": len(items), "per_page": per_page, "page": page,
            "total_pages": math.ceil(len(items) / per_page)}})

    def create_deployment(self, call: Call) -> Reply:
        """The body is optional; an empty one takes the defaults."""
        org_id = self._org(call)
        values = {} if not call.body.strip() else check_fields(
            parse_json(call.content_type, call.body), DEPLOYMENT_INPUT)
        made = deployment(org_id, values.get("description"),
                          values.get("version_series") or DEFAULT_SERIES, stamp())
        self.store.deployments[made["instance_id"]] = made
        return Reply(201, {"instance_id": made["instance_id"]})

    def get_deployment(self, call: Call) -> Reply:
        return Reply(200, self._deployment(call))

    def delete_deployment(self, call: Call) -> Reply:
        del self.store.deployments[self._deployment(call)["instance_id"]]
        return Reply(204)

    # -- logos (public) --------------------------------------------------------------------

    def org_logo(self, call: Call) -> Reply:
        reply = _redirect(self.store.org(path_uuid(call.params, "org_id")))
        if "logo-without-location" in self.access.flaws:  # planted: the required header is lost
            return Reply(302)
        return reply

    def tenant_logo(self, call: Call) -> Reply:
        return _redirect(self.store.tenant(path_uuid(call.params, "tenant_id")))


def _redirect(holder: dict[str, Any]) -> Reply:
    if not holder.get("logo_url"):
        raise Problem(404, "No logo is set here.", id=holder["id"])
    return Reply(302, headers={"Location": str(holder["logo_url"])})
