"""`python -m orgkit_cli`: the same as the `orgkit` command."""

from orgkit_cli.cli import entry

entry()
