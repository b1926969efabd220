"""Values the scenery resolves by name: security rights, apps, names, passwords, uploads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from contract_tests.requests import TINY_PNG, Planned, SetupFailed, multipart
from orgkit.model import ApiModel, Operation
from orgkit.rightsrules import RightsMode, Scope

if TYPE_CHECKING:
    from contract_tests.personas import Persona
    from contract_tests.scenery import Scenery
    from contract_tests.sites import Site

# Path parameters whose value depends on the item the other parameters name.
DEPENDENT_PATH_PARAMS = ("security_rights",)
# Body fields whose valid value only the user knows: the suite cannot build such a request.
CURRENT_SECRETS = ("current_password", "old_password")


def query_value(schema: Mapping[str, Any]) -> Any:
    """A value for a required query parameter.

    Strings without example, enum or default are sent empty: the one such parameter
    (`storage_name`) says that no name means the default storage.
    """
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    return {"boolean": False, "integer": int(schema.get("minimum", 1))}.get(
        str(schema.get("type")), "")


def multipart_body(schema: Mapping[str, Any]) -> bytes:
    """A multipart body with a tiny PNG in every required binary field."""
    props = schema.get("properties") or {}
    return multipart({name: (f"{name}.png", TINY_PNG, "image/png")
                      for name in schema.get("required") or () if name in props})


def path_value(scenery: Scenery, planned: Planned, name: str, site: Site) -> str | None:
    """Path values that are not item ids of a collection (None: not one of those)."""
    if name == "security_rights":
        return held_right(scenery, planned)
    if name == "app_id":
        return app_id(scenery)
    if name == "organization_name":
        item_id = scenery.shared("organizations", site, "shared")
        return str(scenery.facts.get(item_id, {}).get("name") or "")
    return None


def body_overrides(scenery: Scenery, planned: Planned, body: Any,
                   persona: Persona | None) -> dict[str, Any]:
    """Body fields whose valid value depends on the API's state (dotted paths)."""
    found: dict[str, Any] = {}
    if isinstance(body, dict) and "security_rights" in body:
        found["security_rights"] = [right_to_grant(scenery, planned)]
    if isinstance(body, dict) and "app_ids" in body:
        found["app_ids"] = [app_id(scenery)]
    if isinstance(body, dict) and "domain" in body:
        domain = f"{scenery.maker.unique_name()}.example.com"
        found.update(domain=domain, domains=[domain])
    who = persona.name if persona is not None else "orgkit"
    for dotted in _keys(body):
        if "password" in dotted.rsplit(".", 1)[-1]:
            # One stable password per persona: changing it to itself keeps the next run valid.
            found[dotted] = f"orgkit-{who}-password"
    return found


def unknown_secret(planned: Planned) -> str | None:
    """Why no valid request can be built (the body needs the caller's current password)."""
    for dotted in _keys(planned.body):
        if dotted.rsplit(".", 1)[-1] in CURRENT_SECRETS:
            return (f"a valid request needs the caller's current password "
                    f"({dotted}), which the suite does not know (the server's users have their "
                    "own, and generated cases change it)")
    return None


def _keys(body: Any, prefix: str = "") -> list[str]:
    if not isinstance(body, dict):
        return []
    keys = []
    for key, value in body.items():
        keys.append(prefix + key)
        keys += _keys(value, f"{prefix}{key}.")
    return keys


# -- security rights ------------------------------------------------------------------------


def catalogue(scenery: Scenery) -> list[dict[str, Any]]:
    """The active security rights the API knows (its public catalogue operation)."""
    if "catalogue" not in scenery.cache:
        scenery.cache["catalogue"] = _fetch_catalogue(scenery)
    rights: list[dict[str, Any]] = scenery.cache["catalogue"]
    return rights


def _fetch_catalogue(scenery: Scenery) -> list[dict[str, Any]]:
    for op in scenery.model.operations:
        rule = op.resource
        if (rule and rule.collection == "security_rights" and op.method == "GET"
                and op.rights.mode is RightsMode.PUBLIC):
            body = scenery.call(Planned(op), None).json()
            items = body.get("security_rights") if isinstance(body, dict) else None
            if isinstance(items, list):
                return [r for r in items if isinstance(r, dict) and r.get("active", True)]
    raise SetupFailed("cannot read the security rights catalogue (GET /security_rights)")


def levels(model: ApiModel) -> dict[str, str]:
    """Collection -> the level of the security rights its operations assign, add or remove:
    a grant source's collection holds rights of its scope, the org scope's collection (and
    the collection its tenant field references) enables rights of the org (tenant) level."""
    found = {s.collection: s.scope.value for s in model.identity.sources
             if s.collection is not None and s.scope is not Scope.PERMISSION}
    nesting = model.scopes.get(Scope.ORG)
    if nesting is not None:
        found.setdefault(nesting.collection, Scope.ORG.value)
        declared = model.collections.get(nesting.collection)
        tenants = declared.references.get(nesting.tenant_field) if declared else None
        if tenants is not None:
            found.setdefault(tenants, Scope.TENANT.value)
    return found


def scope_param(model: ApiModel, level: str) -> str | None:
    """The field naming where rights of a level apply (a grant source's scope_field)."""
    return next((s.scope_field for s in model.identity.sources
                 if s.scope.value == level and s.scope_field), None)


def right_to_grant(scenery: Scenery, planned: Planned) -> str:
    """A right of the operation's level that is enabled where it is granted."""
    level = _level(scenery, planned)
    param = scope_param(scenery.model, level)
    collection = scenery.id_params.get(param or "", "")
    scope_id = planned.path.get(param or "")
    pool = None if not scope_id else enabled_rights(scenery, collection, scope_id)
    return _pick(scenery, planned, level, pool)


def held_right(scenery: Scenery, planned: Planned) -> str:
    """A right the addressed tenant, organisation or admin holds (for removals)."""
    rule = planned.op.resource
    item_id = planned.value(rule.id_ref) if rule and rule.id_ref else None
    pool = enabled_rights(scenery, rule.collection if rule else "", item_id or "")
    return _pick(scenery, planned, _level(scenery, planned), pool)


def _level(scenery: Scenery, planned: Planned) -> str:
    rule = planned.op.resource
    return levels(scenery.model).get(rule.collection if rule else "", Scope.GLOBAL.value)


def enabled_rights(scenery: Scenery, collection: str, item_id: str) -> list[str]:
    """The security rights an item lists (known facts, else read through the API)."""
    known = scenery.facts.get(item_id, {}).get("security_rights")
    if known is None:
        known = (scenery.lookup(collection, item_id) or {}).get("security_rights")
    return [str(r) for r in known or ()]


def _pick(scenery: Scenery, planned: Planned, level: str, pool: list[str] | None) -> str:
    rights = catalogue(scenery)
    pure = [r["name"] for r in rights if r.get(f"for_{level}") and not any(
        r.get(f"for_{other}") for other in ("global", "tenant", "org") if other != level)]
    fits = [n for n in pure if pool is None or n in pool]
    if not fits:
        raise SetupFailed(f"{planned.describe()}: no {level}-level security right is enabled "
                          f"there (enabled: {pool})")
    examples = _example_rights(scenery, planned)
    internal = [r["name"] for r in rights if not r.get("external")]
    return str(sorted(fits, key=lambda n: (n not in examples, n not in internal, n))[0])


def _example_rights(scenery: Scenery, planned: Planned) -> list[str]:
    media: Mapping[str, Any] = next(iter(planned.op.request_content.values()), {})
    example = media.get("example")
    names = example.get("security_rights") if isinstance(example, dict) else None
    return [str(n) for n in names or ()]


# -- Transmit apps --------------------------------------------------------------------------


def app_id(scenery: Scenery) -> str:
    """An application id read from the app_ids of an existing organization."""
    if "app_id" not in scenery.cache:
        op = scenery.find_op("organizations", "GET", addressed=False)
        found = None
        if op is not None:
            planned = Planned(op)
            actor = scenery.actor(planned)
            body = scenery.call(planned, actor).json()
            items = body.get("result") if isinstance(body, dict) else None
            found = next((str(o["app_ids"][0]) for o in items or ()
                          if isinstance(o, dict) and o.get("app_ids")), None)
        if found is None:
            raise SetupFailed("no organization lists an app id (GET /v1/organizations)")
        scenery.cache["app_id"] = found
    return str(scenery.cache["app_id"])


# -- after creation -------------------------------------------------------------------------


def finisher(scenery: Scenery, collection: str) -> Operation | None:
    """The operation after_make calls to finish creating an item (blobs: the confirm)."""
    op = scenery.find_op("blobs", "PUT", addressed=True) if collection == "blobs" else None
    return op if op is not None and op.resource and op.resource.id_ref else None


def after_make(scenery: Scenery, collection: str, item_id: str, actor: Persona,
               confirm: bool = True) -> None:
    """Finish what creation starts: a blob gets its bytes uploaded and (unless the item is
    for the confirm operation itself, which may refuse a second confirmation) is confirmed.

    The upload URL may point where the suite cannot reach (a vendor's cloud storage, from a
    CI without egress): the blob is confirmed all the same, and when the API refuses that,
    the blob stays unconfirmed and what needs it is not tested (SetupFailed) -- never judged
    on a blob the seed says answers 404 ("only available after the upload has been
    confirmed").
    """
    if collection != "blobs":
        return
    blob = scenery.facts.get(item_id, {})
    url, headers = blob.get("upload_url"), blob.get("upload_headers") or {}
    if not url:
        return
    try:
        put = scenery.suite.target.client.put(str(url), content=TINY_PNG, headers=dict(headers))
        uploaded = f"answered {put.status_code}" if put.status_code >= 300 else ""
    except httpx.HTTPError as error:
        uploaded = f"could not be reached ({type(error).__name__})"
    op = finisher(scenery, collection)
    if op is None or op.resource is None or op.resource.id_ref is None or not confirm:
        return
    answer = scenery.call(Planned(op, {op.resource.id_ref.name: item_id}), actor)
    if uploaded and not 200 <= answer.status < 300:
        raise SetupFailed(f"blob {item_id}: its upload_url {uploaded} and {op.operation_id}"
                          f" answered {answer.status}: the blob is not confirmed")
