"""Start and stop the servers under test (orgkit, Prism) on loopback, and measure them."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT / "benchmarks" / ".peers"
PRISM_VERSION = "5.16.0"


def free_port() -> int:
    """A free TCP port on 127.0.0.1: from ORGKIT_BENCH_PORTS ("9500-9599") when set (a machine
    shared with other runs), else any."""
    low, _, high = os.environ.get("ORGKIT_BENCH_PORTS", "").partition("-")
    # In random order: a port just handed out may not be bound by its server yet.
    ports = random.sample(range(int(low), int(high) + 1), int(high) + 1 - int(low)) \
        if low and high else [0]
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError(f"no free port in ORGKIT_BENCH_PORTS={low}-{high}")


@dataclass
class Server:
    """A running server process and where it answers."""

    name: str
    process: subprocess.Popen[bytes]
    base: str  # e.g. http://127.0.0.1:PORT/svx (orgkit) or http://127.0.0.1:PORT (Prism)
    startup_seconds: float

    def rss_mb(self) -> float:
        """Resident memory of the process (and its children) in MiB."""
        return sum(_rss_kb(pid) for pid in _tree(self.process.pid)) / 1024

    def stop(self) -> None:
        """Terminate the process tree."""
        for pid in reversed(_tree(self.process.pid)):
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=20)


def _tree(pid: int) -> list[int]:
    found = [pid]
    for child in Path("/proc").glob("[0-9]*"):
        try:
            stat = (child / "stat").read_text().split()
        except OSError:
            continue
        if int(stat[3]) == pid:
            found += _tree(int(child.name))
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def wait_ready(url: str, started: float, timeout: float = 300, status: int = 200) -> float:
    """Seconds from `started` until url answers `status` (200)."""
    while time.perf_counter() - started < timeout:
        try:
            if httpx.get(url, timeout=2).status_code == status:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer 200 within {timeout} s")


def start_orgkit(fixtures: Path | None = None, seed: int = 1,
                 options: tuple[str, ...] = (), env: dict[str, str] | None = None) -> Server:
    """`orgkit serve` on a free port (uvicorn, one worker), timed to its first 200."""
    port = free_port()
    cmd = [sys.executable, "-m", "orgkit_cli", "serve", "--port", str(port), "--no-cors",
           "--seed", str(seed), "--quiet", *options]  # no per-request console line
    if fixtures is not None:
        cmd += ["--fixtures", str(fixtures)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    ready = wait_ready(f"http://127.0.0.1:{port}/svx/version", started)
    name = "orgkit-computed" if "--no-read-cache" in options else "orgkit"
    return Server(name, proc, f"http://127.0.0.1:{port}/svx", ready)


def start_bare(body: bytes, status: int, folder: Path) -> Server:
    """The bare ASGI baseline (benchmarks/bare.py) answering every request with body."""
    port = free_port()
    path = folder / f"bare-{port}.json"
    path.write_bytes(body)
    cmd = [sys.executable, str(ROOT / "benchmarks" / "bare.py"), str(port), str(path), str(status)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready = wait_ready(f"http://127.0.0.1:{port}/", started, status=status)
    return Server("bare", proc, f"http://127.0.0.1:{port}/svx", ready)


def ensure_prism() -> Path:
    """The pinned Prism CLI, installed with npm into benchmarks/.peers on first use."""
    binary = PEERS / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        if shutil.which("npm") is None:
            raise RuntimeError("npm is needed to install the Prism peer")
        PEERS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund",
                        f"@stoplight/prism-cli@{PRISM_VERSION}"], cwd=PEERS, check=True)
    return binary


def start_prism(spec: Path) -> Server:
    """Prism serving the same spec (one process, logging off), timed to its first 200."""
    port = free_port()
    cmd = [str(ensure_prism()), "mock", "-p", str(port), "-h", "127.0.0.1", "-v", "error",
           str(spec)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready = wait_ready(f"http://127.0.0.1:{port}/version", started)
    return Server("prism", proc, f"http://127.0.0.1:{port}", ready)


def ensure_wrk() -> str:
    """The wrk load generator (Debian package), installed with apt-get when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                   stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and apt-get could not install it")
    return found
