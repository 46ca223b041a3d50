"""Parsers from validated legacy replies to the same core rows as the current API.

A ranking row becomes a unit sighting (``legacy:<ID_COQUAN or ID>``, code ``MA_COQUAN``,
level from ``LOAI_COQUAN`` or else from the request, parent = the province asked for),
six group scores (strings → floats, ``""``/null → ``None``) and a reported total
(``TONG_SCORE``, rank ``ROW_STT``). A trend reply (``MONTH``, ``TB_SCORE``) becomes the
unit's reported total of one month. Nothing is recomputed.

Importing this module registers the parser for the ``portal_legacy`` raw source.
"""

from __future__ import annotations

from typing import Any

from pipelines.sources.legacy.endpoints import (
    GROUP_COLUMNS,
    LEVEL_BY_LOAI_COQUAN,
    NATIONAL_ROOT,
    PAGE_SIZE,
    PROVINCES,
    RANKING_ENDPOINTS,
    UNIT_TYPE_BY_LEVEL,
    LegacyEndpoint,
    trend_month,
    unit_id,
)
from pipelines.sources.legacy.validate import (
    decode_rows,
    decode_trend,
    integer,
    number,
    row_unit,
    text,
    validate_ranking_rows,
)
from pipelines.sources.portal.provinces import normalise_name
from warehouse.records import InvalidReply, ParsedReply

PARSER_VERSION = "portal_legacy/1"


def parse_ranking_reply(endpoint: LegacyEndpoint, content: bytes, root_unit_id: str) -> ParsedReply:
    """Validate and parse a ``report_tinh_766_service`` reply.

    ``root_unit_id`` is the province asked for (``legacy:<ID>``), or ``VN`` for the
    national list of provinces.
    """
    rows = decode_rows(content, PAGE_SIZE)
    validate_ranking_rows(endpoint, rows)
    national = root_unit_id == NATIONAL_ROOT
    if national != (endpoint.level == "province"):
        raise InvalidReply(
            "reply does not fit its capture", f"{endpoint.name} under root {root_unit_id}"
        )
    parsed = ParsedReply()
    for index, row in enumerate(rows):
        where = f"row[{index}]"
        uid = unit_id(row_unit(row, where))
        level = LEVEL_BY_LOAI_COQUAN.get(text(row.get("LOAI_COQUAN")) or "", endpoint.level)
        parsed.unit_sightings.append(
            {
                "unit_id": uid,
                "unit_code": text(row.get("MA_COQUAN")),
                "unit_name": normalise_name(
                    text(row.get("TEN_COQUAN")) or text(row.get("TEN")) or ""
                ),
                "unit_type": UNIT_TYPE_BY_LEVEL[level],
                "unit_level": level,
                "parent_unit_id": None if national else root_unit_id,
                "province_unit_id": uid if national else root_unit_id,
            }
        )
        for code in GROUP_COLUMNS:
            parsed.group_scores.append(
                {
                    "unit_id": uid,
                    "group_code": code,
                    "score": number(row, code, where),
                    "max_score": None,
                    "ratio": None,
                    "score_delta": None,
                    "is_root": False,
                }
            )
        parsed.reported_totals.append(
            {
                "unit_id": uid,
                "total_score": number(row, "TONG_SCORE", where),
                "total_max_score": None,
                "ratio": None,
                "score_delta": None,
                "reported_rank": integer(row, "ROW_STT", where),
            }
        )
    return parsed


def parse_trend_reply(content: bytes, root_unit_id: str, month: int) -> ParsedReply:
    """Validate a ``report_xuhuongdiem_service`` reply and read the total of ``month``.

    The reply lists the months of a year; it is recorded once per month (a capture of
    that month), so this returns the one reported total the capture stands for.
    """
    months = decode_trend(content)
    if month not in months:
        raise InvalidReply("trend has no value for the month", f"month {month}")
    parsed = ParsedReply()
    parsed.reported_totals.append(
        {
            "unit_id": root_unit_id,
            "total_score": months[month],
            "total_max_score": None,
            "ratio": None,
            "score_delta": None,
            "reported_rank": None,
        }
    )
    return parsed


def parse_reply(endpoint_name: str, content: bytes, root_unit_id: str) -> ParsedReply:
    """Validate and parse a legacy reply recorded under ``endpoint_name``."""
    if endpoint_name in RANKING_ENDPOINTS:
        return parse_ranking_reply(RANKING_ENDPOINTS[endpoint_name], content, root_unit_id)
    month = trend_month(endpoint_name)
    if month is not None:
        return parse_trend_reply(content, root_unit_id, month)
    raise InvalidReply("unknown legacy endpoint", endpoint_name)


def list_provinces(content: bytes) -> list[dict[str, Any]]:
    """The provinces a valid national reply lists: warehouse id, code, name and ``ID``
    (the ``p_tinh_id`` of their own requests)."""
    rows = decode_rows(content, PAGE_SIZE)
    validate_ranking_rows(PROVINCES, rows)
    out = []
    for index, row in enumerate(rows):
        own = text(row.get("ID")) or row_unit(row, f"row[{index}]")
        out.append(
            {
                "unit_id": unit_id(row_unit(row, f"row[{index}]")),
                "unit_code": (text(row.get("MA_COQUAN")) or "").upper(),
                "unit_name": normalise_name(
                    text(row.get("TEN_COQUAN")) or text(row.get("TEN")) or ""
                ),
                "tinh_id": own,
            }
        )
    return out
