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


def served_document(document: Mapping[str, Any], model: ApiModel) -> dict[str, Any]:
    """A copy of the spec whose info.description starts with how_to_call."""
    info = dict(document.get("info", {}))
    original = _PATH.sub("orgkit's spec notes", _PATH_ASIDE.sub("", info.get("description", "")))
    info["description"] = how_to_call(model) + ("\n\n" + original.strip() if original else "")
    return {**document, "info": info}


def doc_files(served: Mapping[str, Any], model: ApiModel) -> dict[str, tuple[bytes, str]]:
    """The served document as the mount's /openapi.json and /openapi.yaml: (body, type)."""
    document = served_document(served, model)
    return {
        "/openapi.json": (json.dumps(document).encode(), "application/json"),
        "/openapi.yaml": (yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode(),
                          "text/yaml"),
    }
