"""The strict decoder (its duplicate-key hook builds each object in C and looks for the
repeated key only when the object came out short) decides exactly as the decoder before
it: every violation is still refused with the same reason, every other body decodes to
the same value, numbers with the same types."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from pipelines.sources.decode import decode_json
from tests.conftest import SAMPLES
from warehouse.records import InvalidReply


def _reference(content: bytes) -> Any:
    """The decoder as it was: each key checked in Python, every number through a hook."""

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                raise InvalidReply("key written twice in one object", repr(key))
            seen[key] = value
        return seen

    def constant(name: str) -> Any:
        raise InvalidReply("non-finite number", name)

    def as_float(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise InvalidReply("non-finite number", text[:40])
        return value

    def as_int(text: str) -> int:
        value = int(text)
        if abs(value) > 2**53:
            raise InvalidReply("integer out of range", text[:40])
        return value

    return json.loads(
        content.decode("utf-8"),
        object_pairs_hook=pairs_hook,
        parse_constant=constant,
        parse_float=as_float,
        parse_int=as_int,
    )


def _typed(value: Any) -> Any:
    """``value`` with every number tagged by its type and sign, so that ``1 == 1.0`` and
    ``0.0 == -0.0`` do not hide a difference."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def _outcome(decoder: Any, content: bytes) -> Any:
    try:
        return ("value", _typed(decoder(content)))
    except InvalidReply as exc:
        return ("refused", exc.reason, exc.detail)


REFUSED = [
    (b'{"a": 1, "a": 2}', "key written twice in one object", "'a'"),
    (b'{"a": [1, {"b": 1.5, "c": 2, "b": 1}]}', "key written twice in one object", "'b'"),
    (b'{"n": 1234567890123456, "a": 1, "a": 2}', "key written twice in one object", "'a'"),
    (b'{"a": NaN}', "non-finite number", "NaN"),
    (b'{"a": Infinity}', "non-finite number", "Infinity"),
    (b'{"a": -Infinity}', "non-finite number", "-Infinity"),
    (b'{"a": 1e999}', "non-finite number", "1e999"),
    (b'{"a": -1e400}', "non-finite number", "-1e400"),
    (b'{"a": 1.5E+400}', "non-finite number", "1.5E+400"),
    (b'{"a": 9007199254740993}', "integer out of range", "9007199254740993"),
    (b'{"a": [-9007199254740993]}', "integer out of range", "-9007199254740993"),
    (b'{"a": 123456789012345678901234567890}', "integer out of range", None),
]


@pytest.mark.parametrize(("content", "reason", "detail"), REFUSED)
def test_every_violation_is_still_refused(content: bytes, reason: str, detail: str | None) -> None:
    with pytest.raises(InvalidReply) as refused:
        decode_json(content)
    assert refused.value.reason == reason
    if detail is not None:
        assert refused.value.detail == detail
    assert _outcome(decode_json, content) == _outcome(_reference, content)


ACCEPTED = [
    # 2**53 itself is exact: accepted
    (b'{"a": 9007199254740992, "b": -9007199254740992}', {"a": 2**53, "b": -(2**53)}),
    # the largest finite double, written with a 3-digit exponent
    (b'{"a": 1.7976931348623157e308}', {"a": 1.7976931348623157e308}),
    # an underflow is finite (0.0), as before
    (b'{"a": 1e-400}', {"a": 0.0}),
    # long digits and exponents inside strings are text, not numbers
    (
        b'{"id": "12345678901234567890123", "code": "e1234", "n": 42, "x": 0.25}',
        {"id": "12345678901234567890123", "code": "e1234", "n": 42, "x": 0.25},
    ),
    (
        b'{"at": "10:12345678901234567", "list": "1, 2e999", "n": 42, "x": 0.25}',
        {"at": "10:12345678901234567", "list": "1, 2e999", "n": 42, "x": 0.25},
    ),
    # 15 digits, 2-digit exponents, negative zero, a non-ASCII key
    (
        '{"a": 999999999999999, "b": -1.5e99, "c": -0.0, "tỉnh": [1, 2.0, null, true]}'.encode(),
        {"a": 999999999999999, "b": -1.5e99, "c": -0.0, "tỉnh": [1, 2.0, None, True]},
    ),
]


@pytest.mark.parametrize(("content", "expected"), ACCEPTED)
def test_what_was_accepted_decodes_to_the_same_value(content: bytes, expected: Any) -> None:
    assert _typed(decode_json(content)) == _typed(expected)
    assert _outcome(decode_json, content) == _outcome(_reference, content)


def _sample_bodies() -> list[Path]:
    return sorted(SAMPLES.rglob("*.json"))


@pytest.mark.parametrize("path", _sample_bodies(), ids=lambda p: str(p.relative_to(SAMPLES)))
def test_real_portal_replies_decode_exactly_as_before(path: Path) -> None:
    content = path.read_bytes()
    assert _outcome(decode_json, content) == _outcome(_reference, content)


def test_mutated_real_replies_are_judged_exactly_as_before() -> None:
    """Every number of a real reply replaced in turn by a value at or beyond each limit:
    the decoder's verdict and value equal the old decoder's every time."""
    content = (SAMPLES / "2026" / "transparency.json").read_bytes()
    numbers = [b"7.96", b"18", b"0"]
    replacements = [
        b"9007199254740992",
        b"9007199254740993",
        b"-9007199254740993",
        b"1e308",
        b"1e309",
        b"-1e999",
        b"1.5e99",
        b"123456789012345",
        b"NaN",
        b"-Infinity",
    ]
    checked = 0
    for number in numbers:
        needle = b":" + number + b","
        if needle not in content:
            continue
        for replacement in replacements:
            mutated = content.replace(needle, b":" + replacement + b",", 1)
            assert _outcome(decode_json, mutated) == _outcome(_reference, mutated), replacement
            checked += 1
    assert checked == len(numbers) * len(replacements)
