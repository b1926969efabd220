"""The spec as Swagger UI shows it: how to get a token first, and no repository file paths."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

from orgkit.model import ApiModel

# "(specs/sources/x.txt)" asides are dropped; other mentions of a repository file are renamed.
_PATH_ASIDE = re.compile(r"\s*\((?:specs|fixtures|mockserver|contract_tests)/[^)]*\)")
_PATH = re.compile(r"\b(?:specs|fixtures|mockserver|contract_tests)/[\w./-]+")


def how_to_call(model: ApiModel) -> str:
    """The paragraph that opens the served description: where tokens come from."""
    if model.auth.token_url:
        where = (f"take a client's `client_id` and `client_secret` from "
                 f"[/__mock/personas](/__mock/personas) (or the [dashboard](/__mock/)), "
                 f"POST them to `{model.mount}{model.auth.token_url}` (client credentials) "
                 "and use the `access_token` it returns")
    else:
        where = ("copy a persona's token from the [dashboard](/__mock/), from "
                 "[/__mock/personas](/__mock/personas) or from the banner `orgkit serve` prints")
    return (f"**This is the orgkit mock of this API.** Every secured operation needs "
            f"`Authorization: Bearer <token>`: {where}, then press *Authorize*. The mock's "
            "state can be reset at `POST /__mock/reset`.")


def with_how_to_call(document: Mapping[str, Any], model: ApiModel) -> dict[str, Any]:
    """A copy of the spec whose info.description starts with how_to_call."""
    info = dict(document.get("info", {}))
    original = _PATH.sub("orgkit's spec notes", _PATH_ASIDE.sub("", info.get("description", "")))
    info["description"] = how_to_call(model) + ("\n\n" + original.strip() if original else "")
    return {**document, "info": info}


# The mount's paths that hand out the served document, and their content types.
DOC_TYPES = {"/openapi.json": "application/json", "/openapi.yaml": "text/yaml"}


class DocFiles:
    """The served document as the mount's /openapi.json and /openapi.yaml, each encoded on its
    first request and kept (the YAML alone took a tenth of a second of every start-up, for
    files most sessions never ask for)."""

    def __init__(self, served: Mapping[str, Any], model: ApiModel) -> None:
        self._served, self._model = served, model
        self._encoded: dict[str, bytes] = {}

    def get(self, sub_path: str) -> tuple[bytes, str] | None:
        """(body, content type) for a path below the mount; None when it is no document."""
        content_type = DOC_TYPES.get(sub_path)
        if content_type is None:
            return None
        if sub_path not in self._encoded:
            self._encoded[sub_path] = _encode(with_how_to_call(self._served, self._model),
                                              sub_path)
        return self._encoded[sub_path], content_type


def _encode(document: Mapping[str, Any], sub_path: str) -> bytes:
    if sub_path == "/openapi.json":
        return json.dumps(document).encode()
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode()
