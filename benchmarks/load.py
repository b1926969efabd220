"""Drive wrk with the same settings for every server and read its figures."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

THREADS = 1
CONNECTIONS = 16


@dataclass(frozen=True)
class LoadResult:
    """One wrk run."""

    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


def _lua(method: str, body: object | None, token: str | None, paths: tuple[str, ...]) -> str:
    lines = [f'wrk.method = "{method}"']
    if paths:  # each request a path drawn at random (many distinct reads, not one URL)
        lines.append("paths = {" + ", ".join(json.dumps(p) for p in paths) + "}")
        lines.append("request = function() return wrk.format(nil, paths[math.random(#paths)])"
                     " end")
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(json.dumps(body))}")
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    if token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    return "\n".join(lines) + "\n"


def run_wrk(wrk: str, url: str, *, seconds: int, method: str = "GET",
            body: object | None = None, token: str | None = None,
            paths: tuple[str, ...] = ()) -> LoadResult:
    """One bounded wrk run against url (loopback only); with paths, each request asks for
    one of them at random."""
    if not url.startswith("http://127.0.0.1"):
        raise ValueError(f"benchmarks only target 127.0.0.1, got {url}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(method, body, token, paths))
    cmd = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency",
           "-s", script.name, url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60,
                         check=True).stdout
    Path(script.name).unlink()
    return parse(out)


def parse(out: str) -> LoadResult:
    """Requests/s, p50, p99 and non-2xx counts from wrk's --latency output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return LoadResult(rps, _percentile(out, "50%"), _percentile(out, "99%"),
                      int(bad.group(1)) if bad else 0)


def _percentile(out: str, label: str) -> float:
    match = re.search(rf"^\s+{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
