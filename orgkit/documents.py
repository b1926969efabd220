"""Reading JSON/YAML documents (data sets, personas files), chosen by file suffix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from orgkit.errors import ConfigError

JSON_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")


def read_document(path: str | Path, *, what: str, expected_format: str) -> dict[str, Any]:
    """A mapping read from a JSON/YAML file whose `format` field must equal expected_format."""
    data = parse_text(_read_text(path, what), path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a {what} must be a mapping at the top level, "
                          f"got {type(data).__name__}")
    found = data.get("format")
    if found != expected_format:
        raise ConfigError(f"{path}: 'format' is {found!r}; a {what} must say "
                          f"{expected_format!r}")
    return data


def parse_text(text: str, path: str | Path) -> Any:
    """Parse JSON or YAML text by the path's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in JSON_SUFFIXES:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}: not valid JSON: {exc}") from None
    if suffix in YAML_SUFFIXES:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            return yaml.load(text, Loader=loader)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    raise ConfigError(f"{path}: unknown file type {suffix!r}; use .json, .yaml or .yml")


def _read_text(path: str | Path, what: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{path}: no such {what} file")
    try:
        return p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the {what}: {exc}") from None
