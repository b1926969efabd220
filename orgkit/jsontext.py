"""Strict JSON reading for untrusted bodies: bounded nesting, standard constants only."""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from orgkit.errors import InvalidInput

# Deeper than any body either spec declares (SVX: 4 levels), far below Python's recursion limit,
# so neither a recursive schema validator nor a JSON encoder can exhaust the stack.
MAX_DEPTH = 64

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]")


class _NonStandard(ValueError):
    """Infinity, -Infinity or NaN: Python's json accepts them, JSON (RFC 8259) does not."""


def nesting_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in valid JSON text (strings do not count)."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", data))
    if not brackets:
        return 0
    return max(accumulate(1 if b in b"[{" else -1 for b in brackets))


def _refuse_constant(name: str) -> Any:
    raise _NonStandard(f"{name} is not a JSON value (RFC 8259 has no Infinity or NaN)")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NonStandard(f"{text} is too large for a double")
    return value


def loads(data: bytes | str, what: str = "the request body",
          max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text; InvalidInput says why it is not acceptable (never RecursionError)."""
    raw = data.encode() if isinstance(data, str) else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{what} is not valid UTF-8") from None
    try:
        # Parse first: only valid JSON reaches the depth scan, whose string pattern is then
        # linear (unterminated strings could make it quadratic).
        parsed = json.loads(text, parse_constant=_refuse_constant,
                            parse_float=_finite_float)
    except RecursionError:
        raise InvalidInput(f"{what} nests too deeply; the limit is {max_depth} levels") from None
    except _NonStandard as exc:
        raise InvalidInput(f"{what} is not standard JSON: {exc}") from None
    except ValueError as exc:
        raise InvalidInput(f"{what} is not valid JSON: {exc}") from None
    depth = nesting_depth(raw)
    if depth > max_depth:
        raise InvalidInput(f"{what} nests {depth} levels deep; the limit is {max_depth}")
    return parsed
