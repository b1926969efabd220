"""Pure parsers of the raw seed documents in ``specs/sources/``.

They read only the seeds (never the cleaned specs), so the fidelity tests compare two
independent readings of the same API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SOURCES_DIR = Path(__file__).resolve().parents[2] / "specs" / "sources"
SVX_SEED = SOURCES_DIR / "000_65f6558943d4082a.txt"
TRANSMIT_SEED = SOURCES_DIR / "004_85ee453efa6e00c7.txt"

# The render's group headings. A heading line looks exactly like an operation title, so
# the seed's own tag list is the only reliable way to tell them apart.
SVX_TAGS: tuple[str, ...] = (
    "Organisations",
    "Monitoring",
    "Helpers",
    "Security Rights",
    "Tenants",
    "Users",
)

# ---------------------------------------------------------------------------------------
# SVX: Redoc-style text render
# ---------------------------------------------------------------------------------------

_PARAM_HEADING = re.compile(r"^(path|query|header|cookie) Parameters$")
_BODY_HEADING = re.compile(r"^Request Body schema: (?P<media>\S+)$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-\[\]]*$")
_TYPE_START = re.compile(r"^(?:Array of \w+|string|integer|number|boolean|object|any)(?:\s|$)")
_TYPE_LINE = re.compile(
    r"^(?P<base>Array of \w+|\w+)(?P<null> or null)?"
    r"(?: <(?P<format>[^>]+)>)?"
    r"(?: \[ (?P<min>\d+) \.\. (?P<max>\d+) \] (?:characters|items))?"
    r"(?: (?:>= (?P<ge>\d+)|<= (?P<le>\d+)) (?:characters|items))?"
    r"(?: \((?P<schema>[^)]+)\))?$"
)
_QUOTED = re.compile(r'"([^"]*)"')
_SAMPLE_KEY = re.compile(r'^  • "(?P<key>[^"]+)":')
_SAMPLE_HEADINGS = ("Request samples", "Response samples")
_ENTRY_QUALIFIERS = ("Enum:", "Value:", "Example:", "Default:")
_PLURALS = {
    "strings": "string",
    "integers": "integer",
    "numbers": "number",
    "booleans": "boolean",
    "objects": "object",
}


@dataclass(frozen=True)
class SeedType:
    """A Redoc type line such as ``string or null [ 0 .. 72 ] characters``."""

    raw: str
    base: str
    items: str | None = None
    nullable: bool = False
    format: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    schema_name: str | None = None


@dataclass(frozen=True)
class SeedParameter:
    """One entry under a ``path|query|header Parameters`` heading."""

    location: str
    name: str
    required: bool
    type: SeedType
    enum: tuple[str, ...] | None = None
    example: str | None = None
    default: str | None = None
    description: str = ""


@dataclass(frozen=True)
class SeedField:
    """One top-level field of a request body."""

    name: str
    required: bool
    type: SeedType
    description: str = ""
    # True when the render lost the name and it was taken from the request sample.
    name_from_sample: bool = False


@dataclass(frozen=True)
class SeedBody:
    """A ``Request Body schema`` section."""

    media_type: str
    required: bool
    flag: str | None
    description: str
    fields: tuple[SeedField, ...]


@dataclass(frozen=True)
class SeedSample:
    """A request or response sample: its kind and the top-level keys of its JSON."""

    kind: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class SeedOperation:
    """One operation of the SVX render, in document order (``index`` starts at 1)."""

    index: int
    tag: str
    title: str
    description: str
    auth_schemes: tuple[str, ...]
    parameters: tuple[SeedParameter, ...]
    body: SeedBody | None
    samples: tuple[SeedSample, ...] = field(default=())

    @property
    def secured(self) -> bool:
        """Whether the render lists an ``Authorizations:`` scheme."""
        return bool(self.auth_schemes)

    @property
    def request_sample_keys(self) -> tuple[str, ...]:
        """Top-level keys of the request sample (empty without one)."""
        return next((s.keys for s in self.samples if s.kind == "request"), ())

    @property
    def response_samples(self) -> tuple[SeedSample, ...]:
        """The response samples."""
        return tuple(s for s in self.samples if s.kind == "response")


@dataclass(frozen=True)
class SvxSeed:
    """The whole SVX render: API title, version and operations."""

    title: str
    version: str
    operations: tuple[SeedOperation, ...]


def parse_type_line(raw: str) -> SeedType:
    """Parse a Redoc type line; unknown trailing text keeps only ``raw`` and the base."""
    match = _TYPE_LINE.match(raw)
    if match is None:
        return SeedType(raw=raw, base=raw.split()[0])
    base, items = match["base"], None
    if base.startswith("Array of "):
        word = base.removeprefix("Array of ")
        base, items = "array", _PLURALS.get(word, word)
    min_length = match["min"] or match["ge"]
    max_length = match["max"] or match["le"]
    return SeedType(
        raw=raw,
        base=base,
        items=items,
        nullable=match["null"] is not None,
        format=match["format"],
        min_length=int(min_length) if min_length is not None else None,
        max_length=int(max_length) if max_length is not None else None,
        schema_name=match["schema"],
    )


def _is_type(line: str) -> bool:
    """Whether a line is a Redoc type line."""
    return _TYPE_START.match(line) is not None


def _is_marker(line: str) -> bool:
    """Whether a line starts a section of an operation."""
    return (
        line in ("Authorizations:", "Responses")
        or _PARAM_HEADING.match(line) is not None
        or _BODY_HEADING.match(line) is not None
    )


def _entry_starts(lines: Sequence[str], i: int) -> bool:
    """Whether ``lines[i]`` opens an entry: a name, optional ``required``, a type line."""
    if _NAME.match(lines[i]) is None or (i > 0 and lines[i - 1] != ""):
        return False
    rest = list(lines[i + 1 : i + 3]) + ["", ""]
    return _is_type(rest[0]) or (rest[0] == "required" and _is_type(rest[1]))


@dataclass
class _Entry:
    """A parsed but untyped entry: name, required flag, type line, qualifiers, text."""

    name: str
    required: bool
    type_line: str
    qualifiers: dict[str, str] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        """The entry's description, whitespace-normalised."""
        return " ".join(" ".join(self.text).split())


def _read_entry(lines: Sequence[str], i: int, name: str) -> tuple[_Entry, int]:
    """Read the flag, type and qualifier lines of an entry whose name precedes ``i``."""
    required = lines[i] == "required"
    i += required
    entry = _Entry(name=name, required=required, type_line=lines[i])
    i += 1
    while i < len(lines) and lines[i].startswith(_ENTRY_QUALIFIERS):
        key, _, value = lines[i].partition(":")
        entry.qualifiers[key] = value.strip()
        i += 1
    return entry, i


def _parse_entries(lines: Sequence[str]) -> tuple[list[str], list[_Entry]]:
    """Split a section into its preface text and its entries."""
    preface: list[str] = []
    entries: list[_Entry] = []
    i = 0
    while i < len(lines):
        if _entry_starts(lines, i):
            entry, i = _read_entry(lines, i + 1, lines[i])
            entries.append(entry)
            continue
        (entries[-1].text if entries else preface).append(lines[i])
        i += 1
    return preface, entries


def _to_parameter(location: str, entry: _Entry) -> SeedParameter:
    """Build a parameter from an entry; ``Value:`` is Redoc's render of a one-value enum."""
    enum_text = entry.qualifiers.get("Enum") or entry.qualifiers.get("Value")
    example = entry.qualifiers.get("Example")
    if example is not None and location == "query":
        # Redoc prints query examples as ``name=value``.
        example = example.removeprefix(f"{entry.name}=")
    return SeedParameter(
        location=location,
        name=entry.name,
        required=entry.required,
        type=parse_type_line(entry.type_line),
        enum=tuple(_QUOTED.findall(enum_text)) if enum_text is not None else None,
        example=example,
        default=entry.qualifiers.get("Default"),
        description=entry.description,
    )


def _to_field(entry: _Entry, from_sample: bool = False) -> SeedField:
    """Build a body field from an entry."""
    return SeedField(
        name=entry.name,
        required=entry.required,
        type=parse_type_line(entry.type_line),
        description=entry.description,
        name_from_sample=from_sample,
    )


def _parse_body(media_type: str, lines: Sequence[str], sample_keys: Sequence[str]) -> SeedBody:
    """Parse a body section; a nameless leading entry takes its name from the sample.

    The first ``required``/``optional`` line is the body's own flag; a second ``required``
    right before a type line belongs to the nameless top-level object (Redoc drops the
    name of a body that is one named object, e.g. ``invitation``).
    """
    flag = lines[0] if lines and lines[0] in ("required", "optional") else None
    rest = list(lines[1:] if flag else lines)
    fields: list[SeedField] = []
    head = rest[:2] + ["", ""]
    if _is_type(head[0]) or (head[0] == "required" and _is_type(head[1])):
        name = sample_keys[0] if len(sample_keys) == 1 else ""
        entry, end = _read_entry(rest, 0, name)
        fields.append(_to_field(entry, from_sample=True))
        rest = rest[end:]
    preface, entries = _parse_entries(rest)
    fields.extend(_to_field(entry) for entry in entries)
    return SeedBody(
        media_type=media_type,
        required=flag == "required",
        flag=flag,
        description=" ".join(" ".join(preface).split()),
        fields=tuple(fields),
    )


def _next_nonblank(lines: Sequence[str], i: int) -> int:
    """Index of the first non-blank line at or after ``i`` (``len(lines)`` if none)."""
    while i < len(lines) and not lines[i]:
        i += 1
    return i


def _skip_json(lines: Sequence[str], i: int) -> int:
    """Index just after the JSON sample starting at ``lines[i]`` (closed at column 0)."""
    if lines[i] in ("{ }", "{}", "[ ]", "[]") or lines[i][:1] not in ("{", "["):
        return i + 1
    closer = "}" if lines[i].startswith("{") else "]"
    while i < len(lines) and lines[i] != closer:
        i += 1
    return i + 1


def _read_samples(lines: Sequence[str], i: int) -> tuple[list[SeedSample], int]:
    """Read the sample blocks after ``Responses``; return them and the next start."""
    samples: list[SeedSample] = []
    i = _next_nonblank(lines, i)
    while i < len(lines) and lines[i] in _SAMPLE_HEADINGS:
        kind = lines[i].split()[0].lower()
        i = _next_nonblank(lines, i + 1)
        if i < len(lines) and lines[i] == "Content type":
            i = _next_nonblank(lines, i + 2)  # the media type line follows the label
        end = _skip_json(lines, i)
        keys = tuple(m["key"] for line in lines[i:end] if (m := _SAMPLE_KEY.match(line)))
        samples.append(SeedSample(kind=kind, keys=keys))
        i = _next_nonblank(lines, end)
    return samples, i


def _split_sections(lines: Sequence[str]) -> Iterator[tuple[str, list[str]]]:
    """Yield ``(heading, body lines)`` for each section up to (excluding) ``Responses``."""
    heading = ""
    body: list[str] = []
    for line in lines:
        if _is_marker(line):
            yield heading, body
            heading, body = line, []
        else:
            body.append(line)
    yield heading, body


def _section_lines(body: Sequence[str]) -> list[str]:
    """Strip leading and trailing blank lines of a section."""
    start = _next_nonblank(body, 0)
    end = len(body)
    while end > start and not body[end - 1]:
        end -= 1
    return list(body[start:end])


@dataclass
class _OperationDraft:
    """Mutable collector for the sections of one operation."""

    description: list[str] = field(default_factory=list)
    auth: list[str] = field(default_factory=list)
    params: list[SeedParameter] = field(default_factory=list)
    body: tuple[str, list[str]] | None = None


def _collect_sections(lines: Sequence[str]) -> _OperationDraft:
    """Sort the lines between a title and ``Responses`` into their sections."""
    draft = _OperationDraft()
    for heading, body in _split_sections(lines):
        section = _section_lines(body)
        if heading == "":
            draft.description = section
        elif heading == "Authorizations:":
            draft.auth = [line for line in section if line]
        elif (param := _PARAM_HEADING.match(heading)) is not None:
            _, entries = _parse_entries(section)
            draft.params.extend(_to_parameter(param[1], entry) for entry in entries)
        elif (media := _BODY_HEADING.match(heading)) is not None:
            draft.body = (media["media"], section)
    return draft


def _find_responses(lines: Sequence[str], start: int) -> int:
    """Index of the ``Responses`` line that closes the operation starting at ``start``."""
    for i in range(start, len(lines)):
        if lines[i] == "Responses":
            return i
    raise ValueError(f"SVX seed: no 'Responses' after line {start + 1}")


def _parse_operation(
    lines: Sequence[str], start: int, index: int, tag: str
) -> tuple[SeedOperation, int]:
    """Parse the operation whose title is ``lines[start]``; return it and the next start."""
    end = _find_responses(lines, start + 1)
    draft = _collect_sections(lines[start + 1 : end])
    samples, after = _read_samples(lines, end + 1)
    request_keys = next((s.keys for s in samples if s.kind == "request"), ())
    body = None
    if draft.body is not None:
        body = _parse_body(draft.body[0], draft.body[1], request_keys)
    operation = SeedOperation(
        index=index,
        tag=tag,
        title=lines[start],
        description="\n".join(draft.description).strip(),
        auth_schemes=tuple(draft.auth),
        parameters=tuple(draft.params),
        body=body,
        samples=tuple(samples),
    )
    return operation, after


def _parse_preamble(lines: Sequence[str], tags: Sequence[str]) -> tuple[str, str, int]:
    """Read ``NAME (VERSION)``; return name, version and the index of the first heading."""
    match = re.match(r"^(?P<title>.+) \((?P<version>[^)]+)\)$", lines[0])
    if match is None:
        raise ValueError(f"SVX seed: unexpected first line {lines[0]!r}")
    for i, line in enumerate(lines):
        if line in tags:
            return match["title"], match["version"], i
    raise ValueError("SVX seed: no tag heading found")


def parse_svx_text(text: str, tags: Sequence[str] = SVX_TAGS) -> SvxSeed:
    """Parse the SVX text render into its operations, in document order."""
    lines = [line.rstrip() for line in text.splitlines()]
    title, version, i = _parse_preamble(lines, tags)
    operations: list[SeedOperation] = []
    tag = ""
    while (i := _next_nonblank(lines, i)) < len(lines):
        if lines[i] in tags:
            tag = lines[i]
            i += 1
            continue
        operation, i = _parse_operation(lines, i, len(operations) + 1, tag)
        operations.append(operation)
    return SvxSeed(title=title, version=version, operations=tuple(operations))


def load_svx_seed(path: Path = SVX_SEED) -> SvxSeed:
    """Parse the SVX seed file."""
    return parse_svx_text(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------
# Transmit: OpenAPI YAML whose indentation was stripped
# ---------------------------------------------------------------------------------------

_KEY_LINE = re.compile(
    r"^(?P<dash>- )?(?P<key>'[^']*'|\"[^\"]*\"|[A-Za-z0-9_$/{}.\-]+):(?:\s+(?P<value>.*))?$"
)
_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
_BLOCK_INDICATORS = frozenset({">", ">-", ">+", "|", "|-", "|+"})
# Keys that open a nested schema inside a property: their own type lines are not the
# property's type.
_NESTED_OPENERS = frozenset({"items", "additionalProperties", "allOf", "oneOf", "anyOf", "not"})
_OAUTH_KEYS = frozenset(
    {"flows", "clientCredentials", "implicit", "password", "authorizationCode", "scopes"}
)


@dataclass(frozen=True)
class Token:
    """One logical line: a ``key: value`` pair or a ``- item``, with folded text."""

    line: int
    dash: bool
    key: str | None
    value: str | None
    text: str = ""

    @property
    def opens(self) -> bool:
        """Whether this is a key without a value (it opens a mapping or list)."""
        return self.key is not None and self.value is None


def _unquote(value: str) -> str:
    """Strip one level of YAML single or double quotes."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1].replace("''", "'") if value[0] == "'" else value[1:-1]
    return value


def tokenize_flat_yaml(text: str) -> list[Token]:
    """Turn indentation-less YAML into tokens; continuation lines fold into ``text``."""
    tokens: list[Token] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _KEY_LINE.match(line)
        if match is not None:
            value = match["value"]
            tokens.append(
                Token(
                    line=number,
                    dash=match["dash"] is not None,
                    key=_unquote(match["key"]),
                    value=_unquote(value.strip()) if value is not None else None,
                )
            )
        elif line.startswith("- "):
            tokens.append(Token(line=number, dash=True, key=None, value=_unquote(line[2:])))
        elif tokens:
            last = tokens[-1]
            text_so_far = f"{last.text} {line}".strip()
            tokens[-1] = Token(last.line, last.dash, last.key, last.value, text_so_far)
        else:
            raise ValueError(f"Transmit seed: stray line {number}: {raw!r}")
    return tokens


def _scalar(token: Token) -> str:
    """The full scalar of a token: its value, or its folded block text."""
    if token.value in _BLOCK_INDICATORS or token.value is None:
        return token.text
    return f"{token.value} {token.text}".strip()


@dataclass(frozen=True)
class TransmitParameter:
    """A parameter: name, location and required flag (YAML default: false)."""

    name: str
    location: str
    required: bool


@dataclass(frozen=True)
class TransmitBody:
    """A request body: required flag, media types and the schema ``$ref``."""

    required: bool
    media_types: tuple[str, ...]
    schema_ref: str | None


@dataclass(frozen=True)
class TransmitResponse:
    """A response: status and every ``$ref`` mentioned inside it."""

    status: str
    refs: tuple[str, ...]


@dataclass(frozen=True)
class TransmitOperation:
    """One operation of the Transmit seed."""

    path: str
    method: str
    operation_id: str
    summary: str
    description: str
    parameters: tuple[TransmitParameter, ...]
    body: TransmitBody | None
    responses: tuple[TransmitResponse, ...]
    security: tuple[str, ...] | None


@dataclass(frozen=True)
class TransmitProperty:
    """A property of a component schema with its own (not nested) attributes."""

    name: str
    type: str | None
    ref: str | None
    format: str | None
    deprecated: bool


@dataclass(frozen=True)
class TransmitSchema:
    """A component schema: its properties in order and its ``required`` list."""

    name: str
    properties: tuple[TransmitProperty, ...]
    required: tuple[str, ...]

    @property
    def property_names(self) -> tuple[str, ...]:
        """The property names, in document order."""
        return tuple(p.name for p in self.properties)


@dataclass(frozen=True)
class TransmitSeed:
    """The Transmit seed: document metadata, operations, schemas and security schemes."""

    openapi: str
    title: str
    description: str
    version: str
    servers: tuple[str, ...]
    security: tuple[str, ...]
    operations: tuple[TransmitOperation, ...]
    schemas: tuple[TransmitSchema, ...]
    security_schemes: dict[str, str]


def _split_top(tokens: Sequence[Token]) -> dict[str, list[Token]]:
    """Split the token stream at the top-level ``paths:`` and ``components:`` keys."""
    parts: dict[str, list[Token]] = {"preamble": [], "paths": [], "components": []}
    current = "preamble"
    for token in tokens:
        if token.opens and not token.dash and token.key in ("paths", "components"):
            if not parts[token.key]:
                current = token.key
                continue
        parts[current].append(token)
    return parts


@dataclass
class _Preamble:
    """Document metadata collected from the tokens before ``paths:``."""

    openapi: str = ""
    title: str = ""
    description: str = ""
    version: str = ""
    servers: list[str] = field(default_factory=list)
    security: list[str] = field(default_factory=list)


def _parse_preamble_tokens(tokens: Sequence[Token]) -> _Preamble:
    """Read openapi, info, servers and the top-level security list."""
    pre = _Preamble()
    section = ""
    for token in tokens:
        if not token.dash and token.key in ("openapi", "info", "servers", "security"):
            section = token.key
            if token.key == "openapi":
                pre.openapi = token.value or ""
            continue
        if section == "info" and token.key == "title" and not pre.title:
            pre.title = _scalar(token)
        elif section == "info" and token.key == "description" and not pre.description:
            pre.description = _scalar(token)
        elif section == "info" and token.key == "version":
            pre.version = token.value or ""
        elif section == "servers" and token.dash and token.key == "url":
            pre.servers.append(token.value or "")
        elif section == "security" and token.dash and token.key is not None:
            pre.security.append(token.key)
    return pre


@dataclass
class _OpState:
    """Mutable collector for one Transmit operation."""

    path: str
    method: str
    operation_id: str = ""
    summary: str = ""
    description: str = ""
    section: str = ""
    params: list[dict[str, str]] = field(default_factory=list)
    body: dict[str, str] | None = None
    media_types: list[str] = field(default_factory=list)
    responses: list[tuple[str, list[str]]] = field(default_factory=list)
    security: list[str] | None = None

    def freeze(self) -> TransmitOperation:
        """Turn the collected values into a ``TransmitOperation``."""
        body = None
        if self.body is not None:
            body = TransmitBody(
                required=self.body.get("required") == "true",
                media_types=tuple(self.media_types),
                schema_ref=self.body.get("$ref"),
            )
        return TransmitOperation(
            path=self.path,
            method=self.method,
            operation_id=self.operation_id,
            summary=self.summary,
            description=self.description,
            parameters=tuple(
                TransmitParameter(p["name"], p.get("in", ""), p.get("required") == "true")
                for p in self.params
            ),
            body=body,
            responses=tuple(TransmitResponse(s, tuple(refs)) for s, refs in self.responses),
            security=tuple(self.security) if self.security is not None else None,
        )


_OP_SECTIONS = frozenset({"parameters", "requestBody", "responses", "security"})


def _op_top_level(op: _OpState, token: Token) -> bool:
    """Handle an operation-level key; return whether the token was consumed."""
    if token.dash or token.key is None:
        return False
    if token.key in _OP_SECTIONS:
        op.section = token.key
        if token.key == "requestBody":
            op.body = {}
        if token.key == "security":
            op.security = []
        return True
    if op.section == "":
        if token.key == "operationId":
            op.operation_id = token.value or ""
        elif token.key == "summary":
            op.summary = _scalar(token)
        elif token.key == "description":
            op.description = _scalar(token)
        return True
    return False


def _op_section_token(op: _OpState, token: Token) -> None:
    """Route a token inside the current operation section."""
    if op.section == "parameters":
        if token.dash and token.key == "name":
            op.params.append({"name": token.value or ""})
        elif op.params and not token.dash and token.key in ("in", "required"):
            op.params[-1].setdefault(token.key, token.value or "")
    elif op.section == "requestBody" and op.body is not None:
        if token.key == "required" and token.value is not None:
            op.body.setdefault("required", token.value)
        elif token.key == "$ref":
            op.body.setdefault("$ref", token.value or "")
        elif token.opens and token.key is not None and "/" in token.key:
            op.media_types.append(token.key)
    elif op.section == "responses":
        if token.opens and token.key is not None and re.fullmatch(r"\d{3}|default", token.key):
            op.responses.append((token.key, []))
        elif token.key == "$ref" and op.responses:
            op.responses[-1][1].append(token.value or "")
    elif op.section == "security" and op.security is not None:
        if token.dash and token.key is not None:
            op.security.append(token.key)


def _parse_paths(tokens: Sequence[Token]) -> list[TransmitOperation]:
    """Parse the ``paths:`` section into operations."""
    operations: list[TransmitOperation] = []
    path = ""
    op: _OpState | None = None
    for token in tokens:
        key = token.key
        if token.opens and not token.dash and key is not None and key.startswith("/"):
            path = key
            continue
        if token.opens and not token.dash and key in _METHODS and path:
            if op is not None:
                operations.append(op.freeze())
            op = _OpState(path=path, method=key)
            continue
        if op is not None and not _op_top_level(op, token):
            _op_section_token(op, token)
    if op is not None:
        operations.append(op.freeze())
    return operations


@dataclass
class _SchemaState:
    """Mutable collector for one component schema."""

    name: str
    in_properties: bool = False
    in_required: bool = False
    properties: list[dict[str, str | None]] = field(default_factory=list)
    nested: bool = False
    required: list[str] = field(default_factory=list)

    def freeze(self) -> TransmitSchema:
        """Turn the collected values into a ``TransmitSchema``."""
        return TransmitSchema(
            name=self.name,
            properties=tuple(
                TransmitProperty(
                    name=p["name"] or "",
                    type=p.get("type"),
                    ref=p.get("$ref"),
                    format=p.get("format"),
                    deprecated=p.get("deprecated") == "true",
                )
                for p in self.properties
            ),
            required=tuple(self.required),
        )


def _next_opening_key(tokens: Sequence[Token], i: int) -> str | None:
    """The key of the next valueless key token after ``tokens[i]``."""
    return next((t.key for t in tokens[i + 1 :] if t.opens), None)


def _starts_schema(tokens: Sequence[Token], i: int, state: _SchemaState | None) -> bool:
    """Whether the valueless key ``tokens[i]`` names a new component schema.

    Without indentation a schema name and a property name look alike: a name opens a new
    schema when nothing is open, right after a ``required`` list, or when its block
    opens ``properties`` (an inline object property would be misread; the seed has none).
    """
    if state is None or state.in_required or not state.in_properties:
        return True
    return _next_opening_key(tokens, i) in ("properties", "allOf", "oneOf", "anyOf")


def _schema_token(state: _SchemaState, token: Token) -> None:
    """Apply a non-opening token (or a nested opener) to the current schema."""
    if state.in_required and token.dash and token.key is None:
        state.required.append(token.value or "")
        return
    if token.key in _NESTED_OPENERS:
        state.nested = True
        return
    if state.in_properties and state.properties and not state.nested and token.key:
        if token.key in ("type", "$ref", "format", "deprecated"):
            state.properties[-1].setdefault(token.key, token.value)


def _parse_schemas(tokens: Sequence[Token]) -> list[TransmitSchema]:
    """Parse ``components/schemas`` tokens into schemas."""
    schemas: list[TransmitSchema] = []
    state: _SchemaState | None = None
    for i, token in enumerate(tokens):
        if token.opens and not token.dash and token.key not in _NESTED_OPENERS:
            key = token.key or ""
            if key == "properties" and state is not None:
                # A second ``properties`` belongs to an inline object inside a property.
                if state.in_properties and not state.in_required:
                    state.nested = True
                else:
                    state.in_properties, state.in_required = True, False
                continue
            if key == "required" and state is not None:
                state.in_required = True
                continue
            if _starts_schema(tokens, i, state):
                if state is not None:
                    schemas.append(state.freeze())
                state = _SchemaState(name=key)
                continue
            if state is not None and state.in_properties:
                state.properties.append({"name": key})
                state.nested = False
                continue
        if state is not None:
            _schema_token(state, token)
    if state is not None:
        schemas.append(state.freeze())
    return schemas


def _parse_security_schemes(tokens: Sequence[Token]) -> dict[str, str]:
    """Parse ``components/securitySchemes`` tokens into ``{name: type}``."""
    schemes: dict[str, str] = {}
    current = ""
    for token in tokens:
        if token.opens and not token.dash and token.key not in _OAUTH_KEYS:
            current = token.key or ""
            schemes[current] = ""
        elif token.key == "type" and current and not schemes[current]:
            schemes[current] = token.value or ""
    return schemes


def _split_components(tokens: Sequence[Token]) -> dict[str, list[Token]]:
    """Split the components tokens at their section keys."""
    sections: dict[str, list[Token]] = {}
    current = ""
    for token in tokens:
        if token.opens and not token.dash and token.key in ("schemas", "securitySchemes"):
            current = token.key
            sections.setdefault(current, [])
            continue
        if current:
            sections[current].append(token)
    return sections


def parse_transmit_text(text: str) -> TransmitSeed:
    """Parse the indentation-less Transmit YAML line by line."""
    parts = _split_top(tokenize_flat_yaml(text))
    pre = _parse_preamble_tokens(parts["preamble"])
    components = _split_components(parts["components"])
    return TransmitSeed(
        openapi=pre.openapi,
        title=pre.title,
        description=pre.description,
        version=pre.version,
        servers=tuple(pre.servers),
        security=tuple(pre.security),
        operations=tuple(_parse_paths(parts["paths"])),
        schemas=tuple(_parse_schemas(components.get("schemas", []))),
        security_schemes=_parse_security_schemes(components.get("securitySchemes", [])),
    )


def load_transmit_seed(path: Path = TRANSMIT_SEED) -> TransmitSeed:
    """Parse the Transmit seed file."""
    return parse_transmit_text(path.read_text(encoding="utf-8"))
