"""The formats Connexion's Draft 4 checker does not check (`uuid`, `uri`) and canonical uuids:
the validate stage's last step (mockserver/validation.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from mockserver.http import Request
from orgkit.errors import InvalidInput
from orgkit.grants import canonical_id
from orgkit.model import Operation, Parameter


def format_checks(op: Operation) -> tuple[tuple[Parameter, Callable[[str], bool]], ...]:
    """The parameters of op with a format Connexion does not check, each with its check."""
    return tuple((p, check) for p in op.parameters
                 if (check := FORMATS.get(str(p.schema.get("format")))) is not None)


def check_formats(req: Request,
                  checks: tuple[tuple[Parameter, Callable[[str], bool]], ...] | None = None,
                  ) -> None:
    """InvalidInput for parameters that break a format Connexion does not check (uuid, uri);
    checks: format_checks(req.op), when computed once for the operation."""
    for p, check in format_checks(req.op) if checks is None else checks:
        source = {"path": req.path, "query": req.query}.get(p.location)
        value = req.header(p.name) if p.location == "header" else (source or {}).get(p.name)
        if value is not None and not check(str(value)):
            raise InvalidInput(f"{p.location} parameter {p.name} must be a "
                               f"{p.schema['format']}, got {value!r}")


def canonical_uuids(req: Request) -> Request:
    """The request with uuid parameters in canonical lower-case form (one user, one id)."""
    path, query = _canonical(req, "path", req.path), _canonical(req, "query", req.query)
    headers = _canonical(req, "header", req.headers)
    if path is req.path and query is req.query and headers is req.headers:
        return req
    return replace(req, path=path, query=query, headers=headers)


def _canonical(req: Request, location: str, values: Mapping[str, Any]) -> Mapping[str, Any]:
    uuids = req.op.uuid_parameters.get(location, ())
    if not uuids:
        return values
    odd = [n for n in uuids if isinstance(values.get(n), str) and values[n] != values[n].lower()]
    return {**values, **{n: canonical_id(values[n]) for n in odd}} if odd else values


def check_body_formats(schema: Mapping[str, Any], value: Any, where: str) -> None:
    """InvalidInput for body strings that break a format Connexion does not check, at any depth.

    Connexion's Draft 4 format checker knows neither `uuid` nor (without rfc3987) `uri`, so a
    schema-valid-looking `"logo_url": "AAA"` would otherwise be stored and served back.
    """
    check = FORMATS.get(str(schema.get("format")))
    if check is not None and isinstance(value, str) and not check(value):
        raise InvalidInput(f"{where} must be a {schema['format']}, got {value!r}")
    if isinstance(value, dict):
        for name, prop in (schema.get("properties") or {}).items():
            if name in value:
                check_body_formats(prop, value[name], f"{where}.{name}")
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for i, element in enumerate(value):
            check_body_formats(schema["items"], element, f"{where}[{i}]")


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# RFC 3986 absolute URI: a scheme, a colon, then no whitespace or characters never allowed.
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")


def _is_uuid(text: str) -> bool:
    return _UUID.fullmatch(text) is not None


def _is_uri(text: str) -> bool:
    return _URI.fullmatch(text) is not None


FORMATS: Mapping[str, Callable[[str], bool]] = {"uuid": _is_uuid, "uri": _is_uri}
