"""The SVX store (tenants, orgs, admins of three scopes, users) and the data it starts with."""

from __future__ import annotations

import hashlib
import secrets
import string
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .problems import Problem

ALPHABET = string.ascii_lowercase + string.digits
NAMESPACE = uuid.UUID("6f1d3c2e-8a47-5b19-9c0d-2e4f6a8b0c1d")
EPOCH = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)
GLOBAL_RIGHTS = ("assign_global_sr_to_user", "assign_org_sr_to_user", "assign_sr_to_tenant",
                 "assign_tenant_sr_to_tenant_admin", "create_tenant",
                 "list_admin_sr_of_any_admin", "list_admins_of_all_orgs", "view_all_orgs",
                 "view_all_tenants")
TENANT_RIGHTS = ("assign_org_sr_to_user", "assign_sr_to_org", "assign_tenant_sr_to_tenant_admin",
                 "create_org", "list_admins_of_all_orgs_of_tenant", "list_org_admin_sr",
                 "list_tenant_admins", "view_tenant", "view_tenant_orgs")
ORG_RIGHTS = ("assign_org_sr_to_user", "list_org_admin_sr", "list_org_admins", "view_org")
STATUS_CYCLE = ("pending", "accepted", "expired")
EXTERNAL = ("vendorx:tenant:custom_domain", "vendorx:org:issue_badges")
ORG_NAMES = ("Harbor Logistics", "alder & co", "Birchwood Labs", "Harbor Logistics",
             "cedar analytics", "Delta Foundry", "Elm Street Bakery", "Fjord Shipping",
             "Granite Works", "hazel ventures", "Iris Optics", "Juniper Health", "Kestrel Air",
             "Linden Legal", "Maple Mutual", "Nettle Farms", "Oak Ridge Energy", "Pine Audio",
             "Quince Textiles", "Rowan Robotics", "Sorrel Studio", "Teak Traders", "Umber Paints",
             "Vetch Veterinary")
GIVEN = ("Zoë", None, "amal", "Bruno", "Chidi", None, "Élodie", "Dana", "Farid", "Greta",
         "Hiro", "Ines", "Jonas", "Kemi", "Lars", "Mira", "Nils", "Olu", "Pia", "Quentin",
         "Rosa", "Sami", "Tove", "Uma")


def ident(label: str) -> str:
    """A stable id for seeded data (uuid version 5; our mock uses version 4)."""
    return str(uuid.uuid5(NAMESPACE, label))


def stamp(moment: datetime | None = None) -> str:
    """An RFC 3339 timestamp with an explicit +00:00 offset and microseconds."""
    return (moment or datetime.now(UTC)).isoformat(timespec="microseconds")


def catalogue() -> list[dict[str, Any]]:
    """Every security right this deployment knows, all active."""
    names = ([f"atom:global:{r}" for r in GLOBAL_RIGHTS]
             + [f"atom:tenant:{r}" for r in TENANT_RIGHTS]
             + [f"atom:org:{r}" for r in ORG_RIGHTS] + list(EXTERNAL))
    return [{"name": n, "description": None, "for_global": ":global:" in n,
             "for_tenant": ":tenant:" in n, "for_org": ":org:" in n,
             "external": not n.startswith("atom:"), "active": True} for n in names]


def instance_id() -> str:
    """A new instance id in the seed sample's form."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(5)) for _ in range(2))


def deployment(org_id: str, description: str | None, series: str, when: str,
               ident: str | None = None) -> dict[str, Any]:
    """A new deployment record (every field of `Deployment`)."""
    return {"instance_id": ident or instance_id(), "org_id": org_id, "status": "requested",
            "description": description, "inserted_at": when, "versions": {"series": series},
            "all_workflows_successful": None, "current_user_id": None, "error": None,
            "external_idp_client_id": None, "git_workflow": None, "git_workflow_duration": None,
            "git_workflow_log": [], "instance_config_for_workflow_retries": None,
            "internal_domain": None, "online_at": None, "online_check_counter": 0,
            "online_status_checked_at": None, "public_domain": None, "redis_db": None,
            "workflow_reports": None}


@dataclass
class SvxStore:
    """Everything SVX holds; admins keyed by (scope kind, scope id or "", user id)."""

    rights: list[dict[str, Any]] = field(default_factory=catalogue)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    tenants: dict[str, dict[str, Any]] = field(default_factory=dict)
    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    admins: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    # deleted organisation -> its tenant: its tenant's admins get 404 for it, others still 403
    graves: dict[str, str] = field(default_factory=dict)
    invitations: dict[str, dict[str, Any]] = field(default_factory=dict)
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    blobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    blob_owners: dict[str, str] = field(default_factory=dict)  # key -> who asked for the URL
    agents: dict[str, dict[str, Any]] = field(default_factory=dict)
    agent_serial: int = 0
    passwords: dict[str, str] = field(default_factory=dict)  # user -> sha256 of the password

    def right(self, name: str) -> dict[str, Any] | None:
        """A catalogue entry by name."""
        return next((r for r in self.rights if r["name"] == name), None)

    def internal(self, level: str) -> list[str]:
        """Names of the internal rights of one level (global, tenant, org)."""
        return [r["name"] for r in self.rights if r[f"for_{level}"] and not r["external"]]

    def external(self, *levels: str) -> list[str]:
        """Names of the external rights of some levels."""
        return [r["name"] for r in self.rights
                if r["external"] and any(r[f"for_{lv}"] for lv in levels)]

    def held(self, user: str, kind: str, scope: str | None) -> set[str]:
        """The rights a user effectively holds in one scope (active records only)."""
        record = self.admins.get((kind, scope or "", user))
        if record is None or record["status"] != "active" or scope is None and kind != "global":
            return set()
        return set(record["security_rights"])

    def scope_admins(self, kind: str, scope: str) -> Iterator[dict[str, Any]]:
        """The admin records of one scope."""
        return (a for (k, s, _), a in self.admins.items() if k == kind and s == scope)

    def tenant(self, tenant_id: str) -> dict[str, Any]:
        """A tenant, or 404."""
        if tenant_id not in self.tenants:
            raise Problem(404, "No tenant is registered under this id.", tenant_id=tenant_id)
        return self.tenants[tenant_id]

    def org(self, org_id: str) -> dict[str, Any]:
        """An organisation, or 404."""
        if org_id not in self.orgs:
            raise Problem(404, "No organisation is registered under this id.", org_id=org_id)
        return self.orgs[org_id]

    def enrol(self, kind: str, scope: str, user: str, rights: list[str],
              when: str | None = None) -> dict[str, Any]:
        """Create or reactivate an admin record holding (at least) `rights`."""
        moment = when or stamp()
        person = self.users.get(user, {})
        record = self.admins.get((kind, scope, user))
        if record is None:
            record = {"id": user, "email": person.get("email"),
                      "given_name": person.get("given_name"),
                      "family_name": person.get("family_name"), "security_rights": [],
                      "inserted_at": moment, "archived_at": None}
            if kind != "global":
                record[f"{kind}_id"] = scope
            self.admins[(kind, scope, user)] = record
        merged = record["security_rights"] + [r for r in rights
                                              if r not in record["security_rights"]]
        record.update(status="active", archived_at=None, updated_at=moment,
                      security_rights=merged)
        return record


def _person(store: SvxStore, label: str, given: str | None, family: str | None) -> str:
    user = ident(f"user:{label}")
    email = f"{label}@independent.example" if given else None
    store.users[user] = {"id": user, "email": email, "given_name": given, "family_name": family}
    # a password of its own that no client knows (sha256, as svx_extras.digest keeps it)
    store.passwords[user] = hashlib.sha256(f"{label}-{uuid.uuid4()}".encode()).hexdigest()
    return user


def _entity(kind: str, label: str, name: str, n: int, **extra: Any) -> dict[str, Any]:
    when = stamp(EPOCH + timedelta(hours=n))
    return {"id": ident(f"{kind}:{label}"), "name": name, "status": "active",
            "inserted_at": when, "updated_at": when, "archived_at": None, **extra}


def _archive_some(items: list[dict[str, Any]], every: int, clear: bool = False) -> None:
    for item in items[every - 1::every]:
        item.update(status="archived", archived_at=item["updated_at"])
        if clear:  # archived admins "do not have them now"
            item["security_rights"] = []


def _give_logos(items: list[dict[str, Any]]) -> None:
    """A logo for every item but every fifth (those answer 404 on their logo redirect)."""
    for n, item in enumerate(items):
        if n % 5 != 4:
            item["logo_url"] = f"https://cdn.independent.example/logos/{item['id']}.svg"


def _tenant_fields() -> dict[str, Any]:
    keys = ("authorised_officer_email", "authorised_officer_first_name",
            "authorised_officer_last_name", "business_address", "color", "company_number",
            "legal_name", "lei_number", "logo_url", "status_in_tenant", "trading_name")
    return dict.fromkeys(keys)


def _org_fields() -> dict[str, Any]:
    return {**_tenant_fields(), "company_url": None}


def seed(store: SvxStore) -> dict[str, str]:
    """Fill an empty store; returns the ids the personas need."""
    tenant_rights = store.internal("tenant") + store.internal("org")
    tenants = [_entity("tenant", str(n), f"Tenant {ORG_NAMES[n % 24].title()} {n:02d}", n,
                       security_rights=list(tenant_rights), **_tenant_fields())
               for n in range(24)]
    tenants[0]["security_rights"] += store.external("tenant", "org")
    _archive_some(tenants[2:], 7)
    _give_logos(tenants)
    store.tenants = {t["id"]: t for t in tenants}
    a, b = tenants[0]["id"], tenants[1]["id"]
    orgs = [_entity("org", f"a{n}", name, 30 + n, tenant_id=a,
                    security_rights=store.internal("org"), **_org_fields())
            for n, name in enumerate(ORG_NAMES)]
    _archive_some(orgs[1:], 8)
    # org A1 also enables its tenant's external org right, which its org admin does not hold
    orgs[0]["security_rights"] = orgs[0]["security_rights"] + store.external("org")
    orgs += [_entity("org", f"b{n}", f"Bravo unit {n}", 60 + n, tenant_id=b,
                     security_rights=store.internal("org"), **_org_fields()) for n in range(3)]
    _give_logos(orgs)
    store.orgs = {o["id"]: o for o in orgs}
    people = {label: _person(store, label, given, family) for label, given, family in (
        ("root", "Gale", "Operator"), ("tenant-a", "Tara", "Admin"),
        ("tenant-b", "Bodil", "Other"), ("org-a1", "Otto", "Orgson"), ("nobody", "Nia", "Null"),
        ("assigner", "Asta", "Granter"))}
    when = stamp(EPOCH)
    store.enrol("global", "", people["root"], store.internal("global"), when)
    # a global admin who may assign global rights and holds no other
    store.enrol("global", "", people["assigner"], ["atom:global:assign_global_sr_to_user"], when)
    store.enrol("tenant", a, people["tenant-a"], store.internal("tenant"), when)
    store.enrol("tenant", b, people["tenant-b"], store.internal("tenant"), when)
    store.enrol("org", orgs[0]["id"], people["org-a1"], store.internal("org"), when)
    _seed_admins(store, a, orgs[0]["id"])
    _seed_invitations(store, a, orgs[0]["id"], people["tenant-a"])
    _seed_deployments(store, orgs[0]["id"], orgs[-3]["id"])
    return {"tenant_a": a, "tenant_b": b, "org_a1": orgs[0]["id"], "org_b1": orgs[-3]["id"],
            **{f"user_{k}": v for k, v in people.items()}}


def _seed_admins(store: SvxStore, tenant: str, org: str) -> None:
    scopes = (("global", "", "atom:global:view_all_orgs"),
              ("tenant", tenant, "atom:tenant:view_tenant"), ("org", org, "atom:org:view_org"))
    for kind, scope, right in scopes:
        records = []
        for n, given in enumerate(GIVEN):
            user = _person(store, f"{kind}-{n}", given, "Tester" if n % 3 else None)
            records.append(store.enrol(kind, scope, user, [right],
                                       stamp(EPOCH + timedelta(days=1, minutes=n))))
        _archive_some(records, 8, clear=True)


def _seed_invitations(store: SvxStore, tenant: str, org: str, inviter: str) -> None:
    """Invitations of every status in tenant A's, org A1's and the global context: the
    accepted and expired ones date from 2025, the pending ones from the moment of seeding."""
    now = datetime.now(UTC)
    contexts = (("tenant", tenant, None), ("org", tenant, org), ("global", None, None))
    for c, (kind, tenant_id, org_id) in enumerate(contexts):
        for n in range(9):
            status = STATUS_CYCLE[n % 3]
            made = now - timedelta(minutes=5 + n + 20 * c) if status == "pending" \
                else EPOCH + timedelta(days=3, hours=n + 20 * c)
            label = f"{kind}-{n}"
            key = "inv_" + ident(f"invitation:{label}").replace("-", "")[:26]
            store.invitations[key] = {
                "id": key, "email": f"invitee-{label}@independent.example",
                "given_name": GIVEN[(n * 5 + c) % len(GIVEN)], "family_name": None,
                "context": kind, "tenant_id": tenant_id, "org_id": org_id,
                "invited_by": inviter, "status": status, "created_at": stamp(made),
                "updated_at": stamp(made), "expires_at": stamp(made + timedelta(days=7))}


def _seed_deployments(store: SvxStore, org_a1: str, org_b1: str) -> None:
    """23 deployments of org A1 (two pages at the default size), 2 of org B1."""
    for n, org in enumerate([org_a1] * 23 + [org_b1] * 2):
        label = ident(f"deployment:{n}").replace("-", "")
        made = deployment(org, f"wallet {n}", "1.3", stamp(EPOCH + timedelta(days=5, hours=n)),
                          f"{label[:5]}-{label[5:10]}")
        store.deployments[made["instance_id"]] = made
