"""Before any check: the API answers under the base URL and accepts every persona's token;
otherwise the run stops with exit 2 and a hint, instead of hundreds of failures."""

from __future__ import annotations

from contract_tests.suite import Suite
from orgkit.errors import ConfigError
from orgkit.model import Operation
from orgkit.rightsrules import RightsMode


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


MOUNT_PROBES = 5  # GET operations without parameters probed for a wrong base URL


def mount_probes(suite: Suite) -> list[Operation]:
    """GET operations without path or required parameters (secured or public)."""
    return [op for op in suite.api.model.operations if op.method == "GET" and not any(
        p.location == "path" or p.required for p in op.parameters)][:MOUNT_PROBES]


def check_mount(suite: Suite) -> None:
    """ConfigError when every probed operation answers 404: a wrong mount or a wrong API."""
    token = next(iter(suite.personas.values())).token
    probes = mount_probes(suite)
    statuses = [suite.target.call(op.method, op.path, token=token).status for op in probes]
    if probes and all(status == 404 for status in statuses):
        tried = ", ".join(f"GET {op.path}" for op in probes)
        raise ConfigError(
            f"every probed operation answered 404 under {suite.config.base_url} ({tried}): "
            f"wrong mount or wrong API? --base-url must include the {suite.api.model.name} "
            f"API's server path (the mock serves it under {suite.api.model.mount}), and "
            "--api must name the API served there.")
