"""The long proving runs behind `make prove`: fuzzing, JWT attacks, load. Prints a table.

All traffic goes to a mock this script starts on 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crash_probes import crash_probes  # noqa: E402
from orgkit_fixtures import load, persona_token  # noqa: E402
from probes import around  # noqa: E402
from servers import ROOT, Server, start_orgkit  # noqa: E402

from orgkit.tokens import DEFAULT_SECRET, KeyRing  # noqa: E402


@dataclass(frozen=True)
class Line:
    """One result of the proving run."""

    what: str
    result: str
    ok: bool


def fuzz(server: Server, cases_wanted: int, folder: Path) -> list[Line]:
    """Schemathesis `st run --checks all` (positive and negative) until enough cases ran."""
    data = load()
    svx_token = persona_token(data, "global-admin", KeyRing())
    runs = [("svx", svx_token, 45), ("transmit", _transmit_token(server, data), 150)]
    lines, total, failures, seed = [], 0, 0, 0
    while total < cases_wanted:
        seed += 1
        for api, token, examples in runs:
            generated, failed = _st_run(server, api, token, examples, seed, folder)
            total, failures = total + generated, failures + failed
            httpx.post(server.base.removesuffix("/svx") + "/__mock/reset", json={})
    lines.append(Line(f"Schemathesis --checks all, both APIs ({seed} seeds)",
                      f"{total} cases, {failures} failures", failures == 0))
    return lines


def _transmit_token(server: Server, data: dict[str, object]) -> str:
    persona = data["personas"]["management-app"]  # type: ignore[index]
    form = {"grant_type": "client_credentials", "client_id": persona["client_id"],
            "client_secret": persona["client_secret"]}
    url = server.base.removesuffix("/svx") + "/cis/oidc/token"
    return str(httpx.post(url, data=form).json()["access_token"])


def _st_run(server: Server, api: str, token: str, examples: int, seed: int,
            folder: Path) -> tuple[int, int]:
    spec = folder / f"{api}.json"
    if not spec.exists():
        subprocess.run([sys.executable, "-m", "orgkit_cli", "spec", "--api", api, "--out",
                        str(spec)], check=True, capture_output=True)
    base = server.base.removesuffix("/svx") + ("/svx" if api == "svx" else "/cis")
    st = str(Path(sys.executable).parent / "st")
    done = subprocess.run(
        [st, "run", str(spec), "--url", base, "-H", f"Authorization: Bearer {token}",
         "--checks", "all", "-n", str(examples), "--seed", str(seed), "-w", "1"],
        capture_output=True, text=True, cwd=ROOT, timeout=1800)
    found = re.search(r"(\d+) generated, (?:(\d+) found|(\d+) passed)", done.stdout)
    if found is None:
        raise RuntimeError(f"cannot read st output:\n{done.stdout[-2000:]}")
    failed = int(found.group(2)) if found.group(2) else 0
    return int(found.group(1)), failed


def attacks(server: Server) -> list[Line]:
    """Forged and broken JWTs against a protected operation: each must be a 401 in shape."""
    data = load()
    sub = data["personas"]["global-admin"]["sub"]
    now = int(time.time())
    keyring_pub = httpx.get(server.base.removesuffix("/svx") + "/__mock/jwks.json").json()
    cases = {
        "alg none": _unsigned({"sub": sub, "exp": now + 60}),
        "HS256 signed with the RS256 public key": _hs_with_public_key(keyring_pub, sub, now),
        "expired": jwt.encode({"sub": sub, "exp": now - 60}, DEFAULT_SECRET, "HS256"),
        "not yet valid": jwt.encode({"sub": sub, "exp": now + 600, "nbf": now + 300},
                                    DEFAULT_SECRET, "HS256"),
        "tampered payload": _tampered(jwt.encode({"sub": sub, "exp": now + 60},
                                                 DEFAULT_SECRET, "HS256")),
        "wrong secret": jwt.encode({"sub": sub, "exp": now + 60}, "x" * 40, "HS256"),
        "missing sub": jwt.encode({"exp": now + 60}, DEFAULT_SECRET, "HS256"),
        "garbage": "not-a-jwt",
    }
    lines = []
    for name, token in cases.items():
        r = httpx.get(server.base + "/tenants", headers={"Authorization": f"Bearer {token}"})
        shaped = r.status_code == 401 and r.json().get("http_code") == 401
        lines.append(Line(f"JWT attack: {name}", f"{r.status_code}", shaped))
    return lines


def getting_around(server: Server) -> list[Line]:
    """The probes of benchmarks/probes.py: cross-origin control calls, rebinding, big inputs."""
    data = load()
    persona = data["personas"]["tenant-admin"]
    token = persona_token(data, "tenant-admin", KeyRing())
    found = around(server.base.removesuffix("/svx"), token, persona["tenant_id"])
    return [*(Line(what, result, ok) for what, result, ok in found),
            memo_flood(server, token, persona["tenant_id"])]


def memo_flood(server: Server, token: str, tenant: str, reads: int = 4_000) -> Line:
    """Reads that each carry their own 30 kB header: the remembered answers (keyed by every
    header) stay within their 32 MiB, so the mock grows by far less than the ~120 MB sent."""
    before = server.rss_mb()
    url = f"{server.base}/tenants/{tenant}/orgs"
    with httpx.Client(timeout=10) as client:
        for i in range(reads):
            client.get(url, headers={"Authorization": f"Bearer {token}",
                                     "X-Pad": f"{i}-" + "x" * 30_000})
    grown = server.rss_mb() - before
    return Line(f"{reads:,} reads, each with its own 30 kB header (remembered answers)",
                f"resident memory +{grown:.0f} MiB", grown < 48)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unsigned(claims: dict[str, object]) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


def _hs_with_public_key(jwks: dict[str, list[dict[str, str]]], sub: str, now: int) -> str:
    import hashlib
    import hmac

    public = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwks["keys"][0]))
    from cryptography.hazmat.primitives import serialization

    pem = public.public_bytes(serialization.Encoding.PEM,  # type: ignore[union-attr]
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    signing = (f"{_b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}."
               f"{_b64(json.dumps({'sub': sub, 'exp': now + 60}).encode())}")
    signature = hmac.new(pem, signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{_b64(signature)}"


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


async def _client_loop(client: httpx.AsyncClient, url: str, deadline: float,
                       acked: list[str], statuses: list[int]) -> None:
    n = 0
    while time.monotonic() < deadline:
        n += 1
        r = await client.post(url, json={"name": f"load-{id(acked)}-{n}"})
        statuses.append(r.status_code)
        if r.status_code == 201:
            org = r.json()["org"]["id"]
            acked.append(org)
            u = await client.put(url.rsplit("/tenants", 1)[0] + f"/orgs/{org}",
                                 json={"name": f"load-updated-{n}"})
            statuses.append(u.status_code)


async def _load(server: Server, clients: int, seconds: float) -> tuple[list[str], list[int]]:
    data = load()
    persona = data["personas"]["tenant-admin"]
    token = persona_token(data, "tenant-admin", KeyRing())
    url = f"{server.base}/tenants/{persona['tenant_id']}/orgs"
    acked: list[str] = []
    statuses: list[int] = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(_client_loop(client, url, deadline, acked, statuses)
                               for _ in range(clients)))
    return acked, statuses


def load_test(server: Server, clients: int, seconds: float) -> list[Line]:
    """Concurrent creates and updates: no 5xx, no lost write, snapshot restores exactly."""
    acked, statuses = asyncio.run(_load(server, clients, seconds))
    data = load()
    token = persona_token(data, "tenant-admin", KeyRing())
    listed = _walk(server, data["personas"]["tenant-admin"]["tenant_id"], token)
    lost = sorted(set(acked) - listed)
    control = server.base.removesuffix("/svx") + "/__mock/snapshot"
    before = httpx.get(control).json()
    tenant = data["personas"]["tenant-admin"]["tenant_id"]
    httpx.post(f"{server.base}/tenants/{tenant}/orgs", json={"name": "after the snapshot"},
               headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    changed = httpx.get(control).json() != before
    httpx.put(control, json=before).raise_for_status()
    after = httpx.get(control).json()
    errors = sum(1 for s in statuses if s >= 500)
    return [
        Line(f"load: {clients} clients × {seconds:.0f} s create+update",
             f"{len(statuses)} requests, {len(acked)} creates acknowledged", True),
        Line("load: server errors (5xx)", str(errors), errors == 0),
        Line("load: acknowledged creates missing from the list", str(len(lost)), not lost),
        Line("load: snapshot, change, restore → identical to the snapshot",
             str(changed and before == after), changed and before == after),
    ]


def _walk(server: Server, tenant: str, token: str) -> set[str]:
    ids: set[str] = set()
    page = 1
    while page < 10_000:
        r = httpx.get(f"{server.base}/tenants/{tenant}/orgs",
                      params={"per_page": 100, "page": page, "status": "all"},
                      headers={"Authorization": f"Bearer {token}"})
        items = r.json()["orgs"]
        ids |= {o["id"] for o in items}
        if len(items) < 100:
            return ids
        page += 1
    return ids


def main() -> int:
    """Run everything and print the table; exit 1 if any line failed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000, help="Schemathesis cases at least")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    server = start_orgkit()
    lines: list[Line] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            lines += attacks(server)
            lines += [Line(f"hostile request: {name}", "4xx, state kept" if held else "broke",
                           held) for name, held in crash_probes(server.base.removesuffix("/svx"))]
            lines += getting_around(server)
            lines += load_test(server, args.clients, args.seconds)
            lines += fuzz(server, args.cases, Path(tmp))
    finally:
        server.stop()
    print("| check | result | ok |\n|---|---|---|")
    for line in lines:
        print(f"| {line.what} | {line.result} | {'yes' if line.ok else 'NO'} |")
    return 0 if all(line.ok for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
