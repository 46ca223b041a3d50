"""Parsers from validated portal replies to core rows.

Both reply shapes (overview/evaluation/metrics and parent/children) and the national
``service-results`` become the same row sets: unit sightings, group scores, metric values,
numeric parameters and reported totals. Values are copied as the portal gave them:
``null`` stays ``None``; nothing is recomputed. Unknown fields are left in raw.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from pipelines.sources.portal.endpoints import GROUP_CODES, PARAMETER_FIELDS, Endpoint
from pipelines.sources.portal.validate import (
    decode_envelope,
    validate_group_reply,
    validate_national_reply,
)
from warehouse.records import ParsedReply

PARSER_VERSION = "portal_api/1"


_LEVEL_BY_TYPE = {
    "PROVINCE": "province",
    "ADMINISTRATIVE_UNIT": "province",
    "PROVINCIAL_DEPARTMENT": "department",
    "COMMUNE_PEOPLE_COMMITTEE": "commune",
    "DISTRICT_PEOPLE_COMMITTEE": "district",
    "MINISTRY": "ministry",
}
# Children of a province root: ``level``/``departmentLevel`` PROVINCE means "a body at the
# provincial level", i.e. a department.
_CHILD_LEVEL_BY_LEVEL = {"PROVINCE": "department", "COMMUNE": "commune", "DISTRICT": "district"}


def normalise_name(name: str) -> str:
    """NFC-normalise a unit name and collapse its white space."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def _unit_level(item: dict[str, Any], *, is_root: bool) -> str:
    unit_type = item.get("departmentType")
    if isinstance(unit_type, str) and unit_type in _LEVEL_BY_TYPE:
        return _LEVEL_BY_TYPE[unit_type]
    if is_root:
        return "province"
    level = item.get("level") or item.get("departmentLevel")
    return _CHILD_LEVEL_BY_LEVEL.get(str(level), "unknown")


def _sighting(
    item: dict[str, Any], *, is_root: bool, parent: str | None, province: str | None
) -> dict[str, Any]:
    code = item.get("departmentCode")
    unit_type = item.get("departmentType")
    return {
        "unit_id": item["departmentId"],
        "unit_code": code if isinstance(code, str) else None,
        "unit_name": normalise_name(item["departmentName"]),
        "unit_type": unit_type if isinstance(unit_type, str) else None,
        "unit_level": _unit_level(item, is_root=is_root),
        "parent_unit_id": parent,
        "province_unit_id": province,
    }


def _parameters(item: dict[str, Any], unit_id: str, group_code: str) -> list[dict[str, Any]]:
    return [
        {"unit_id": unit_id, "group_code": group_code, "parameter": key, "value": float(value)}
        for key, value in item.items()
        if key in PARAMETER_FIELDS
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ]


def parse_group_reply(endpoint: Endpoint, content: bytes, root_unit_id: str) -> ParsedReply:
    """Validate and parse one group endpoint reply for a province root."""
    assert endpoint.group_code is not None
    data = decode_envelope(content)
    validate_group_reply(endpoint, data, root_unit_id)
    group = endpoint.group_code
    parsed = ParsedReply()
    if endpoint.shape == "evaluation":
        root, children = data["overview"], data["evaluation"]
    else:
        root, children = data["parent"], data["children"]
    entries = [(root, True), *((child, False) for child in children)]
    for item, is_root in entries:
        unit_id = item["departmentId"]
        parsed.unit_sightings.append(
            _sighting(
                item,
                is_root=is_root,
                parent=None if is_root else root_unit_id,
                province=root_unit_id,
            )
        )
        if "score" in item and "totalScore" not in item:
            score, max_score = item.get("score"), item.get("maxScore")
        else:
            score, max_score = item.get("totalScore"), item.get("totalMaxScore")
        parsed.group_scores.append(
            {
                "unit_id": unit_id,
                "group_code": group,
                "score": _number(score),
                "max_score": _number(max_score),
                "ratio": _number(item.get("ratio")),
                "score_delta": _number(item.get("scoreDelta")),
                "is_root": is_root,
            }
        )
        for metric in item.get("metrics") or []:
            if not isinstance(metric, dict) or not isinstance(metric.get("code"), str):
                continue
            name = metric.get("name")
            status = metric.get("dataQualityStatus")
            message = metric.get("dataQualityMessage")
            parsed.metric_values.append(
                {
                    "unit_id": unit_id,
                    "group_code": group,
                    "metric_code": metric["code"],
                    "metric_name": normalise_name(name) if isinstance(name, str) else None,
                    "numerator": _number(metric.get("numerator")),
                    "denominator": _number(metric.get("denominator")),
                    "ratio": _number(metric.get("ratio")),
                    "score": _number(metric.get("score")),
                    "max_score": _number(metric.get("maxScore")),
                    "data_quality_status": status if isinstance(status, str) else None,
                    "data_quality_message": (
                        unicodedata.normalize("NFC", message) if isinstance(message, str) else None
                    ),
                }
            )
        parsed.group_parameters.extend(_parameters(item, unit_id, group))
    return parsed


def parse_national_reply(content: bytes) -> ParsedReply:
    """Validate and parse a ``service-results`` reply: every province's six group scores."""
    data = decode_envelope(content)
    validate_national_reply(data)
    parsed = ParsedReply()
    for item in data["evaluation"]:
        unit_id = item["departmentId"]
        parsed.unit_sightings.append(_sighting(item, is_root=True, parent=None, province=unit_id))
        for code in GROUP_CODES:
            parsed.group_scores.append(
                {
                    "unit_id": unit_id,
                    "group_code": code,
                    "score": _number(item["groupScores"].get(code)),
                    "max_score": None,
                    "ratio": None,
                    "score_delta": None,
                    "is_root": False,
                }
            )
        stt = item.get("stt")
        parsed.reported_totals.append(
            {
                "unit_id": unit_id,
                "total_score": _number(item.get("totalScore")),
                "total_max_score": _number(item.get("totalMaxScore")),
                "ratio": _number(item.get("ratio")),
                "score_delta": _number(item.get("scoreDelta")),
                "reported_rank": stt if type(stt) is int else None,
            }
        )
    return parsed


def list_provinces(content: bytes) -> list[dict[str, str]]:
    """The provinces a valid ``service-results`` reply lists: id, code and name."""
    data = decode_envelope(content)
    validate_national_reply(data)
    return [
        {
            "unit_id": item["departmentId"],
            "unit_code": str(item.get("departmentCode") or ""),
            "unit_name": normalise_name(item["departmentName"]),
        }
        for item in data["evaluation"]
    ]
