"""Hostile single requests for `make prove`: each must be a clear 4xx and leave the mock whole."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import jwt
from orgkit_fixtures import load

from orgkit.tokens import DEFAULT_SECRET

JSON = {"Content-Type": "application/json"}
DEEP = b"[" * 100_000 + b"]" * 100_000
Probe = Callable[[httpx.Client], bool]


def _numeric_string_exp(c: httpx.Client) -> bool:
    sub = load()["personas"]["global-admin"]["sub"]
    token = jwt.encode({"sub": sub, "exp": str(int(time.time()) + 600)}, DEFAULT_SECRET)
    auth = {"Authorization": f"Bearer {token}"}
    return all(c.get("/svx/me", headers=auth).status_code == 401 for _ in range(3))


def _refused_untouched(c: httpx.Client, path: str, body: bytes) -> bool:
    before = c.get(path).json()
    status = c.put(path, content=body, headers=JSON).status_code
    return status == 400 and c.get(path).json() == before


def _snapshot_with(c: httpx.Client, spoil: Callable[[dict[str, object]], None]) -> bool:
    snapshot = c.get("/__mock/snapshot").json()
    spoil(snapshot)
    status = c.put("/__mock/snapshot", json=snapshot).status_code
    return status == 400


def _admin_rights_five(snapshot: dict[str, object]) -> None:
    admins = snapshot["apis"]["svx"]["collections"]["global_admins"]  # type: ignore[index]
    admins[0]["security_rights"] = 5


PROBES: dict[str, Probe] = {
    "token with a numeric-string exp, used 3 times": _numeric_string_exp,
    "faults {latency_ms: Infinity}": lambda c: _refused_untouched(
        c, "/__mock/faults", b'{"latency_ms": Infinity}'),
    "faults {jitter_ms: NaN}": lambda c: _refused_untouched(
        c, "/__mock/faults", b'{"jitter_ms": NaN}'),
    "10^5-deep JSON to /__mock/faults": lambda c: _refused_untouched(c, "/__mock/faults", DEEP),
    "10^5-deep JSON to /cis/oidc/token": lambda c: c.post(
        "/cis/oidc/token", content=DEEP, headers=JSON).status_code == 400,
    "snapshot with security_rights: 5 on an admin": lambda c: _snapshot_with(
        c, _admin_rights_five),
}


def crash_probes(origin: str) -> list[tuple[str, bool]]:
    """(probe, held) for every probe, then whether the mock still answers a plain read."""
    results = []
    with httpx.Client(base_url=origin, timeout=30) as client:
        for name, probe in PROBES.items():
            results.append((name, probe(client)))
        alive = client.get("/__mock/faults").status_code == 200
    return [*results, ("mock still serving after the probes", alive)]
