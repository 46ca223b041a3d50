"""A Python parser of the current API's group replies: the test oracle of the SQL loader.

The product loads core in SQL (``pipelines/sources/portal/load.py``). This parser builds
the same rows from the same bytes in plain Python: unit sightings, group scores, metric
values and numeric parameters, from both reply shapes (overview/evaluation/metrics and
parent/children). Values are copied as the portal gave them: ``null`` stays ``None``;
nothing is recomputed. ``test_manifest_and_core.py`` holds the loader to it and
``test_parse_samples.py`` checks it on the real replies.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from pipelines.sources.portal.endpoints import PARAMETER_FIELDS, Endpoint
from pipelines.sources.portal.provinces import normalise_name
from pipelines.sources.portal.validate import decode_envelope, validate_group_reply
from warehouse.records import ParsedReply

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
