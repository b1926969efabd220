"""OpenAPI Overlay 1.0: check an overlay document and apply its actions to a raw document.

Targets are RFC 9535 JSONPath queries (jsonpath-rfc9535). No Python overlay library was fit
(oas-patch, the one maintained, queries with jsonpath-ng, which is not RFC 9535, and brings a
templating CLI), so the applier is ours; it follows the spec's rules: actions apply in order,
each to the document as the previous ones left it; `update` merges objects recursively and
appends to arrays; `remove: true` deletes the selected nodes. A target selecting nothing is
reported (the spec: "it is not an error", but almost always a stale overlay).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonpath_rfc9535 as jsonpath

from orgkit.errors import SpecError

Warn = Callable[[str], None]
_VERSION = re.compile(r"^1\.0\.\d+$")


@dataclass(frozen=True)
class Action:
    """One overlay action: a JSONPath target and what to do to the nodes it selects."""

    target: str
    pointer: str  # where the action sits in the overlay, for messages
    update: Any = None
    remove: bool = False


@dataclass(frozen=True)
class Overlay:
    """A checked overlay document."""

    source: str
    title: str
    extends: str | None
    actions: tuple[Action, ...]


def parse_overlay(data: Any, source: str) -> Overlay:
    """The overlay in data, checked; SpecError naming source and pointer when it is not one."""
    if not isinstance(data, Mapping):
        raise SpecError(source, "", "an overlay document is an object with overlay, info, actions")
    version = data.get("overlay")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise SpecError(source, "/overlay", f"expected an Overlay version 1.0.x, got {version!r}")
    info = data.get("info")
    if not isinstance(info, Mapping) or not isinstance(info.get("title"), str) \
            or not isinstance(info.get("version"), str):
        raise SpecError(source, "/info", "expected an object with a title and a version string")
    extends = data.get("extends")
    if extends is not None and not isinstance(extends, str):
        raise SpecError(source, "/extends", f"expected a URL or path string, got {extends!r}")
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        raise SpecError(source, "/actions", "expected a non-empty list of actions")
    parsed = tuple(_action(a, source, f"/actions/{i}") for i, a in enumerate(actions))
    return Overlay(source, str(info["title"]), extends, parsed)


def _action(data: Any, source: str, pointer: str) -> Action:
    if not isinstance(data, Mapping):
        raise SpecError(source, pointer, "an action is an object with target and update/remove")
    target = data.get("target")
    if not isinstance(target, str):
        raise SpecError(source, f"{pointer}/target", f"expected a JSONPath string, got {target!r}")
    try:
        jsonpath.compile(target)
    except jsonpath.JSONPathError as exc:
        raise SpecError(source, f"{pointer}/target", f"not an RFC 9535 JSONPath: {exc}") from None
    remove = data.get("remove", False)
    if not isinstance(remove, bool):
        raise SpecError(source, f"{pointer}/remove", f"expected true or false, got {remove!r}")
    if remove == ("update" in data):
        raise SpecError(source, pointer, "an action needs exactly one of update or remove: true")
    return Action(target, pointer, data.get("update"), remove)


def apply_overlay(document: Any, overlay: Overlay, warn: Warn) -> Any:
    """Apply every action in order (document is changed in place); the new root."""
    for action in overlay.actions:
        document = _apply(document, action, overlay.source, warn)
    return document


def _apply(document: Any, action: Action, source: str, warn: Warn) -> Any:
    nodes = list(jsonpath.find(action.target, document))
    if not nodes:
        warn(f"{source}: at {action.pointer}: target {action.target} matches nothing")
        return document
    if action.remove:
        # Deepest and last first, so removing one node never shifts another's array index.
        for node in sorted(nodes, key=lambda n: n.location, reverse=True):
            if node.parent is not None:
                _delete(node.parent.value, node.location[-1])
        return document
    for node in nodes:
        if node.parent is None:
            document = _merged(document, action.update, source, action.pointer)
        else:
            key = node.location[-1]
            container: Any = node.parent.value
            container[key] = _merged(container[key], action.update, source, action.pointer)
    return document


def _delete(container: Any, key: Any) -> None:
    if isinstance(container, dict):
        container.pop(key, None)
    elif isinstance(container, list) and isinstance(key, int) and key < len(container):
        del container[key]


def _merged(target: Any, update: Any, source: str, pointer: str) -> Any:
    """Overlay 1.0's update: objects merge recursively, arrays take the value appended."""
    if isinstance(target, list):
        target.append(_copy(update))
        return target
    if isinstance(target, dict):
        if not isinstance(update, Mapping):
            raise SpecError(source, f"{pointer}/update",
                            f"an object target needs an object update, got {update!r:.60}")
        for key, value in update.items():
            if isinstance(target.get(key), dict) and isinstance(value, Mapping):
                _merged(target[key], value, source, pointer)
            else:
                target[key] = _copy(value)
        return target
    return _copy(update)  # a primitive is replaced


def _copy(value: Any) -> Any:
    """A private copy, so one update applied to several nodes shares nothing between them."""
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
