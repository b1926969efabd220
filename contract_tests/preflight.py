"""Before any check: every persona's token must be accepted, or the run stops with exit 2."""

from __future__ import annotations

from contract_tests.suite import Suite
from orgkit.errors import ConfigError
from orgkit.model import Operation, RightsMode


def probe_operation(suite: Suite) -> Operation:
    """A secured GET without path parameters: any valid token gets past authentication."""
    for op in suite.api.model.operations:
        no_path = not any(p.location == "path" for p in op.parameters)
        required = any(p.required for p in op.parameters)
        if (op.method == "GET" and op.secured and no_path and not required
                and op.rights.mode is not RightsMode.PUBLIC):
            return op
    raise ConfigError(f"{suite.api.source}: no secured GET without parameters to probe tokens")


def check_tokens(suite: Suite) -> None:
    """ConfigError naming each persona whose token the implementation answers with 401."""
    op = probe_operation(suite)
    rejected = []
    for persona in suite.personas.values():
        exchange = suite.target.call(op.method, op.path, token=persona.token)
        if exchange.status == 401:
            rejected.append(f"{persona.name} ({exchange.response_text[:200]})")
    if rejected:
        raise ConfigError(f"the implementation rejected these personas' tokens with 401 on "
                          f"{op.method} {op.path}: {'; '.join(rejected)}. Check the personas "
                          "file (tokens expire) and the server's signing secret.")
