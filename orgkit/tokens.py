"""JWT minting and verification (PyJWT): HS256 and RS256, never `none`, expiry enforced."""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from orgkit.errors import ConfigError, Unauthenticated

# The default secret is public on purpose: it lets `orgkit token` print tokens that a mock started
# with defaults accepts. It is long enough for PyJWT's HMAC key-length check.
DEFAULT_SECRET = "orgkit-mock-secret-change-me-for-anything-shared-0001"
ALGORITHMS = ("HS256", "RS256")
KEY_ID = "orgkit-mock-rs256"
DATE_CLAIMS = ("exp", "nbf", "iat")


@dataclass(frozen=True)
class TokenConfig:
    """How tokens are signed and checked."""

    secret: str = DEFAULT_SECRET
    issuer: str | None = None
    audience: str | None = None
    leeway_seconds: int = 0
    ttl_seconds: int = 3600
    algorithms: tuple[str, ...] = ALGORITHMS

    def __post_init__(self) -> None:
        if len(self.secret.encode()) < 32:
            raise ConfigError(f"the HS256 secret must be at least 32 bytes, got "
                              f"{len(self.secret.encode())}")
        unknown = set(self.algorithms) - set(ALGORITHMS)
        if unknown or not self.algorithms:
            raise ConfigError(f"algorithms must be a non-empty subset of {ALGORITHMS}, "
                              f"got {self.algorithms}")


@dataclass
class KeyRing:
    """The mock's signing keys: the HS256 secret and an RS256 key pair made at start-up."""

    config: TokenConfig = field(default_factory=TokenConfig)
    _private: rsa.RSAPrivateKey = field(init=False, repr=False)
    # Signs upload URLs: random per process, unlike the HS256 secret, which is public by default.
    upload_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def __post_init__(self) -> None:
        self._private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @property
    def public_pem(self) -> bytes:
        """The RS256 public key in PEM."""
        return self._private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def jwks(self) -> dict[str, Any]:
        """The public key set, as published by the mock."""
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._private.public_key(), as_dict=True)
        jwk.update({"kid": KEY_ID, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def mint(self, claims: dict[str, Any], *, algorithm: str = "HS256",
             ttl_seconds: int | None = None) -> str:
        """Sign claims; adds iat/exp (and iss/aud when configured) unless given."""
        now = int(time.time())
        ttl = self.config.ttl_seconds if ttl_seconds is None else ttl_seconds
        body = {"iat": now, "exp": now + ttl, **claims}
        if self.config.issuer:
            body.setdefault("iss", self.config.issuer)
        if self.config.audience:
            body.setdefault("aud", self.config.audience)
        if algorithm == "RS256":
            return jwt.encode(body, self._private, algorithm="RS256", headers={"kid": KEY_ID})
        if algorithm == "HS256":
            return jwt.encode(body, self.config.secret, algorithm="HS256")
        raise ConfigError(f"cannot sign with {algorithm!r}; use one of {ALGORITHMS}")

    def verify(self, token: str, subject_claim: str = "sub") -> dict[str, Any]:
        """Claims of a valid token naming its subject in `subject_claim` (the API's
        x-orgkit.auth.subject_claim); Unauthenticated says exactly why a token is refused."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("the bearer token is not a JWT") from None
        alg = header.get("alg")
        if alg not in self.config.algorithms:
            raise Unauthenticated(f"token algorithm {alg!r} is not accepted; "
                                  f"accepted: {', '.join(self.config.algorithms)}")
        key: Any = self.config.secret if alg == "HS256" else self._private.public_key()
        return self._decode(token, key, alg, subject_claim)

    def _decode(self, token: str, key: Any, alg: str, subject: str) -> dict[str, Any]:
        options: Any = {"require": ["exp", subject], "verify_aud": self.config.audience is not None}
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=[alg], options=options, leeway=self.config.leeway_seconds,
                issuer=self.config.issuer, audience=self.config.audience,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise Unauthenticated("the token is not valid yet (nbf/iat in the future)") from None
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"the token lacks the required claim {exc.claim!r}") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated(f"the token's issuer is wrong; expected "
                                  f"{self.config.issuer!r}") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated(f"the token's audience is wrong; expected "
                                  f"{self.config.audience!r}") from None
        except jwt.InvalidSignatureError:
            raise Unauthenticated("the token's signature does not verify") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"the token is invalid: {exc}") from None
        if not isinstance(claims.get(subject), str) or not claims[subject]:
            raise Unauthenticated(f"the token's {subject!r} claim must be a non-empty string")
        _check_numeric_dates(claims)
        return claims


def _check_numeric_dates(claims: dict[str, Any]) -> None:
    """Unauthenticated unless exp/nbf/iat are JSON numbers (RFC 7519 NumericDate).

    PyJWT converts a numeric string such as "9999999999" and accepts it; callers that compare
    the claim with a number (the mock's token cache) would then fail on the string.
    """
    for name in DATE_CLAIMS:
        value = claims.get(name)
        if name in claims and (isinstance(value, bool) or not isinstance(value, int | float)
                               or not math.isfinite(value)):
            raise Unauthenticated(f"the token's {name!r} claim must be a number of seconds "
                                  f"since the epoch, got {value!r:.60}")
