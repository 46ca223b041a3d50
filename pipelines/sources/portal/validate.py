"""Validation of portal replies: envelope, root unit and shape.

A reply that fails any check raises ``InvalidReply`` with a readable reason; the capture
layer stores its bytes anyway and quarantines it, so nothing is lost and nothing
unverified reaches core.
"""

from __future__ import annotations

import json
from typing import Any

from pipelines.sources.portal.endpoints import GROUP_CODES, Endpoint


class InvalidReply(ValueError):
    """A reply that cannot be trusted, with a reason fit for an operator."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(reason if detail is None else f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def decode_json(content: bytes) -> Any:
    """Decode a JSON body; raise ``InvalidReply`` for empty, HTML, non-UTF-8 or bad JSON."""
    if not content.strip():
        raise InvalidReply("empty body")
    try:
        return json.loads(content)
    except UnicodeDecodeError as exc:
        raise InvalidReply("body is not UTF-8", str(exc)) from None
    except json.JSONDecodeError as exc:
        head = content[:80].decode("utf-8", errors="replace").strip()
        if head.startswith("<"):
            raise InvalidReply("body is HTML, not JSON (a block or error page?)", head) from None
        raise InvalidReply("body is not valid JSON (truncated?)", str(exc)) from None


def decode_envelope(content: bytes) -> dict[str, Any]:
    """Decode the JSON envelope and return its ``data``; raise ``InvalidReply`` otherwise."""
    document = decode_json(content)
    if not isinstance(document, dict):
        raise InvalidReply("envelope is not a JSON object", type(document).__name__)
    if document.get("code") != "OK":
        raise InvalidReply(
            "envelope code is not OK",
            f"code={document.get('code')!r} message={document.get('message')!r}",
        )
    data = document.get("data")
    if not isinstance(data, dict):
        raise InvalidReply("envelope has no data object")
    return data


def _require_number(item: dict[str, Any], key: str, where: str) -> None:
    if key not in item:
        raise InvalidReply(f"field {key!r} missing", where)
    value = item[key]
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise InvalidReply(f"field {key!r} is not a number", f"{where}: {value!r}")


def _require_id(item: Any, where: str) -> str:
    if not isinstance(item, dict):
        raise InvalidReply("unit entry is not an object", where)
    unit_id = item.get("departmentId")
    if not isinstance(unit_id, str) or not unit_id.strip():
        raise InvalidReply("unit without departmentId", where)
    if not isinstance(item.get("departmentName"), str):
        raise InvalidReply("unit without departmentName", f"{where} {unit_id}")
    return unit_id


def _check_unique(ids: list[str]) -> None:
    seen: set[str] = set()
    for unit_id in ids:
        if unit_id in seen:
            raise InvalidReply("unit appears more than once", unit_id)
        seen.add(unit_id)


def validate_group_reply(endpoint: Endpoint, data: dict[str, Any], root_unit_id: str) -> None:
    """Check the shape of a group endpoint's ``data`` and that its root is the requested one."""
    root_key, children_key = (
        ("overview", "evaluation") if endpoint.shape == "evaluation" else ("parent", "children")
    )
    # Children of dvc-progress-tree name the score ``score``/``maxScore``; all others and
    # every root use ``totalScore``/``totalMaxScore``.
    child_score_key, child_max_key = (
        ("score", "maxScore") if endpoint.group_code == "TDGQ" else ("totalScore", "totalMaxScore")
    )
    root = data.get(root_key)
    if not isinstance(root, dict):
        raise InvalidReply(f"data.{root_key} missing: not the {endpoint.shape} shape")
    children = data.get(children_key)
    if not isinstance(children, list):
        raise InvalidReply(f"data.{children_key} missing: not the {endpoint.shape} shape")
    got_root = _require_id(root, f"data.{root_key}")
    if got_root != root_unit_id:
        raise InvalidReply(
            "reply is for another root unit", f"asked {root_unit_id}, got {got_root}"
        )
    _require_number(root, "totalScore", f"data.{root_key}")
    _require_number(root, "totalMaxScore", f"data.{root_key}")
    ids = [got_root]
    for index, child in enumerate(children):
        where = f"data.{children_key}[{index}]"
        ids.append(_require_id(child, where))
        _require_number(child, child_score_key, where)
        _require_number(child, child_max_key, where)
        metrics = child.get("metrics")
        if endpoint.shape == "evaluation" and not isinstance(metrics, list):
            raise InvalidReply("unit without metrics list", where)
        _validate_metrics(metrics or [], where)
    _validate_metrics(root.get("metrics") or [], f"data.{root_key}")
    _check_unique(ids)


_METRIC_NUMBERS = ("numerator", "denominator", "ratio", "score", "maxScore")


def _validate_metrics(metrics: list[Any], where: str) -> None:
    """Each indicator has a code and numbers (or null) where numbers belong."""
    for index, metric in enumerate(metrics):
        spot = f"{where}.metrics[{index}]"
        if not isinstance(metric, dict) or not isinstance(metric.get("code"), str):
            raise InvalidReply("indicator without a code", spot)
        for key in _METRIC_NUMBERS:
            if key in metric:
                _require_number(metric, key, spot)


def validate_national_reply(data: dict[str, Any]) -> None:
    """Check the shape of a ``service-results`` reply: provinces with six group scores."""
    items = data.get("evaluation")
    if not isinstance(items, list) or not items:
        raise InvalidReply("data.evaluation missing or empty: no provinces listed")
    ids = []
    for index, item in enumerate(items):
        where = f"data.evaluation[{index}]"
        ids.append(_require_id(item, where))
        _require_number(item, "totalScore", where)
        groups = item.get("groupScores")
        if not isinstance(groups, dict):
            raise InvalidReply("province without groupScores", where)
        missing = [code for code in GROUP_CODES if code not in groups]
        if missing:
            raise InvalidReply("groupScores lacks groups", f"{where}: {', '.join(missing)}")
        for code in GROUP_CODES:
            _require_number(groups, code, f"{where}.groupScores")
    _check_unique(ids)
