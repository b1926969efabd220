"""Which documents a command works on: `--api NAME`, `--spec FILE` and `--overlay FILE`.

One document: every overlay applies to it, in order. Several (`orgkit serve`): an overlay
whose `extends` names a file applies to the served documents with that file name; one
without `extends` applies to all of them (README, "Any OpenAPI document").
"""

from __future__ import annotations

import argparse
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from orgkit.errors import ConfigError
from orgkit.model import ApiModel
from orgkit.specs import SPEC_FILES, SpecSource, read_overlay

BUNDLED = list(SPEC_FILES)


def add_source_options(parser: argparse.ArgumentParser, *, serve: bool = False) -> None:
    """--api/--spec (repeatable for serve, else exactly one of them) and --overlay."""
    if serve:
        parser.add_argument("--api", action="append", choices=BUNDLED,
                            help="a bundled document served (repeatable; default: svx and "
                                 "transmit when no --spec is given)")
        parser.add_argument("--spec", action="append", type=Path, metavar="FILE",
                            help="an OpenAPI document served at its x-orgkit.mount "
                                 "(repeatable)")
    else:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--api", choices=BUNDLED, help="a bundled document")
        group.add_argument("--spec", type=Path, metavar="FILE", help="an OpenAPI document")
    parser.add_argument("--overlay", action="append", type=Path, metavar="FILE",
                        help="apply this OpenAPI Overlay 1.0 document first (repeatable, in "
                             "order)")


def one_source(args: argparse.Namespace) -> SpecSource:
    """The one document of spec, contract and diff, with every overlay."""
    return SpecSource.of(args.api or args.spec, tuple(args.overlay or ()))


def served_sources(args: argparse.Namespace) -> tuple[SpecSource, ...]:
    """The documents `orgkit serve` serves, each with the overlays that extend it."""
    given = [*(args.api or ()), *(args.spec or ())]
    documents = [SpecSource.of(a) for a in given or BUNDLED]
    overlays: list[list[Path]] = [[] for _ in documents]
    for overlay in args.overlay or ():
        for index in _targets(overlay, documents):
            overlays[index].append(overlay)
    return tuple(SpecSource(d.path, tuple(o)) for d, o in zip(documents, overlays, strict=True))


def served_data(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, ApiModel]]:
    """The data set of `--fixtures` (merged as `orgkit serve` merges it) and the models of the
    documents `--api`/`--spec`/`--overlay` name, as `orgkit serve` would serve them."""
    from orgkit_fixtures import combine

    from orgkit.specs import load_spec

    models = {api.model.name: api.model for api in map(load_spec, served_sources(args))}
    return combine(tuple(args.fixtures or ()), models), models


def _targets(overlay: Path, documents: list[SpecSource]) -> list[int]:
    extends = read_overlay(overlay).extends
    if extends is None or len(documents) == 1:
        return list(range(len(documents)))
    name = PurePosixPath(urlsplit(extends).path).name
    found = [i for i, d in enumerate(documents) if d.path.name == name]
    if not found:
        served = ", ".join(d.path.name for d in documents)
        raise ConfigError(f"--overlay {overlay} extends {extends!r}, which is none of the "
                          f"served documents ({served}); serve it, or drop 'extends' to apply "
                          "the overlay to all of them")
    return found
