"""Pure comparisons of the cleaned OpenAPI documents with the parsed seeds.

Every public ``compare_*`` function returns a list of human-readable problems; an empty list
means the cleaned document keeps what the seed says.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.specs.seed_parsers import (
    SeedBody,
    SeedField,
    SeedOperation,
    SeedParameter,
    SeedType,
    SvxSeed,
    TransmitOperation,
    TransmitSchema,
    TransmitSeed,
)

JsonDict = dict[str, Any]
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_RIGHT = re.compile(r"atom:[a-z_]+:[a-z_]+")
# More permutations than this are not tried when pairing same-titled operations.
_MAX_PERMUTED = 6

# ---------------------------------------------------------------------------------------
# Generic OpenAPI helpers
# ---------------------------------------------------------------------------------------


def pointer(doc: Mapping[str, Any], ref: str) -> Any:
    """The node a local ``#/...`` reference points to, or ``None`` when it dangles."""
    if not ref.startswith("#/"):
        return None
    node: Any = doc
    for part in ref[2:].split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def resolve(doc: Mapping[str, Any], node: Any) -> Any:
    """Follow a chain of local ``$ref`` nodes; a dangling or cyclic chain gives ``None``."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen:
            return None
        seen.add(ref)
        node = pointer(doc, ref)
    return node


def iter_refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` string anywhere below ``node``."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from iter_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_refs(item)


def dangling_refs(doc: Mapping[str, Any]) -> list[str]:
    """Problems for every ``$ref`` that does not resolve inside the document."""
    return sorted(
        {f"$ref {ref!r} does not resolve" for ref in iter_refs(doc) if pointer(doc, ref) is None}
    )


@dataclass(frozen=True)
class SpecOperation:
    """An operation of a cleaned document with its path item."""

    path: str
    method: str
    op: JsonDict
    path_item: JsonDict

    @property
    def label(self) -> str:
        """``METHOD /path``."""
        return f"{self.method.upper()} {self.path}"


def iter_operations(doc: Mapping[str, Any]) -> list[SpecOperation]:
    """The operations of a document in document order."""
    found: list[SpecOperation] = []
    for path, raw_item in (doc.get("paths") or {}).items():
        item = resolve(doc, raw_item) or {}
        for method, op in item.items():
            if method in HTTP_METHODS and isinstance(op, dict):
                found.append(SpecOperation(path=path, method=method, op=op, path_item=item))
    return found


def effective_parameters(
    doc: Mapping[str, Any], spec_op: SpecOperation
) -> dict[tuple[str, str], JsonDict]:
    """Path-item and operation parameters keyed by ``(in, name)``; the operation's win."""
    params: dict[tuple[str, str], JsonDict] = {}
    for raw in [*spec_op.path_item.get("parameters", []), *spec_op.op.get("parameters", [])]:
        param = resolve(doc, raw)
        if isinstance(param, dict):
            params[(str(param.get("in")), str(param.get("name")))] = param
    return params


def effective_security(doc: Mapping[str, Any], op: Mapping[str, Any]) -> Any:
    """The operation's security, or the document's when the operation sets none."""
    return op["security"] if "security" in op else doc.get("security")


def _merge_all_of(doc: Mapping[str, Any], schema: Any, depth: int = 0) -> JsonDict:
    """A resolved schema with the members of its ``allOf`` merged in (first value wins)."""
    resolved = resolve(doc, schema)
    if not isinstance(resolved, dict):
        return {}
    merged: JsonDict = {k: v for k, v in resolved.items() if k != "allOf"}
    for member in resolved.get("allOf", []) if depth < 8 else []:
        part = _merge_all_of(doc, member, depth + 1)
        merged.setdefault("properties", {})
        merged["properties"] = {**part.get("properties", {}), **merged["properties"]}
        merged["required"] = [*merged.get("required", []), *part.get("required", [])]
        for key, value in part.items():
            merged.setdefault(key, value)
    return merged


def object_view(doc: Mapping[str, Any], schema: Any) -> tuple[JsonDict, set[str]]:
    """The properties (unresolved nodes) and required names of an object schema."""
    merged = _merge_all_of(doc, schema)
    return dict(merged.get("properties") or {}), set(merged.get("required") or [])


def property_names(doc: Mapping[str, Any], schema: Any, depth: int = 0) -> set[str]:
    """Top-level property names of a schema, through ``$ref``/``allOf``/``oneOf``/``anyOf``."""
    merged = _merge_all_of(doc, schema)
    names = set(merged.get("properties") or {})
    for key in ("oneOf", "anyOf"):
        for member in merged.get(key, []) if depth < 8 else []:
            names |= property_names(doc, member, depth + 1)
    return names


def normalize_text(text: str) -> str:
    """Lower-cased words only, so markdown, bullets and wrapping do not matter."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


# ---------------------------------------------------------------------------------------
# SVX: seed operation <-> cleaned operation
# ---------------------------------------------------------------------------------------


def _schema_attrs(doc: Mapping[str, Any], node: Any) -> JsonDict:
    """The effective keywords of a schema node (``$ref`` and ``allOf`` folded in)."""
    return _merge_all_of(doc, node)


def _types(attrs: Mapping[str, Any]) -> tuple[set[str], bool]:
    """The declared types without ``null`` and whether the schema is nullable."""
    declared = attrs.get("type")
    types = set(declared) if isinstance(declared, list) else {declared} - {None}
    nullable = attrs.get("nullable") is True or "null" in types
    return {str(t) for t in types - {"null"}}, nullable


def _base_problems(where: str, seed: SeedType, attrs: Mapping[str, Any]) -> list[str]:
    """Type, ``items`` type and nullability of a schema versus a seed type line."""
    problems: list[str] = []
    types, nullable = _types(attrs)
    implied_object = not types and "properties" in attrs and seed.base == "object"
    if types != {seed.base} and not implied_object:
        problems.append(f"{where}: type {sorted(types)} in spec, seed says {seed.raw!r}")
    if seed.nullable != nullable:
        state = "nullable" if seed.nullable else "not nullable"
        problems.append(f"{where}: {state} in seed ({seed.raw!r}), not so in spec")
    return problems


def _items_problems(
    doc: Mapping[str, Any], where: str, seed: SeedType, attrs: Mapping[str, Any]
) -> list[str]:
    """The ``items`` type of an array versus ``Array of <items>``."""
    if seed.items is None:
        return []
    item_types, _ = _types(_schema_attrs(doc, attrs.get("items")))
    if item_types != {seed.items}:
        return [f"{where}: items type {sorted(item_types)} in spec, seed says {seed.raw!r}"]
    return []


def _limit_problems(where: str, seed: SeedType, attrs: Mapping[str, Any]) -> list[str]:
    """``format``, ``maxLength`` and ``minLength`` versus the seed's type line."""
    problems: list[str] = []
    if attrs.get("format") != seed.format:
        problems.append(f"{where}: format {attrs.get('format')!r} in spec, seed says {seed.raw!r}")
    # Where the seed gives no limit, the spec may add one marked inferred (specs/README.md,
    # "String lengths"); a limit the seed states is never ours to mark.
    inferred = "maxLength" in ((attrs.get("x-orgkit-inferred") or {}).get("keywords") or [])
    if inferred and seed.max_length is not None:
        problems.append(f"{where}: maxLength marked inferred, but the seed says {seed.raw!r}")
    elif attrs.get("maxLength") != seed.max_length and not inferred:
        problems.append(
            f"{where}: maxLength {attrs.get('maxLength')!r} in spec, seed says {seed.raw!r}"
        )
    # minLength 0 is the default, so "[ 0 .. 72 ]" equals an absent minLength.
    if (attrs.get("minLength") or None) != (seed.min_length or None):
        problems.append(
            f"{where}: minLength {attrs.get('minLength')!r} in spec, seed says {seed.raw!r}"
        )
    return problems


def _named_schema_problems(
    doc: Mapping[str, Any], where: str, seed: SeedType, node: Any
) -> list[str]:
    """A named object (``object (Name)``) must be ``$ref`` to, or titled, ``Name``."""
    if seed.schema_name is None:
        return []
    ref = node.get("$ref", "") if isinstance(node, Mapping) else ""
    title = _schema_attrs(doc, node).get("title")
    if ref.endswith(f"/{seed.schema_name}") or title == seed.schema_name:
        return []
    return [f"{where}: seed names the object {seed.schema_name!r}; spec has ref {ref!r}"]


def type_problems(doc: Mapping[str, Any], where: str, seed: SeedType, node: Any) -> list[str]:
    """Everything a seed type line says about a schema node."""
    attrs = _schema_attrs(doc, node)
    if not attrs:
        return [f"{where}: schema missing or unresolvable in spec"]
    return [
        *_base_problems(where, seed, attrs),
        *_items_problems(doc, where, seed, attrs),
        *_limit_problems(where, seed, attrs),
        *_named_schema_problems(doc, where, seed, node),
    ]


def _example_of(param: Mapping[str, Any], attrs: Mapping[str, Any]) -> str | None:
    """A parameter's example from ``example``, ``examples`` or its schema, as text."""
    if "example" in param:
        return str(param["example"])
    examples = param.get("examples")
    if isinstance(examples, Mapping) and examples:
        first = next(iter(examples.values()))
        if isinstance(first, Mapping) and "value" in first:
            return str(first["value"])
    return str(attrs["example"]) if "example" in attrs else None


def _find_parameter(
    params: Mapping[tuple[str, str], JsonDict], seed: SeedParameter
) -> tuple[JsonDict | None, str | None]:
    """The spec parameter for a seed parameter, and its spelling when only the case differs."""
    exact = params.get((seed.location, seed.name))
    if exact is not None:
        return exact, None
    for (location, name), param in params.items():
        if location == seed.location and name.lower() == seed.name.lower():
            return param, name
    return None, None


def _parameter_value_problems(
    doc: Mapping[str, Any], where: str, seed: SeedParameter, param: Mapping[str, Any]
) -> list[str]:
    """Required flag, schema, enum, example and default of one parameter."""
    problems: list[str] = []
    required = param.get("required", False) is True
    if seed.location == "path" and not required:
        problems.append(f"{where}: path parameter must be required in spec")
    elif required != seed.required:
        problems.append(f"{where}: {_req(seed.required)} in seed, {_req(required)} in spec")
    attrs = _schema_attrs(doc, param.get("schema"))
    problems.extend(type_problems(doc, where, seed.type, param.get("schema")))
    enum = tuple(str(v) for v in attrs["enum"]) if "enum" in attrs else None
    if enum != seed.enum:
        problems.append(f"{where}: enum {enum} in spec, seed says {seed.enum}")
    if seed.example is not None and _example_of(param, attrs) != seed.example:
        problems.append(
            f"{where}: example {_example_of(param, attrs)!r} in spec, seed says {seed.example!r}"
        )
    if seed.default is not None and str(attrs.get("default")) != seed.default.strip('"'):
        problems.append(f"{where}: default {attrs.get('default')!r}, seed says {seed.default}")
    return problems


def _req(flag: bool) -> str:
    """``required`` or ``optional``."""
    return "required" if flag else "optional"


def parameter_problems(
    doc: Mapping[str, Any], seed_op: SeedOperation, spec_op: SpecOperation
) -> list[str]:
    """Every seed parameter is in the spec with the same attributes, and nothing more."""
    params = effective_parameters(doc, spec_op)
    problems: list[str] = []
    matched: set[tuple[str, str]] = set()
    for seed in seed_op.parameters:
        where = f"{seed.location} parameter {seed.name!r}"
        param, spelled = _find_parameter(params, seed)
        if param is None:
            problems.append(f"{where} missing in spec")
            continue
        matched.add((seed.location, spelled or seed.name))
        if spelled is not None:
            problems.append(f"{where} is spelled {spelled!r} in spec")
        problems.extend(_parameter_value_problems(doc, where, seed, param))
    for location, name in params.keys() - matched:
        problems.append(f"{location} parameter {name!r} in spec is not in the seed")
    return problems


def _field_problems(
    doc: Mapping[str, Any], seed: SeedField, props: Mapping[str, Any], required: set[str]
) -> list[str]:
    """One body field: present, same required flag, same type line."""
    where = f"body field {seed.name!r}"
    if seed.name not in props:
        return [f"{where} missing in spec"]
    problems: list[str] = []
    if (seed.name in required) != seed.required:
        spec_flag = seed.name in required
        problems.append(f"{where}: {_req(seed.required)} in seed, {_req(spec_flag)} in spec")
    problems.extend(type_problems(doc, where, seed.type, props[seed.name]))
    return problems


def body_problems(
    doc: Mapping[str, Any], seed_body: SeedBody | None, spec_op: SpecOperation
) -> list[str]:
    """The request body: presence, required flag, media type and every field."""
    raw = spec_op.op.get("requestBody")
    if seed_body is None:
        return ["spec has a request body, the seed has none"] if raw is not None else []
    body = resolve(doc, raw)
    if not isinstance(body, dict):
        return ["request body missing in spec"]
    problems: list[str] = []
    spec_required = body.get("required", False) is True
    if spec_required != seed_body.required:
        seed_flag = seed_body.flag or "unmarked (optional)"
        problems.append(f"request body: {seed_flag} in seed, {_req(spec_required)} in spec")
    media = (body.get("content") or {}).get(seed_body.media_type)
    if not isinstance(media, dict):
        return [*problems, f"request body: media type {seed_body.media_type!r} missing in spec"]
    props, required = object_view(doc, media.get("schema"))
    for seed_field in seed_body.fields:
        problems.extend(_field_problems(doc, seed_field, props, required))
    extra = sorted(props.keys() - {f.name for f in seed_body.fields})
    if extra:
        problems.append(f"request body: spec has fields not in the seed: {extra}")
    return problems


def security_problems(
    doc: Mapping[str, Any], seed_op: SeedOperation, spec_op: SpecOperation
) -> list[str]:
    """Secured seed operations need the seed's schemes; public ones ``security: []``."""
    security = effective_security(doc, spec_op.op)
    if not seed_op.secured:
        if spec_op.op.get("security", None) != []:
            return [f"public in seed (no Authorizations), spec security is {security!r}"]
        return []
    if not isinstance(security, list) or not security:
        return [
            f"secured in seed ({', '.join(seed_op.auth_schemes)}), spec security is {security!r}"
        ]
    problems: list[str] = []
    if any(not requirement for requirement in security):
        problems.append("spec security contains {} (anonymous access) but the seed is secured")
    names = {name for requirement in security for name in (requirement or {})}
    if names != set(seed_op.auth_schemes):
        problems.append(
            f"security schemes {sorted(names)} in spec, seed says {seed_op.auth_schemes}"
        )
    return problems


def compare_svx_operation(
    doc: Mapping[str, Any], seed_op: SeedOperation, spec_op: SpecOperation
) -> list[str]:
    """Tags, security, parameters and request body of one matched operation."""
    problems: list[str] = []
    if spec_op.op.get("summary") != seed_op.title:
        problems.append(f"summary {spec_op.op.get('summary')!r} in spec")
    if spec_op.op.get("tags") != [seed_op.tag]:
        problems.append(f"tags {spec_op.op.get('tags')!r} in spec, seed tag is {seed_op.tag!r}")
    problems.extend(security_problems(doc, seed_op, spec_op))
    problems.extend(parameter_problems(doc, seed_op, spec_op))
    problems.extend(body_problems(doc, seed_op.body, spec_op))
    return [f"operation {seed_op.title!r} ({spec_op.label}): {p}" for p in problems]


def _response_nodes(doc: Mapping[str, Any], spec_op: SpecOperation) -> Iterator[Any]:
    """Every response schema node of an operation."""
    for raw in (spec_op.op.get("responses") or {}).values():
        response = resolve(doc, raw)
        if not isinstance(response, Mapping):
            continue
        for media in (response.get("content") or {}).values():
            if isinstance(media, Mapping) and "schema" in media:
                yield media["schema"]


def compare_svx_samples(
    doc: Mapping[str, Any], seed_op: SeedOperation, spec_op: SpecOperation
) -> list[str]:
    """Every top-level key of a seed sample is a property of a response / the request body."""
    response_props: set[str] = set()
    for schema in _response_nodes(doc, spec_op):
        response_props |= property_names(doc, schema)
    problems = [
        f"operation {seed_op.title!r} ({spec_op.label}): response sample field {key!r} "
        "is in no response schema of the spec"
        for sample in seed_op.response_samples
        for key in sample.keys
        if key not in response_props
    ]
    return problems


def _prose_problem(where: str, seed_text: str, spec_text: Any) -> list[str]:
    """A seed text must survive (as words) inside the spec's text."""
    wanted = normalize_text(seed_text)
    if wanted and wanted not in normalize_text(str(spec_text or "")):
        return [f"{where}: seed text {seed_text[:60]!r}... not found in spec"]
    return []


def compare_svx_prose(
    doc: Mapping[str, Any], seed_op: SeedOperation, spec_op: SpecOperation
) -> list[str]:
    """Descriptions of the operation, its parameters and body fields, and named rights."""
    description = str(spec_op.op.get("description") or "")
    problems = _prose_problem("description", seed_op.description, description)
    for right in sorted(
        set(_RIGHT.findall(seed_op.description)) - set(_RIGHT.findall(description))
    ):
        problems.append(f"description: right {right!r} of the seed not named in spec")
    params = effective_parameters(doc, spec_op)
    for seed in seed_op.parameters:
        param, _ = _find_parameter(params, seed)
        if param is not None:
            text = param.get("description") or _schema_attrs(doc, param.get("schema")).get(
                "description"
            )
            problems.extend(_prose_problem(f"parameter {seed.name!r}", seed.description, text))
    problems.extend(_body_prose_problems(doc, seed_op.body, spec_op))
    return [f"operation {seed_op.title!r} ({spec_op.label}): {p}" for p in problems]


def _body_prose_problems(
    doc: Mapping[str, Any], seed_body: SeedBody | None, spec_op: SpecOperation
) -> list[str]:
    """Descriptions of the body and its fields."""
    body = resolve(doc, spec_op.op.get("requestBody"))
    if seed_body is None or not isinstance(body, dict):
        return []
    media = (body.get("content") or {}).get(seed_body.media_type) or {}
    schema_attrs = _schema_attrs(doc, media.get("schema"))
    body_text = f"{body.get('description', '')} {schema_attrs.get('description', '')}"
    problems = _prose_problem("request body", seed_body.description, body_text)
    props, _ = object_view(doc, media.get("schema"))
    for seed_field in seed_body.fields:
        node = props.get(seed_field.name)
        if isinstance(node, Mapping):
            # A description may sit next to a $ref or inside the referenced schema.
            resolved = _schema_attrs(doc, node).get("description", "")
            text = f"{node.get('description', '')} {resolved}"
            where = f"body field {seed_field.name!r}"
            problems.extend(_prose_problem(where, seed_field.description, text))
    return problems


@dataclass
class SvxMatch:
    """Seed operations paired with cleaned operations, and what stayed unpaired."""

    pairs: dict[int, SpecOperation] = field(default_factory=dict)
    unmatched_seed: list[SeedOperation] = field(default_factory=list)
    unmatched_spec: list[SpecOperation] = field(default_factory=list)


def _best_pairing(
    doc: Mapping[str, Any], seeds: Sequence[SeedOperation], specs: Sequence[SpecOperation]
) -> list[tuple[SeedOperation, SpecOperation]]:
    """Pair same-titled operations so that the fewest problems remain.

    Ties keep document order: ``itertools.permutations`` yields the identity first.
    """
    size = min(len(seeds), len(specs))
    if len(seeds) > _MAX_PERMUTED or len(specs) > _MAX_PERMUTED:
        return list(zip(seeds, specs, strict=False))
    best: list[tuple[SeedOperation, SpecOperation]] = []
    best_cost = -1
    for seed_order in itertools.permutations(seeds, size):
        for spec_order in itertools.permutations(specs, size):
            pairs = list(zip(seed_order, spec_order, strict=True))
            cost = sum(len(compare_svx_operation(doc, s, o)) for s, o in pairs)
            if best_cost < 0 or cost < best_cost:
                best, best_cost = pairs, cost
        if len(seeds) <= len(specs):
            break  # all seeds are used; only the spec order varies
    return best


def match_svx(doc: Mapping[str, Any], seed_ops: Sequence[SeedOperation]) -> SvxMatch:
    """Pair seed and cleaned operations by title (= summary)."""
    by_title: dict[str, list[SpecOperation]] = {}
    for spec_op in iter_operations(doc):
        by_title.setdefault(str(spec_op.op.get("summary")), []).append(spec_op)
    seeds_by_title: dict[str, list[SeedOperation]] = {}
    for seed_op in seed_ops:
        seeds_by_title.setdefault(seed_op.title, []).append(seed_op)
    match = SvxMatch()
    for title, seeds in seeds_by_title.items():
        specs = by_title.pop(title, [])
        pairs = _best_pairing(doc, seeds, specs)
        match.pairs.update({s.index: o for s, o in pairs})
        paired_specs = [o for _, o in pairs]
        match.unmatched_seed.extend(s for s in seeds if s.index not in match.pairs)
        match.unmatched_spec.extend(o for o in specs if o not in paired_specs)
    for rest in by_title.values():
        match.unmatched_spec.extend(rest)
    return match


def _unmatched_seed_problem(seed_op: SeedOperation, match: SvxMatch) -> str:
    """Name a seed operation without partner, with the closest unpaired summary as a hint."""
    summaries = {str(op.op.get("summary")): op for op in match.unmatched_spec}
    close = difflib.get_close_matches(seed_op.title, list(summaries), n=1, cutoff=0.6)
    hint = f"; closest unpaired: {summaries[close[0]].label} {close[0]!r}" if close else ""
    return f"operation {seed_op.title!r} (seed #{seed_op.index}) has no operation in spec{hint}"


def compare_svx_inventory(doc: Mapping[str, Any], seed: SvxSeed) -> list[str]:
    """Summaries as a multiset, unpaired operations, info, schemes and dangling refs."""
    problems: list[str] = []
    seed_titles = Counter(op.title for op in seed.operations)
    spec_titles = Counter(str(op.op.get("summary")) for op in iter_operations(doc))
    for title in sorted(seed_titles.keys() | spec_titles.keys()):
        if seed_titles[title] != spec_titles[title]:
            problems.append(
                f"summary {title!r}: {seed_titles[title]}x in seed, {spec_titles[title]}x in spec"
            )
    match = match_svx(doc, seed.operations)
    problems.extend(_unmatched_seed_problem(op, match) for op in match.unmatched_seed)
    problems.extend(
        f"spec operation {op.label} matches no seed operation" for op in match.unmatched_spec
    )
    info = doc.get("info") or {}
    if (info.get("title"), str(info.get("version"))) != (seed.title, seed.version):
        problems.append(
            f"info: {info.get('title')!r} {info.get('version')!r} in spec, "
            f"seed says {seed.title!r} {seed.version!r}"
        )
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    for scheme in sorted({s for op in seed.operations for s in op.auth_schemes} - set(schemes)):
        problems.append(f"security scheme {scheme!r} missing in components.securitySchemes")
    return [*problems, *dangling_refs(doc)]


def compare_svx(doc: Mapping[str, Any], seed: SvxSeed) -> list[str]:
    """All structural SVX problems: inventory plus every paired operation."""
    match = match_svx(doc, seed.operations)
    problems = compare_svx_inventory(doc, seed)
    for seed_op in seed.operations:
        spec_op = match.pairs.get(seed_op.index)
        if spec_op is not None:
            problems.extend(compare_svx_operation(doc, seed_op, spec_op))
    return problems


# ---------------------------------------------------------------------------------------
# SVX: the minimal document a seed implies (for self-tests of the comparison)
# ---------------------------------------------------------------------------------------


def render_type(seed: SeedType) -> JsonDict:
    """The schema a seed type line describes."""
    if seed.schema_name is not None:
        return {"$ref": f"#/components/schemas/{seed.schema_name}"}
    schema: JsonDict = {"type": seed.base}
    optional = {
        "items": {"type": seed.items} if seed.items else None,
        "format": seed.format,
        "nullable": True if seed.nullable else None,
        "minLength": seed.min_length,
        "maxLength": seed.max_length,
    }
    schema.update({k: v for k, v in optional.items() if v is not None})
    return schema


def _render_parameter(seed: SeedParameter) -> JsonDict:
    """The parameter object a seed parameter describes."""
    schema = render_type(seed.type)
    if seed.enum is not None:
        schema["enum"] = list(seed.enum)
    param: JsonDict = {
        "name": seed.name,
        "in": seed.location,
        "required": seed.required,
        "description": seed.description,
        "schema": schema,
    }
    if seed.example is not None:
        param["example"] = seed.example
    return param


def _render_body(seed: SeedBody) -> JsonDict:
    """The request body a seed body describes."""
    properties: JsonDict = {}
    for seed_field in seed.fields:
        prop = render_type(seed_field.type)
        if seed_field.description:
            prop["description"] = seed_field.description
        properties[seed_field.name] = prop
    schema: JsonDict = {
        "type": "object",
        "description": seed.description,
        "properties": properties,
        "required": [f.name for f in seed.fields if f.required],
    }
    return {"required": seed.required, "content": {seed.media_type: {"schema": schema}}}


def _render_operation(seed: SeedOperation) -> JsonDict:
    """The operation object a seed operation describes."""
    keys = {key for sample in seed.response_samples for key in sample.keys}
    op: JsonDict = {
        "summary": seed.title,
        "tags": [seed.tag],
        "description": seed.description,
        "security": [{scheme: []} for scheme in seed.auth_schemes],
        "parameters": [_render_parameter(p) for p in seed.parameters],
        "responses": {
            "200": {
                "description": "",
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "properties": {k: {} for k in sorted(keys)}}
                    }
                },
            }
        },
    }
    if seed.body is not None:
        op["requestBody"] = _render_body(seed.body)
    return op


def render_svx_seed(seed: SvxSeed) -> JsonDict:
    """A minimal OpenAPI document holding exactly what the seed says (one path per op)."""
    named = {
        f.type.schema_name
        for op in seed.operations
        for f in (op.body.fields if op.body else ())
        if f.type.schema_name
    }
    paths = {
        f"/op{op.index}": {("post" if op.body else "get"): _render_operation(op)}
        for op in seed.operations
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": seed.title, "version": seed.version},
        "paths": paths,
        "components": {
            "schemas": {name: {"type": "object"} for name in sorted(named)},
            "securitySchemes": {"SVX-JWT": {"type": "http", "scheme": "bearer"}},
        },
    }


# ---------------------------------------------------------------------------------------
# Transmit
# ---------------------------------------------------------------------------------------


def _transmit_param_problems(
    doc: Mapping[str, Any], seed_op: TransmitOperation, spec_op: SpecOperation
) -> list[str]:
    """Every seed parameter with the same ``in`` and ``required``; nothing extra."""
    params = effective_parameters(doc, spec_op)
    problems: list[str] = []
    for seed in seed_op.parameters:
        param = params.get((seed.location, seed.name))
        if param is None:
            problems.append(f"{seed.location} parameter {seed.name!r} missing in spec")
        elif (param.get("required", False) is True) != seed.required:
            problems.append(
                f"{seed.location} parameter {seed.name!r}: {_req(seed.required)} in seed, "
                f"{_req(param.get('required', False) is True)} in spec"
            )
    extra = params.keys() - {(p.location, p.name) for p in seed_op.parameters}
    problems.extend(f"{loc} parameter {name!r} in spec is not in the seed" for loc, name in extra)
    return problems


def _transmit_body_problems(
    doc: Mapping[str, Any], seed_op: TransmitOperation, spec_op: SpecOperation
) -> list[str]:
    """Request body presence, required flag, media types and schema ``$ref``."""
    body = resolve(doc, spec_op.op.get("requestBody"))
    if seed_op.body is None:
        return ["spec has a request body, the seed has none"] if body is not None else []
    if not isinstance(body, dict):
        return ["request body missing in spec"]
    problems: list[str] = []
    if (body.get("required", False) is True) != seed_op.body.required:
        problems.append(
            f"request body required={body.get('required')!r}, seed says {seed_op.body.required}"
        )
    content = body.get("content") or {}
    for media_type in seed_op.body.media_types:
        schema = (content.get(media_type) or {}).get("schema") or {}
        if media_type not in content:
            problems.append(f"request body media type {media_type!r} missing in spec")
        elif schema.get("$ref") != seed_op.body.schema_ref:
            problems.append(
                f"request body schema {schema.get('$ref')!r}, seed says {seed_op.body.schema_ref!r}"
            )
    return problems


def _transmit_response_problems(
    doc: Mapping[str, Any], seed_op: TransmitOperation, spec_op: SpecOperation
) -> list[str]:
    """Every seed response status is declared and mentions the seed's ``$ref``s."""
    responses = {str(k): v for k, v in (spec_op.op.get("responses") or {}).items()}
    problems: list[str] = []
    for seed in seed_op.responses:
        if seed.status not in responses:
            problems.append(f"response {seed.status} missing in spec")
            continue
        raw = responses[seed.status]
        refs = set(iter_refs(raw)) | set(iter_refs(resolve(doc, raw)))
        for ref in seed.refs:
            if ref not in refs:
                problems.append(f"response {seed.status}: schema {ref!r} missing in spec")
    return problems


def _security_names(security: Any) -> tuple[str, ...] | None:
    """The scheme names of a security requirement list (``None`` when absent)."""
    if not isinstance(security, list):
        return None
    return tuple(name for requirement in security for name in (requirement or {}))


def compare_transmit_operation(doc: Mapping[str, Any], seed_op: TransmitOperation) -> list[str]:
    """One Transmit operation: identity, text, parameters, body, responses, security."""
    where = f"operation {seed_op.operation_id} ({seed_op.method.upper()} {seed_op.path})"
    item = resolve(doc, (doc.get("paths") or {}).get(seed_op.path))
    op = item.get(seed_op.method) if isinstance(item, dict) else None
    if not isinstance(op, dict):
        return [f"{where}: missing in spec"]
    spec_op = SpecOperation(seed_op.path, seed_op.method, op, item)
    problems: list[str] = []
    for key, seed_value in (("operationId", seed_op.operation_id), ("summary", seed_op.summary)):
        if op.get(key) != seed_value:
            problems.append(f"{key} {op.get(key)!r} in spec, seed says {seed_value!r}")
    if normalize_text(str(op.get("description") or "")) != normalize_text(seed_op.description):
        problems.append("description differs from the seed")
    problems.extend(_transmit_param_problems(doc, seed_op, spec_op))
    problems.extend(_transmit_body_problems(doc, seed_op, spec_op))
    problems.extend(_transmit_response_problems(doc, seed_op, spec_op))
    if _security_names(op.get("security")) != seed_op.security:
        problems.append(f"security {op.get('security')!r} in spec, seed says {seed_op.security}")
    return [f"{where}: {p}" for p in problems]


def _transmit_property_problems(seed: TransmitSchema, props: Mapping[str, Any]) -> list[str]:
    """Type, ``$ref``, format and ``deprecated`` of each property of a schema."""
    problems: list[str] = []
    for prop in seed.properties:
        node = props.get(prop.name)
        if not isinstance(node, Mapping):
            continue
        actual = (
            node.get("type"),
            node.get("$ref"),
            node.get("format"),
            node.get("deprecated") is True,
        )
        wanted = (prop.type, prop.ref, prop.format, prop.deprecated)
        if actual != wanted:
            problems.append(
                f"property {prop.name!r}: (type, $ref, format, deprecated) {actual} in spec, "
                f"seed says {wanted}"
            )
    return problems


def compare_transmit_schema(doc: Mapping[str, Any], seed: TransmitSchema) -> list[str]:
    """One component schema: property names, required list and property attributes."""
    where = f"schema {seed.name!r}"
    schema = ((doc.get("components") or {}).get("schemas") or {}).get(seed.name)
    if not isinstance(schema, dict):
        return [f"{where}: missing in components.schemas"]
    props = schema.get("properties") or {}
    problems: list[str] = []
    if set(props) != set(seed.property_names):
        problems.append(
            f"properties {sorted(props)} in spec, seed says {sorted(seed.property_names)}"
        )
    if set(schema.get("required") or []) != set(seed.required):
        problems.append(
            f"required {sorted(schema.get('required') or [])} in spec, "
            f"seed says {sorted(seed.required)}"
        )
    problems.extend(_transmit_property_problems(seed, props))
    return [f"{where}: {p}" for p in problems]


def compare_transmit_document(doc: Mapping[str, Any], seed: TransmitSeed) -> list[str]:
    """Document-level facts: versions, info, servers, security, schemes, extra operations."""
    problems: list[str] = []
    info = doc.get("info") or {}
    facts = (
        ("openapi", str(doc.get("openapi")), seed.openapi),
        ("info.title", info.get("title"), seed.title),
        ("info.version", info.get("version"), seed.version),
    )
    problems.extend(
        f"{name} {got!r} in spec, seed says {want!r}" for name, got, want in facts if got != want
    )
    if normalize_text(str(info.get("description") or "")) != normalize_text(seed.description):
        problems.append("info.description differs from the seed")
    urls = tuple(str(s.get("url")) for s in doc.get("servers") or [])
    if urls != seed.servers:
        problems.append(f"servers {urls} in spec, seed says {seed.servers}")
    if _security_names(doc.get("security")) != seed.security:
        problems.append(f"top-level security {doc.get('security')!r}, seed says {seed.security}")
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    spec_schemes = {name: str((s or {}).get("type")) for name, s in schemes.items()}
    if spec_schemes != seed.security_schemes:
        problems.append(
            f"securitySchemes {spec_schemes} in spec, seed says {seed.security_schemes}"
        )
    known = {(op.path, op.method) for op in seed.operations}
    problems.extend(
        f"spec operation {op.label} is not in the seed"
        for op in iter_operations(doc)
        if (op.path, op.method) not in known
    )
    return [*problems, *dangling_refs(doc)]


def missing_seed_lines(
    seed_text: str, spec_text: str, corrections: Mapping[str, str] | None = None
) -> list[str]:
    """Seed lines that do not reappear, in order, among the spec's stripped lines.

    The Transmit spec is the seed with its indentation restored (plus ``x-orgkit`` lines),
    so every non-blank seed line must survive verbatim and in the same order, except the
    documented ``corrections`` (seed line -> the line that replaces it in the spec).
    """
    spec_lines = [line.strip() for line in spec_text.splitlines() if line.strip()]
    fixes = corrections or {}
    problems: list[str] = []
    position = 0
    for number, raw in enumerate(seed_text.splitlines(), start=1):
        line = fixes.get(raw.strip(), raw.strip())
        if not line:
            continue
        try:
            position = spec_lines.index(line, position) + 1
        except ValueError:
            problems.append(f"seed line {number} {line!r} not found (in order) in spec")
    return problems
