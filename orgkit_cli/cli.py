"""The `orgkit` command: parse arguments into config values and call the library."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from orgkit.errors import ConfigError, OrgkitError
from orgkit_cli.sources import add_source_options, one_source, served_data, served_sources


def _serve(args: argparse.Namespace) -> int:
    from mockserver.config import DEFAULT_CORS, ServeConfig
    from mockserver.serve import run
    from orgkit.tokens import DEFAULT_SECRET, TokenConfig

    if args.state_reset and args.state is None:
        raise ConfigError("--state-reset needs --state PATH (without it nothing is kept)")
    if args.watch and args.state is not None:
        # --watch replaces the state from the files it watches; a state file keeps what the
        # developer did, written for one spec and fixtures version: the two do not mix (yet).
        raise ConfigError("--watch and --state do not combine: --watch reloads the state from "
                          "the edited files, --state keeps it across restarts; choose one")
    config = ServeConfig(
        host=args.host, port=args.port, fixtures=tuple(args.fixtures or ()), seed=args.seed,
        cors_origins=tuple(args.cors_origin or ()),
        cors_origin_regex=None if args.no_cors or args.cors_origin else DEFAULT_CORS,
        latency_ms=args.latency, latency_jitter_ms=args.jitter,
        validate_responses=args.validate_responses, fast_path=not args.no_fast_path,
        lenient_query=args.lenient_query, quiet=args.quiet, watch=args.watch,
        read_cache=not args.no_read_cache,
        tokens=TokenConfig(secret=args.secret or DEFAULT_SECRET, issuer=args.issuer,
                           audience=args.audience),
        allowed_hosts=tuple(args.allowed_host or ()),
        control_token=args.control_token or os.environ.get("ORGKIT_CONTROL_TOKEN") or None,
        state=args.state, state_reset=args.state_reset, apis=served_sources(args),
    )
    run(config)
    return 0


def _token(args: argparse.Namespace) -> int:
    from orgkit_fixtures.personas import api_model, persona_api, persona_token

    from orgkit.tokens import DEFAULT_SECRET, KeyRing, TokenConfig

    dataset, models = served_data(args)
    model = api_model(persona_api(dataset, args.persona), models)
    keyring = KeyRing(TokenConfig(secret=args.secret or DEFAULT_SECRET))
    print(persona_token(dataset, args.persona, keyring, model=model))
    return 0


def _fixtures_generate(args: argparse.Namespace) -> int:
    from orgkit_fixtures import GenerateConfig, generate, write

    config = GenerateConfig(seed=args.seed, tenants=args.tenants,
                            orgs_per_tenant=args.orgs_per_tenant,
                            admins_per_org=args.admins_per_org, invitations=args.invitations)
    write(generate(config), args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _personas_export(args: argparse.Namespace) -> int:
    from orgkit_fixtures import export_personas, write_personas

    # What a user persona holds is read by its API's declared grants, and an application's
    # token URL is its API's mount + token_url: the documents as served (overlays applied).
    dataset, models = served_data(args)
    write_personas(export_personas(dataset, base_url=args.base_url, models=models), args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _spec(args: argparse.Namespace) -> int:
    import json

    import yaml

    from orgkit.served import for_servers
    from orgkit.specs import load_spec

    document = for_servers(load_spec(one_source(args)).served, args.servers, args.base_url)
    text = (yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True)
            if args.out.suffix in (".yaml", ".yml") else json.dumps(document, indent=1))
    args.out.write_text(text)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _contract(args: argparse.Namespace) -> int:
    from contract_tests.runner import ContractConfig, run_contract

    config = ContractConfig(
        api=args.api or str(args.spec), overlays=tuple(args.overlay or ()),
        base_url=args.base_url, personas=args.personas,
        report_dir=args.report_dir, profile=args.profile, seed=args.seed,
        only=tuple(x for x in (args.only or "").split(",") if x),
        operations=tuple(args.operation or ()), label=args.label or "", strict=args.strict,
    )
    code: int = run_contract(config)
    return code


def _diff(args: argparse.Namespace) -> int:
    from contract_tests.diff.command import run_diff
    from contract_tests.diff.run import DiffConfig, Side

    config = DiffConfig(
        api=args.api or str(args.spec), overlays=tuple(args.overlay or ()),
        left=Side(args.left, args.left_personas),
        right=Side(args.right, args.right_personas), seed=args.seed, profile=args.profile,
        operations=tuple(args.operation or ()), report_dir=args.report_dir,
    )
    code: int = run_diff(config)
    return code


DESCRIPTION = """orgkit: a contract-testing and mock-server toolkit for B2B organisation-management
APIs (SVX API 4.0.0 and Transmit Organizations). Serve a stateful mock generated from the specs,
run the contract suite against any implementation, or compare two implementations."""


FIXTURES_HELP = ("data set (repeatable: merged by API section; a served bundled API no file "
                 "gives a section takes the default's; default: fixtures/default.json)")


class Help(argparse.ArgumentDefaultsHelpFormatter):
    """One line per flag; "(default: X)" added where there is a default worth showing."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=34)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False or action.required:
            return action.help
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """An argument parser whose subcommands' parsers (the same class) use Help too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Help)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = Parser(prog="orgkit", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"orgkit {_version()}",
                        help="print the installed version and exit")
    sub = parser.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the stateful mock (default: SVX under /svx, Transmit "
                       "under /cis)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on")
    s.add_argument("--port", type=int, default=8080, help="port to listen on")
    s.add_argument("--fixtures", action="append", type=Path, metavar="FILE", help=FIXTURES_HELP)
    s.add_argument("--seed", type=int, default=1, help="seed for ids the mock generates")
    s.add_argument("--cors-origin", action="append", metavar="ORIGIN",
                   help="allowed origin (repeatable); "
                   "default: any http://localhost or 127.0.0.1 port")
    s.add_argument("--no-cors", action="store_true", help="turn CORS off")
    s.add_argument("--latency", type=int, default=0, metavar="MS",
                   help="fixed delay per request, ms")
    s.add_argument("--jitter", type=int, default=0, metavar="MS",
                   help="extra random delay up to N ms")
    s.add_argument("--validate-responses", action="store_true",
                   help="check every response against the spec (slower)")
    s.add_argument("--no-fast-path", action="store_true",
                   help="send body-less operations through Connexion too (slower)")
    s.add_argument("--no-read-cache", action="store_true",
                   help="compute every GET anew (by default a repeated read of a list or an "
                        "item is answered again from memory until the next write)")
    s.add_argument("--lenient-query", action="store_true",
                   help="ignore query parameters the spec does not declare (e.g. a cache-buster "
                        "?_=123) instead of answering 400")
    s.add_argument("--quiet", action="store_true",
                   help="no line per request on the console (warnings and errors still show)")
    s.add_argument("--watch", action="store_true",
                   help="reload when the fixtures file or a served spec changes")
    s.add_argument("--secret", help="HS256 secret (default: the public development secret)")
    s.add_argument("--issuer", help="require this iss claim")
    s.add_argument("--audience", help="require this aud claim")
    s.add_argument("--allowed-host", action="append", metavar="NAME",
                   help="also answer to this Host name (repeatable; default: loopback names "
                        "and --host)")
    s.add_argument("--control-token", metavar="TOKEN",
                   help="require this token on every /__mock call (default: the "
                        "ORGKIT_CONTROL_TOKEN environment variable; prefer it on shared "
                        "machines, argv is visible to other users)")
    s.add_argument("--state", type=Path, metavar="PATH",
                   help="keep the state in this SQLite file across restarts (created if "
                        "missing; default: in memory, lost on exit)")
    s.add_argument("--state-reset", action="store_true",
                   help="with --state: discard the file's state and start from the fixtures")
    add_source_options(s, serve=True)
    s.set_defaults(func=_serve)

    t = sub.add_parser("token", help="print a bearer token for a persona of the fixtures")
    t.add_argument("--persona", required=True, help="persona name, e.g. tenant-admin")
    t.add_argument("--fixtures", action="append", type=Path, metavar="FILE", help=FIXTURES_HELP)
    t.add_argument("--secret", help="HS256 secret (default: the public development secret)")
    add_source_options(t, serve=True)
    t.set_defaults(func=_token)

    f = sub.add_parser("fixtures", help="fixture data sets").add_subparsers(dest="sub",
                                                                          required=True)
    g = f.add_parser("generate", help="write a Faker-generated, deterministic data set")
    g.add_argument("--seed", type=int, default=1, help="same seed, same data set")
    g.add_argument("--tenants", type=int, default=25, help="number of tenants")
    g.add_argument("--orgs-per-tenant", type=int, default=4, help="organisations per tenant")
    g.add_argument("--admins-per-org", type=int, default=2, help="admins per organisation")
    g.add_argument("--invitations", type=int, default=30, help="number of invitations")
    g.add_argument("--out", type=Path, required=True, help=".json, .yaml or .yml")
    g.set_defaults(func=_fixtures_generate)

    p = sub.add_parser("personas", help="personas files").add_subparsers(dest="sub", required=True)
    e = p.add_parser("export", help="write the personas file for a mock started with defaults")
    e.add_argument("--out", type=Path, required=True, help="personas file to write (JSON)")
    e.add_argument("--fixtures", action="append", type=Path, metavar="FILE", help=FIXTURES_HELP)
    e.add_argument("--base-url", default="http://127.0.0.1:8080",
                   help="where the mock runs (token URLs in the file use it)")
    add_source_options(e, serve=True)
    e.set_defaults(func=_personas_export)

    d = sub.add_parser("spec", help="write the document the mock serves (components and $refs "
                       "kept), for client generators")
    add_source_options(d)
    d.add_argument("--out", type=Path, required=True, help=".json, .yaml or .yml")
    d.add_argument("--servers", choices=["mock", "source"], default="mock",
                   help="mock: servers at the mock under --base-url, with the mock's additions "
                   "(Transmit's token endpoint); source: the source document's servers, without")
    d.add_argument("--base-url", default="http://127.0.0.1:8080",
                   help="where the mock runs (with --servers mock)")
    d.set_defaults(func=_spec)

    c = sub.add_parser("contract", help="run the contract suite against an implementation")
    add_source_options(c)
    c.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8080/svx")
    c.add_argument("--personas", type=Path, required=True,
                   help="personas file (orgkit personas export writes one for the mock)")
    c.add_argument("--report-dir", type=Path, default=Path("reports"), help="where reports go")
    c.add_argument("--profile", choices=["quick", "full"], default="quick",
                   help="how many generated cases per operation")
    c.add_argument("--seed", type=int, default=0, help="same seed, same cases")
    c.add_argument("--only", help="comma-separated families: "
                   "rights,pagination,errors,conformance,workflows,reliability,authorization")
    c.add_argument("--operation", action="append", metavar="OPERATION_ID",
                   help="only this operation (repeatable), e.g. getOrg")
    c.add_argument("--label", help="names the implementation under test in the reports, "
                   "e.g. 'acme-orgs 2.3.1'")
    c.add_argument("--strict", action="store_true",
                   help="advisory verdicts (inferred expectations violated) fail the run too")
    c.set_defaults(func=_contract)

    x = sub.add_parser("diff", help="play one scenario against two implementations and "
                       "explain every behavioural difference")
    add_source_options(x)
    for name in ("left", "right"):
        x.add_argument(f"--{name}", required=True, metavar="URL",
                       help="base URL with the API's server path, e.g. http://127.0.0.1:8080/svx")
        x.add_argument(f"--{name}-personas", type=Path, required=True, metavar="FILE",
                       help=f"personas file for the {name} implementation")
    x.add_argument("--seed", type=int, default=0, help="same seed, same scenario")
    x.add_argument("--profile", choices=["quick", "full"], default="quick",
                   help="how long a scenario")
    x.add_argument("--operation", action="append", metavar="OPERATION_ID",
                   help="only this operation (repeatable)")
    x.add_argument("--report-dir", type=Path, default=Path("reports"), help="where reports go")
    x.set_defaults(func=_diff)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("orgkit")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for usage and configuration errors)."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except OrgkitError as exc:
        print(f"orgkit: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


def entry() -> None:
    """Console-script wrapper: the only place that exits the process."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
