"""Bearer tokens: HS256 JWTs signed with this implementation's own secret, one audience per API."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt

from .problems import Problem

SECRET = "independent-vendor-signing-key-not-the-mocks-0f3c9a"
AUDIENCES = {"svx": "urn:independent:svx", "transmit": "urn:independent:transmit"}
LIFETIME = 3 * 24 * 3600


@dataclass(frozen=True)
class Bearer:
    """The verified claims of a request's token."""

    subject: str
    claims: dict[str, Any]


def issue(api: str, subject: str, **claims: Any) -> str:
    """A signed token for one API."""
    now = int(time.time())
    payload = {"sub": subject, "aud": AUDIENCES[api], "iat": now, "exp": now + LIFETIME,
               **claims}
    return jwt.encode(payload, SECRET, algorithm="HS256")


def authenticate(api: str, header: str | None) -> Bearer:
    """The bearer of an Authorization header; 401 for anything else."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "A bearer token is required for this resource.")
    try:
        claims = jwt.decode(token.strip(), SECRET, algorithms=["HS256"],
                            audience=AUDIENCES[api], options={"require": ["sub", "exp"]})
    except jwt.PyJWTError:
        raise Problem(401, "The bearer token could not be verified.") from None
    if not isinstance(claims.get("sub"), str):
        raise Problem(401, "The bearer token names no subject.")
    return Bearer(claims["sub"], claims)
