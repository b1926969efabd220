"""What a snapshot or data set must satisfy before it replaces the mock's state.

Every item is checked against the schema the spec declares for its collection
(x-orgkit.collections.<name>.schema: a component or an inline schema), and the whole state
against the store's invariants: keys that are non-empty strings without control characters, no
two items with one key, parents and referenced items that exist (declared `references`), private
fields of the right type. The caller applies the state only
when nothing is reported, so a refused import leaves the mock as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from openapi_schema_validator import OAS30Validator

from mockserver.engine import ApiRuntime
from orgkit.errors import ConfigError
from orgkit.names import name_key

State = Mapping[str, Mapping[str, Any]]  # api name -> collection name -> items

# Private (_-prefixed) fields the mock keeps beside the spec's: base64 text.
PRIVATE_TYPES: Mapping[str, type] = {"_logo": str, "_content": str, "_password": str}
MAX_KEY_LENGTH = 200
MAX_PROBLEMS = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_state(runtimes: Mapping[str, ApiRuntime], state: State, source: str) -> None:
    """ConfigError listing what is wrong with state (the first few problems), if anything."""
    found: list[str] = []
    for problem in _problems(runtimes, state):
        found.append(problem)
        if len(found) == MAX_PROBLEMS:
            break
    if found:
        raise ConfigError(f"{source} does not fit the mock (nothing was changed): "
                          + "; ".join(found))


def _problems(runtimes: Mapping[str, ApiRuntime], state: State) -> Iterator[str]:
    unknown = sorted(set(state) - set(runtimes))
    if unknown:
        yield f"unknown APIs {unknown}; known: {sorted(runtimes)}"
    for api, runtime in runtimes.items():
        collections = state.get(api, {})
        if not isinstance(collections, Mapping):
            yield f"{api}: expected an object of collection name -> list of items"
            continue
        yield from _api_problems(api, runtime, collections)


def _api_problems(api: str, runtime: ApiRuntime,
                  collections: Mapping[str, Any]) -> Iterator[str]:
    names = set(runtime.store.names())
    unknown = sorted(set(collections) - names)
    if unknown:
        yield f"{api}: unknown collections {unknown}; known: {sorted(names)}"
        return
    for name, items in collections.items():
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            yield f"{api}.{name} must be a list of objects"
            return
    keys = {name: _keys(runtime, name, collections.get(name, [])) for name in names}
    for name, items in collections.items():
        where = f"{api}.{name}"
        yield from _shape_problems(runtime, api, name, items, where)
        yield from _key_problems(runtime.store[name].key_fields, items, where)
        yield from _name_problems(runtime.store[name].unique, items, where)
        yield from _reference_problems(runtime, name, keys, items, where)


def _keys(runtime: ApiRuntime, name: str, items: Iterable[Mapping[str, Any]]) -> set[str]:
    """The ids of a collection's items (the last key field), to check references against."""
    field = runtime.store[name].key_fields[-1]
    return {str(i.get(field)) for i in items}


def _validator(runtime: ApiRuntime, name: str) -> OAS30Validator | None:
    declared = runtime.model.collections.get(name)
    schema = None if declared is None else declared.schema
    if isinstance(schema, str):
        return OAS30Validator(runtime.model.schemas[schema])
    return None if schema is None else OAS30Validator(schema)


def _shape_problems(runtime: ApiRuntime, api: str, name: str, items: list[dict[str, Any]],
                    where: str) -> Iterator[str]:
    validator = _validator(runtime, name)
    for i, item in enumerate(items):
        if validator is not None:
            for error in validator.iter_errors(item):
                path = "".join(f"[{p!r}]" for p in error.absolute_path)
                yield f"{where}[{i}]{path}: {error.message[:200]}"
                break
        for field, kind in PRIVATE_TYPES.items():
            if field in item and not isinstance(item[field], kind | None):
                yield f"{where}[{i}].{field} must be {kind.__name__}"


def _key_problems(key_fields: tuple[str, ...], items: list[dict[str, Any]],
                  where: str) -> Iterator[str]:
    seen: dict[tuple[str, ...], int] = {}
    for i, item in enumerate(items):
        for field in key_fields:
            value = item.get(field)
            if not isinstance(value, str) or not value or len(value) > MAX_KEY_LENGTH \
                    or _CONTROL.search(value):
                yield (f"{where}[{i}].{field} must be a non-empty string of at most "
                       f"{MAX_KEY_LENGTH} characters without control characters, "
                       f"got {value!r:.60}")
        key = tuple(str(item.get(f)) for f in key_fields)
        if key in seen:
            yield f"{where}[{i}] has the same {'/'.join(key_fields)} as item #{seen[key]}"
        seen.setdefault(key, i)


def _reference_problems(runtime: ApiRuntime, name: str, keys: Mapping[str, set[str]],
                        items: list[dict[str, Any]], where: str) -> Iterator[str]:
    """Fields declared to name an item of another collection (x-orgkit.collections.<name>.
    references) must point at one."""
    declared = runtime.model.collections.get(name)
    references = {} if declared is None else declared.references
    for i, item in enumerate(items):
        for field, collection in references.items():
            value = item.get(field)
            if value is not None and str(value) not in keys[collection]:
                yield f"{where}[{i}].{field} {value!r:.60} names no item"


def _name_problems(unique: tuple[str, ...], items: list[dict[str, Any]],
                   where: str) -> Iterator[str]:
    """Unique fields: visible, and no two items with the same name (orgkit.names)."""
    for field in unique:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            key = name_key(str(item.get(field) or ""))
            if not key:
                yield f"{where}[{i}].{field} must not be empty"
            elif key in seen:
                yield (f"{where}[{i}].{field} {item.get(field)!r:.60} is the same name as "
                       f"item #{seen[key]}'s")
            seen.setdefault(key, i)
