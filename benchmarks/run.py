"""orgkit vs Prism (and bare Schemathesis): prints a table and writes BENCHMARKS.md.

Run with `make bench` (or `python benchmarks/run.py [--seconds N] [--repeats R]`). Everything
runs on 127.0.0.1 with bounded durations; targets are read from the table, never asserted.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import LoadResult, run_wrk  # noqa: E402
from orgkit_fixtures import GenerateConfig, generate, persona_token, write  # noqa: E402
from servers import ROOT, Server, ensure_wrk, start_bare, start_orgkit, start_prism  # noqa: E402

from orgkit.tokens import KeyRing  # noqa: E402

SIZES = (1_000, 10_000, 100_000)


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    figure: str
    orgkit: float
    peer: float | None
    unit: str
    target: str = ""
    higher_is_better: bool = True
    bare: float | None = None  # the bare ASGI app serving the same body, same run

    @property
    def ratio(self) -> float | None:
        """orgkit / peer."""
        return None if not self.peer else self.orgkit / self.peer

    @property
    def bare_ratio(self) -> float | None:
        """orgkit / bare ASGI app."""
        return None if not self.bare else self.orgkit / self.bare


def world(orgs: int, folder: Path) -> tuple[Path, dict[str, str]]:
    """A data set whose tenant B holds `orgs` organisations, plus the ids and a token."""
    data = generate(GenerateConfig(tenants=2, orgs_per_tenant=orgs, admins_per_org=0,
                                   invitations=0))
    path = folder / f"world-{orgs}.json"
    write(data, path)
    persona = data["personas"]["other-tenant-admin"]
    tenant = persona["tenant_id"]
    owned = [o["id"] for o in data["svx"]["orgs"] if o["tenant_id"] == tenant]
    token = persona_token(data, "other-tenant-admin", KeyRing())
    return path, {"tenant": tenant, "org": owned[0], "token": token, "orgs": ",".join(owned)}


def median_load(runs: int, once: Callable[[], LoadResult]) -> LoadResult:
    """The run with the median throughput."""
    results = sorted((once() for _ in range(runs)), key=lambda r: r.rps)
    return results[len(results) // 2]


# (label, method, route template, body, targets: req/s, p99). A template without fields of
# its own ("/orgs/*") asks for each of tenant B's organisations at random.
CASES = (
    ("GET one organisation", "GET", "/orgs/{org}", None,
     "≥ 50% of bare, ≥ 5× Prism", "≤ Prism"),
    ("GET one of 1,000 organisations at random", "GET", "/orgs/*", None, "", ""),
    ("GET a list page of 100", "GET", "/tenants/{tenant}/orgs?per_page=100&page=5", None,
     "≥ 40% of bare", ""),
    ("POST create organisation", "POST", "/tenants/{tenant}/orgs", {"name": "Bench Org"},
     "≥ 2× Prism", "≤ Prism"),
)


def head_to_head(args: argparse.Namespace, wrk: str, path: Path,
                 ids: dict[str, str], folder: Path) -> list[Row]:
    """req/s and p50/p99 for GET one org, GET a page of 100, POST create: orgkit, Prism, and
    a bare ASGI app answering with the body orgkit answers (the ceiling on this machine); then
    the reads again with every answer computed (`--no-read-cache`)."""
    rows: list[Row] = []
    ours, prism = start_orgkit(path), start_prism(ROOT / "specs" / "svx-api.yaml")
    computed = start_orgkit(path, options=("--no-read-cache",))
    try:
        for label, method, template, body, target, p99_target in CASES:
            route, paths = _route(template, ids)
            bare = _bare_twin(ours, method, route, body, ids["token"], folder)
            results = {}
            servers = (ours, prism, bare, computed) if method == "GET" else (ours, prism, bare)
            try:
                for server in servers:
                    mount = urlsplit(server.base).path  # /svx, or "" for Prism
                    results[server.name] = median_load(args.repeats, functools.partial(
                        run_wrk, wrk, server.base + route, seconds=args.seconds, method=method,
                        body=body, token=ids["token"], paths=tuple(mount + p for p in paths)))
            finally:
                bare.stop()
            rows += _load_rows(label, results, target, p99_target)
        rows.append(Row("start-up to first 200 (default data, spec cache warm)",
                        ours.startup_seconds, prism.startup_seconds, "s", "≤ 1.0 s and < Prism",
                        higher_is_better=False))
    finally:
        for server in (ours, prism, computed):
            server.stop()
    cold = start_orgkit(path, env={"ORGKIT_NO_SPEC_CACHE": "1"})
    cold.stop()
    rows.append(Row("start-up to first 200 (no spec cache)", cold.startup_seconds,
                    prism.startup_seconds, "s", higher_is_better=False))
    return rows


def _route(template: str, ids: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """The route to load, and the paths to draw from at random (none: the route alone)."""
    if "*" not in template:
        return template.format(**ids), ()
    paths = tuple(template.replace("*", org) for org in ids["orgs"].split(","))
    return paths[0], paths


def _bare_twin(ours: Server, method: str, route: str, body: object | None, token: str,
               folder: Path) -> Server:
    """The bare ASGI app, answering with the status and body orgkit answers to this request."""
    answer = httpx.request(method, ours.base + route, json=body,
                           headers={"Authorization": f"Bearer {token}"})
    return start_bare(answer.content, answer.status_code, folder)


def state_cost(args: argparse.Namespace, wrk: str, path: Path,
               ids: dict[str, str]) -> list[Row]:
    """POST create with the state in memory and with `--state` (a commit before each 201)."""
    found: dict[str, LoadResult] = {}
    for mode, options in (("in memory", ()), ("--state", ("--state", str(path) + ".state.db"))):
        server = start_orgkit(path, options=options)
        try:
            found[mode] = median_load(args.repeats, functools.partial(
                run_wrk, wrk, f"{server.base}/tenants/{ids['tenant']}/orgs", seconds=args.seconds,
                method="POST", body={"name": "Bench Org"}, token=ids["token"]))
        finally:
            server.stop()
    ours, memory = found["--state"], found["in memory"]
    label = "POST create organisation with --state"
    return [
        Row(f"{label}: req/s", ours.rps, None, "req/s", f"in memory: {memory.rps:,.0f}"),
        Row(f"{label}: p50", ours.p50_ms, None, "ms", f"in memory: {memory.p50_ms:.2f}", False),
        Row(f"{label}: p99", ours.p99_ms, None, "ms", f"in memory: {memory.p99_ms:.2f}", False),
    ]


def _load_rows(label: str, found: dict[str, LoadResult], target: str,
               p99_target: str) -> list[Row]:
    ours, peer, bare = found["orgkit"], found["prism"], found["bare"]
    rows = [
        Row(f"{label}: req/s", ours.rps, peer.rps, "req/s", target, bare=bare.rps),
        Row(f"{label}: p50", ours.p50_ms, peer.p50_ms, "ms", higher_is_better=False,
            bare=bare.p50_ms),
        Row(f"{label}: p99", ours.p99_ms, peer.p99_ms, "ms", p99_target, False, bare.p99_ms),
        Row(f"{label}: non-2xx answers", ours.non_2xx, peer.non_2xx, "", higher_is_better=False),
    ]
    computed = found.get("orgkit-computed")
    if computed is not None:
        rows.append(Row(f"{label}, every answer computed (--no-read-cache): req/s",
                        computed.rps, peer.rps, "req/s", bare=bare.rps))
    return rows


def sizes(args: argparse.Namespace, wrk: str, folder: Path) -> tuple[list[Row], dict[int, float]]:
    """List-page latency with 1k/10k/100k orgs loaded (remembered and computed answers),
    memory and load time at 100k."""
    rows, p50s, computed = [], {}, {}
    for n in SIZES:
        path, ids = world(n, folder)
        for options in ((), ("--no-read-cache",)):
            server = start_orgkit(path, options=options)
            try:
                p50 = _page_p50(args, wrk, server, ids, n)
                if options:
                    computed[n] = p50
                    continue
                p50s[n] = p50
                rows.append(Row(f"list page (100 of {n:,} orgs): p50", p50, None, "ms",
                                higher_is_better=False))
                if n == SIZES[-1]:
                    rows += _big_store_rows(server, n)
            finally:
                server.stop()
    rows.append(Row("page latency 100k / 1k", p50s[SIZES[-1]] / p50s[SIZES[0]], None, "×",
                    "≤ 1.2×", False))
    rows.append(Row("page latency 100k / 1k, every answer computed (--no-read-cache)",
                    computed[SIZES[-1]] / computed[SIZES[0]], None, "×", "", False))
    return rows, p50s


def _page_p50(args: argparse.Namespace, wrk: str, server: Server, ids: dict[str, str],
              n: int) -> float:
    page = max(1, n // 200)  # a page from the middle of the collection
    url = f"{server.base}/tenants/{ids['tenant']}/orgs?per_page=100&page={page}"
    return median_load(args.repeats, functools.partial(
        run_wrk, wrk, url, seconds=args.seconds, token=ids["token"])).p50_ms


def _big_store_rows(server: Server, n: int) -> list[Row]:
    return [Row(f"resident memory with {n:,} orgs", server.rss_mb(), None, "MiB",
                higher_is_better=False),
            Row(f"start-up with {n:,} orgs (load + first 200)", server.startup_seconds, None,
                "s", higher_is_better=False)]


def generation() -> list[Row]:
    """Fixture generation and in-process load time for 100,000 organisations."""
    from mockserver.app import create_app

    started = time.perf_counter()
    data = generate(GenerateConfig(tenants=100, orgs_per_tenant=1000, admins_per_org=0,
                                   invitations=0))
    generated = time.perf_counter() - started
    started = time.perf_counter()
    create_app(dataset=data)
    loaded = time.perf_counter() - started
    return [Row("generate 100,000 orgs (fixtures)", generated, None, "s", "seconds",
                higher_is_better=False),
            Row("mock load of 100,000 orgs (in-process)", loaded, None, "s",
                higher_is_better=False)]


def suite_speed(folder: Path, repeats: int) -> list[Row]:
    """Cases per second: the contract suite vs bare `st run`, same spec, same server."""
    import suite

    return [Row(figure, ours, bare, "cases/s", "≥ 0.9×")
            for figure, (ours, bare) in suite.measure(folder, repeats).items()]


def diff_speed(folder: Path) -> list[Row]:
    """`orgkit diff`: the whole SVX scenario against two local mocks."""
    import diff_speed

    return [Row("orgkit diff: SVX scenario (70 operations), two local mocks", diff_speed.measure(
        folder), None, "s", "< 120 s", higher_is_better=False)]


def table(rows: list[Row]) -> str:
    """The results as a Markdown table."""
    lines = ["| figure | orgkit | bare ASGI | orgkit / bare | Prism | orgkit / Prism | target |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row.figure} | {row.orgkit:,.2f} {row.unit} | "
                     f"{_figure(row.bare, row.unit)} | {_ratio(row.bare_ratio)} | "
                     f"{_figure(row.peer, row.unit)} | {_ratio(row.ratio)} | {row.target} |")
    return "\n".join(lines)


def _figure(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:,.2f} {unit}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def plot(p50s: dict[int, float], out: Path) -> bool:
    """Latency vs collection size as a PNG (needs matplotlib: `pip install .[bench]`)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(list(p50s), list(p50s.values()), marker="o")
    ax.set_xscale("log")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("organisations in the list")
    ax.set_ylabel("p50 latency of one page of 100 (ms)")
    ax.set_title("orgkit mock: page latency vs collection size")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    return True


def main() -> int:
    """Run every figure, print the table, write BENCHMARKS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="duration of one wrk run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--head-to-head", action="store_true",
                        help="only the orgkit / bare ASGI / Prism figures; BENCHMARKS.md untouched")
    parser.add_argument("--sizes", action="store_true",
                        help="only page latency at 1k/10k/100k orgs; BENCHMARKS.md untouched")
    args = parser.parse_args()
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.sizes:
            print(table(sizes(args, wrk, folder)[0]))
            return 0
        path, ids = world(1_000, folder)
        warm_spec_cache()
        rows = head_to_head(args, wrk, path, ids, folder)
        if args.head_to_head:
            print(table(rows))
            return 0
        rows += state_cost(args, wrk, path, ids)
        size_rows, p50s = sizes(args, wrk, folder)
        rows += size_rows + generation() + suite_speed(folder, args.repeats)
        rows += diff_speed(folder)
    text = table(rows)
    print(text)
    has_plot = plot(p50s, ROOT / "benchmarks" / "latency_vs_size.png")
    write_markdown(text, args, has_plot)
    return 0


def warm_spec_cache() -> None:
    """Resolve the specs once, so start-up figures are those of every start but the first
    after an edit (orgkit/speccache.py); the uncached figure is a row of its own."""
    from orgkit.specs import load_api

    load_api("svx")
    load_api("transmit")


def write_markdown(text: str, args: argparse.Namespace, has_plot: bool) -> None:
    """BENCHMARKS.md with the table, the settings and the plot."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    parts = [
        "# Benchmarks", "",
        f"Measured {when} by `make bench` on this project's machine (2 cores), one worker per "
        f"server, loopback only; wrk with 1 thread and 16 connections, {args.seconds} s per run, "
        f"median of {args.repeats} runs. orgkit runs with JWT verification and request "
        "validation on; Prism 5 (`prism mock`, logging at error level) serves the same "
        "`specs/svx-api.yaml`. The honest ceiling is the *bare ASGI* column: "
        "`benchmarks/bare.py`, an ASGI app on the same uvicorn (uvloop, httptools) answering "
        "every request with the very status and body orgkit answered (fetched just before), "
        "measured in the same run. The machine's 2 cores are shared with other work, so "
        "absolute figures move from run to run; compare the ratios, each measured within one "
        "run (and run `make bench` again before trusting one figure). Start-up is timed with "
        "the resolved-spec cache warm (every start but the first after a spec edit) and, in "
        "its own row, without it.", "", text, "",
        "Contract-suite speed is compared per case with the same kinds of case: the conformance "
        "family sends the cases of Schemathesis' examples, coverage and fuzzing phases (built by "
        "Schemathesis' own generators), so it is compared with `st run --phases "
        "examples,coverage,fuzzing`; the whole suite (all six families, counting every request "
        "it sends) is compared with a default `st run` (all phases, stateful included). Both "
        "sides use 5 examples per operation, one worker, seed 1 and `--checks all`, and their "
        "start-up (spec loading) is included.", "",
    ]
    parts += [
        "Where the time goes (cProfile of the in-process pipeline, `make bench` figures above): "
        "before the one-pipeline rework a list page spent most of its time copying each item "
        "without its private fields and encoding it again (about 140 µs per item); pages now "
        "join item JSON encoded once per write of the item. A create scanned every operation "
        "of the spec for the item schema on each call; that is now found once per operation. "
        "JSON bodies no longer go through Connexion's per-request machinery (it rebuilt its "
        "validators on every call), and the request log decodes and redacts an entry only when "
        "it is read. Since then: a list's whole answer is kept until the collection's next "
        "write (a repeated page is a lookup, whatever the collection's size; parents and rights "
        "are still checked per request), GET one answers the item memo's JSON, the Caller is "
        "kept per token until a collection it is built from is written, and the log's persona "
        "comes from a table (tests/mockserver/test_caches.py: no cache serves stale data). What "
        "remains on a GET is spread thin over the stages (routing, parameter checks, rights "
        "lookups, the engine, the log capture) on top of uvicorn's own per-request work, which "
        "the bare app spends too. Start-up: resolving the specs with prance (cached now, "
        "orgkit/speccache.py), Connexion's second validation of them in `add_api` (skipped) "
        "and Connexion itself (built and imported on first use) were most of it; what is left "
        "is importing the stack and loading the fixtures.", "",
    ]
    if has_plot:
        parts += ["![page latency vs collection size](benchmarks/latency_vs_size.png)", ""]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(parts))
    print(f"wrote {ROOT / 'BENCHMARKS.md'}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
