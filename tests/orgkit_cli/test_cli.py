"""`orgkit --help`: says what orgkit is; every flag of every command explains itself."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from orgkit_cli.cli import build_parser


def commands(parser: argparse.ArgumentParser, name: str = "orgkit") -> dict[str, Any]:
    """Every (sub)command's parser by its full name."""
    found: dict[str, Any] = {name: parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, child in action.choices.items():
                found.update(commands(child, f"{name} {sub}"))
    return found


COMMANDS = commands(build_parser())


def test_the_description_says_what_orgkit_is() -> None:
    assert "contract-testing and mock-server toolkit" in build_parser().format_help()


@pytest.mark.parametrize("name", sorted(COMMANDS), ids=sorted(COMMANDS))
def test_every_flag_has_help_and_shows_its_default(name: str) -> None:
    parser = COMMANDS[name]
    text = parser.format_help()
    for action in parser._actions:
        if not action.option_strings or isinstance(action, (argparse._HelpAction,
                                                            argparse._VersionAction)):
            continue
        assert action.help, f"{name} {action.option_strings[0]} has no help"
        shown = action.default is not None and action.default is not False \
            and not action.required
        assert not shown or f"(default: {action.default})" in " ".join(text.split()), (
            f"{name} {action.option_strings[0]}: default {action.default} not shown")
