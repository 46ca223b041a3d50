"""Strict JSON decoding shared by every source.

A reply is decoded once, by this decoder, for validation (:func:`decode_reply`: the fetch
reading a page count shares that decoding); the loader then reads the same verified
bytes. So that no JSON parser can read those bytes differently, anything whose meaning
depends on the parser is refused outright: a key written twice in one object
(Python keeps the last, DuckDB may keep another), ``NaN``/``Infinity`` (not JSON at all),
numbers too large to be finite or exact, and text that is not UTF-8.
"""

from __future__ import annotations

import json
import math
from typing import Any

from warehouse.records import InvalidReply, Reply


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build an object, refusing a key written twice (the dict is built in C; only when
    it came out shorter than the pairs is the first repeated key looked for)."""
    built = dict(pairs)
    if len(built) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise InvalidReply("key written twice in one object", repr(key))
            seen.add(key)
    return built


def _constant(name: str) -> Any:
    raise InvalidReply("non-finite number", name)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InvalidReply("non-finite number", text[:40])
    return value


_MAX_EXACT_INT = 2**53


def _int(text: str) -> int:
    value = int(text)
    if abs(value) > _MAX_EXACT_INT:
        raise InvalidReply("integer out of range", text[:40])
    return value


def decode_json(content: bytes) -> Any:
    """Decode a JSON body strictly; raise ``InvalidReply`` for an empty body, HTML,
    non-UTF-8, bad JSON, duplicate keys and non-finite numbers."""
    if not content.strip():
        raise InvalidReply("empty body")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidReply("body is not UTF-8", str(exc)) from None
    try:
        return json.loads(
            text,
            object_pairs_hook=_object,
            parse_constant=_constant,
            parse_float=_float,
            parse_int=_int,
        )
    except json.JSONDecodeError as exc:
        head = text[:80].strip()
        if head.startswith("<"):
            raise InvalidReply("body is HTML, not JSON (a block or error page?)", head) from None
        raise InvalidReply("body is not valid JSON (truncated?)", str(exc)) from None


def decode_reply(reply: Reply) -> Any:
    """:func:`decode_json` of ``reply.content``, decoded once per reply: the fetch that
    reads a first page's page count and the validation of the same reply share one
    decoding of the same bytes. A refusal (``InvalidReply``) is not kept: it is raised
    again, decoding again, on every call."""
    if "json" not in reply.decoded:
        reply.decoded["json"] = decode_json(reply.content)
    return reply.decoded["json"]
