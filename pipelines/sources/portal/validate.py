"""Validation of the current API's replies: envelope, root unit, shape, the type of every
field the loader reads (``load.ITEM_SCHEMA``), score ranges (maxima from the methodology
in force), unit levels, membership of every unit in the requested root, and the
completeness of paged replies.

Each reply is decoded by the strict decoder (``pipelines.sources.decode``) from the same
bytes the loader reads. A reply that fails any check gets an ``InvalidReply`` verdict
with a readable reason; the manifest stores its bytes anyway and quarantines it, so
nothing is lost and nothing unverified reaches core.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pipelines.sources.decode import decode_json, decode_reply
from pipelines.sources.portal.endpoints import Endpoint
from pipelines.sources.portal.load import ITEM_SCHEMA, METRIC_SCHEMA
from warehouse.methodology import SCORE_TOLERANCE, Methodology
from warehouse.records import CaptureBundle, FetchedReply, InvalidReply, Reply
from warehouse.sources import ValidationContext

UNKNOWN_GROUPS = "groupScores has groups outside the methodology in force"
"""Reason of a national reply scoring a group the version in force does not list."""


def decode_envelope(content: bytes | Reply) -> dict[str, Any]:
    """Decode the JSON envelope strictly (a reply's bytes once per reply,
    :func:`~pipelines.sources.decode.decode_reply`) and return its ``data``; raise
    ``InvalidReply`` otherwise."""
    document = decode_reply(content) if isinstance(content, Reply) else decode_json(content)
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


def _require_number(item: dict[str, Any], key: str, where: str) -> float | None:
    if key not in item:
        raise InvalidReply(f"field {key!r} missing", where)
    value = item[key]
    if value is not None and not _is_number(value):
        raise InvalidReply(f"field {key!r} is not a number", f"{where}: {value!r}")
    return None if value is None else float(value)


def _is_number(value: Any) -> bool:
    """A JSON number a DOUBLE holds (never a boolean: JSON's true is not 1)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and (isinstance(value, float) or abs(value) < 2**1023)
    )


def _field_fits(value: Any, kind: Any) -> bool:
    """Whether a non-null JSON value is of the type the loader's schema reads it as."""
    if kind == "VARCHAR":
        return isinstance(value, str)
    if kind == "DOUBLE":
        return _is_number(value)
    if kind == "INTEGER":
        return type(value) is int and -(2**31) <= value < 2**31
    if kind == "MAP(VARCHAR, DOUBLE)":
        return isinstance(value, dict) and all(v is None or _is_number(v) for v in value.values())
    if isinstance(kind, list):
        return isinstance(value, list)  # its elements are checked as what they are
    raise AssertionError(f"no check for the loader's type {kind!r}")


_NUMBER_KINDS = ("DOUBLE", "INTEGER")  # a tuple: a list kind (metrics) is compared, not hashed
_KIND_NAMES = {
    "VARCHAR": "text",
    "DOUBLE": "a number",
    "INTEGER": "a whole number",
    "MAP(VARCHAR, DOUBLE)": "an object of numbers",
}


def _check_fields(item: dict[str, Any], schema: dict[str, Any], where: str) -> None:
    """Every field of ``schema`` the entry has is null or of its schema type. (Runs on
    every unit of every reply: the common cases, a float or a small integer where a number
    belongs and a string where text does, are decided inline.)"""
    for key, value in item.items():
        kind = schema.get(key)
        if kind is None or value is None:
            continue
        kind_of_value = type(value)
        if kind_of_value is float and kind == "DOUBLE":
            continue
        if kind_of_value is str and kind == "VARCHAR":
            continue
        if kind_of_value is int and kind in _NUMBER_KINDS and -(2**31) <= value < 2**31:
            continue
        if not _field_fits(value, kind):
            what = "a list" if isinstance(kind, list) else _KIND_NAMES[kind]
            raise InvalidReply(f"field {key!r} is not {what}", f"{where}: {value!r}")


def _check_rank(item: dict[str, Any], where: str) -> None:
    """The portal's own rank (``stt``), when given, is a position: 1 or more."""
    rank = item.get("stt")
    if rank is not None and rank < 1:
        raise InvalidReply("rank (stt) below 1", f"{where}: {rank!r}")


_PROVINCE_TYPES = ("PROVINCE", "ADMINISTRATIVE_UNIT")
"""``departmentType`` values the loader reads as a province (sql/core/load/portal_rows.sql)."""


def _require_id(item: Any, where: str) -> str:
    if not isinstance(item, dict):
        raise InvalidReply("unit entry is not an object", where)
    unit_id = item.get("departmentId")
    if not isinstance(unit_id, str) or not unit_id.strip():
        raise InvalidReply("unit without departmentId", where)
    if not isinstance(item.get("departmentName"), str):
        raise InvalidReply("unit without departmentName", f"{where} {unit_id}")
    return unit_id


def _check_unique(ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for unit_id in ids:
        if unit_id in seen:
            raise InvalidReply("unit appears more than once", unit_id)
        seen.add(unit_id)


def _check_unique_codes(codes: Iterable[Any]) -> None:
    """No unit code twice (under two ids): the warehouse ties a unit's history across
    ids by its code, so a second entry would take over the first's identity."""
    seen: set[str] = set()
    for code in codes:
        if not isinstance(code, str) or not code.strip():
            continue
        folded = code.strip().upper()
        if folded in seen:
            raise InvalidReply("unit code appears more than once", folded)
        seen.add(folded)


def _check_pagination(pagination: Any) -> None:
    """``data.pagination``, when given, is an object of whole numbers: page counts and
    the page asked for 1 or more, the unit count 0 or more (a count of "2" or 2.0 would
    make the capture read one page of two and call it complete)."""
    if pagination is None:
        return
    if not isinstance(pagination, dict):
        raise InvalidReply("data.pagination is not an object", repr(pagination))
    for key, least in (("totalPages", 1), ("currentPage", 1), ("pageSize", 1), ("total", 0)):
        value = pagination.get(key)
        if value is not None and (type(value) is not int or value < least):
            raise InvalidReply("data.pagination is not whole numbers", f"{key} = {value!r}")


def _check_range(value: float | None, maximum: float | None, what: str, where: str) -> None:
    """A score lies in [0, maximum] (to the portal's rounding)."""
    if value is None:
        return
    if value < 0:
        raise InvalidReply("score below zero", f"{where}: {what} = {value:g}")
    if maximum is not None and value > maximum + SCORE_TOLERANCE:
        raise InvalidReply("score above its maximum", f"{where}: {what} = {value:g} > {maximum:g}")


@dataclass(frozen=True)
class GroupReply:
    """What validation keeps of a group reply for the checks across replies."""

    root_id: str
    root_code: str | None
    children: dict[str, str | None]  # child id → its code (None when the shape has none)
    pagination: dict[str, Any] | None


def validate_group_reply(
    endpoint: Endpoint,
    data: dict[str, Any],
    root_unit_id: str,
    methodology: Methodology | None = None,
) -> GroupReply:
    """Check a group endpoint's ``data``: shape, root, numbers and (with a methodology)
    that every score lies within its group's and indicator's maxima."""
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
    _check_fields(root, ITEM_SCHEMA, f"data.{root_key}")
    _check_rank(root, f"data.{root_key}")
    pagination = data.get("pagination")
    _check_pagination(pagination)
    if got_root != root_unit_id:
        raise InvalidReply(
            "reply is for another root unit", f"asked {root_unit_id}, got {got_root}"
        )
    group_max = None
    if methodology is not None and endpoint.group_code is not None:
        if endpoint.group_code not in methodology.group_maxima:
            raise InvalidReply(
                "group not in the methodology in force",
                f"{endpoint.group_code} (version {methodology.version_id})",
            )
        group_max = methodology.group_maxima[endpoint.group_code]
    score = _require_number(root, "totalScore", f"data.{root_key}")
    _require_number(root, "totalMaxScore", f"data.{root_key}")
    _check_range(score, group_max, "totalScore", f"data.{root_key}")
    _validate_metrics(root.get("metrics") or [], f"data.{root_key}", endpoint, methodology)
    ids = [got_root]
    codes: dict[str, str | None] = {}
    for index, child in enumerate(children):
        where = f"data.{children_key}[{index}]"
        child_id = _require_id(child, where)
        _check_fields(child, ITEM_SCHEMA, f"{where} {child_id}")
        _check_rank(child, f"{where} {child_id}")
        if child.get("departmentType") in _PROVINCE_TYPES:
            raise InvalidReply(
                "a unit under the province is typed as a province",
                f"{where} {child_id}: departmentType {child['departmentType']!r}",
            )
        ids.append(child_id)
        score = _require_number(child, child_score_key, where)
        _require_number(child, child_max_key, where)
        _check_range(score, group_max, child_score_key, f"{where} {child_id}")
        metrics = child.get("metrics")
        if endpoint.shape == "evaluation" and not isinstance(metrics, list):
            raise InvalidReply("unit without metrics list", where)
        _validate_metrics(metrics or [], f"{where} {child_id}", endpoint, methodology)
        code = child.get("departmentCode")
        codes[child_id] = code.strip().upper() if isinstance(code, str) and code.strip() else None
    _check_unique(ids)
    _check_unique_codes([root.get("departmentCode"), *(c.get("departmentCode") for c in children)])
    root_code = root.get("departmentCode")
    return GroupReply(
        got_root,
        root_code.strip().upper() if isinstance(root_code, str) and root_code.strip() else None,
        codes,
        pagination if isinstance(pagination, dict) else None,
    )


_METRIC_NUMBERS = ("numerator", "denominator", "ratio", "score", "maxScore")


def _validate_metrics(
    metrics: list[Any], where: str, endpoint: Endpoint, methodology: Methodology | None
) -> None:
    """Each indicator has a code, numbers (or null) where numbers belong, and a score in
    [0, its maximum]: the methodology's, else its own bounded by the group's."""
    for index, metric in enumerate(metrics):
        spot = f"{where}.metrics[{index}]"
        if not isinstance(metric, dict) or not isinstance(metric.get("code"), str):
            raise InvalidReply("indicator without a code", spot)
        _check_fields(metric, METRIC_SCHEMA, spot)
        values = {
            key: _require_number(metric, key, spot) for key in _METRIC_NUMBERS if key in metric
        }
        if methodology is None:
            continue
        maximum = methodology.indicator_max(endpoint.group_code, metric["code"])
        if maximum is None:
            group_max = methodology.group_maxima.get(endpoint.group_code or "")
            own = values.get("maxScore")
            maximum = group_max if own is None else min(own, group_max or own)
        _check_range(values.get("score"), maximum, metric["code"], spot)


def validate_national_reply(
    data: dict[str, Any], methodology: Methodology | None = None
) -> list[dict[str, Any]]:
    """Check a ``service-results`` reply: provinces with unique ids and, with a
    methodology (the version in force for the reply's period), every group of it scored
    within its maximum and totals within the sum. Returns the province entries.

    The groups asked for are the version's, never a fixed list: a reply for a period
    under another version is judged by that version's groups. A group key outside the
    version is rejected rather than ignored: it means the portal scores a group the
    warehouse's methodology does not know (a new version not yet entered in
    ``sql/methodology/``), so totals summed from the known groups would be wrong."""
    items = data.get("evaluation")
    if not isinstance(items, list) or not items:
        raise InvalidReply("data.evaluation missing or empty: no provinces listed")
    ids = []
    for index, item in enumerate(items):
        where = f"data.evaluation[{index}]"
        ids.append(_require_id(item, where))
        _check_fields(item, ITEM_SCHEMA, where)
        _check_rank(item, where)
        if item.get("departmentType") not in (None, *_PROVINCE_TYPES):
            raise InvalidReply(
                "a unit of the national ranking is not a province",
                f"{where}: departmentType {item['departmentType']!r}",
            )
        total = _require_number(item, "totalScore", where)
        groups = item.get("groupScores")
        if not isinstance(groups, dict):
            raise InvalidReply("province without groupScores", where)
        if methodology is None:
            continue
        _check_range(total, methodology.total_max, "totalScore", where)
        missing = [code for code in methodology.group_codes if code not in groups]
        if missing:
            raise InvalidReply("groupScores lacks groups", f"{where}: {', '.join(missing)}")
        unknown = sorted(code for code in groups if code not in methodology.group_maxima)
        if unknown:
            raise InvalidReply(
                UNKNOWN_GROUPS,
                f"{where}: {', '.join(unknown)} (version {methodology.version_id})",
            )
        for code, maximum in methodology.group_maxima.items():
            score = _require_number(groups, code, f"{where}.groupScores")
            _check_range(score, maximum, code, f"{where}.groupScores")
    _check_unique(ids)
    _check_unique_codes(item.get("departmentCode") for item in items)
    return items


def _belongs(code: str | None, root_code: str | None) -> bool:
    """Whether a unit code lies under a root code (``H44`` → ``H44``, ``H44.07``)."""
    if code is None or root_code is None:
        return True
    return code == root_code or code.startswith(f"{root_code}.")


def validate_group_bundle(
    bundle: CaptureBundle, context: ValidationContext
) -> list[InvalidReply | None]:
    """Verdicts on a province capture's replies: each reply on its own, then across the
    bundle: units of another root (by code, or known in the warehouse under another
    province), an empty unit list where the province has units, and paged endpoints
    whose pages disagree or overlap."""
    replies = [f for f in bundle.fetched if f.reply is not None]
    verdicts: dict[int, InvalidReply | None] = {}
    parsed: dict[int, GroupReply] = {}
    for index, fetched in enumerate(replies):
        try:
            assert fetched.reply is not None
            data = decode_envelope(fetched.reply)
            parsed[index] = validate_group_reply(
                fetched.endpoint,
                data,
                bundle.root_unit_id,
                context.methodology,  # type: ignore[arg-type]
            )
            verdicts[index] = None
        except InvalidReply as exc:
            verdicts[index] = exc
    root_code = bundle.root_unit_code or next(
        (p.root_code for p in parsed.values() if p.root_code), None
    )
    alien_by_code = {
        child_id
        for p in parsed.values()
        for child_id, code in p.children.items()
        if not _belongs(code, root_code)
    }
    known_elsewhere = _known_elsewhere(context, bundle.root_unit_id, parsed.values())
    has_units = any(p.children for p in parsed.values()) or _province_has_units(
        context, bundle.root_unit_id
    )
    for index, p in parsed.items():
        verdict = _alien_verdict(p, root_code, alien_by_code, known_elsewhere)
        if verdict is None and not p.children and has_units:
            verdict = InvalidReply(
                "empty unit list", "the province has units in other replies or earlier captures"
            )
        verdicts[index] = verdict
    for index, verdict in _page_verdicts(replies, parsed).items():
        if verdicts[index] is None:
            verdicts[index] = verdict
    return [verdicts[index] for index in range(len(replies))]


def _alien_verdict(
    reply: GroupReply, root_code: str | None, alien_by_code: set[str], known_elsewhere: set[str]
) -> InvalidReply | None:
    """A reply lists a unit of another root when it gives the unit a code outside the
    root, lists without a code a unit another reply codes outside it, or lists a unit the
    warehouse knows under another province."""
    for child_id, code in reply.children.items():
        outside = (
            (code is not None and not _belongs(code, root_code))
            or (code is None and child_id in alien_by_code)
            or child_id in known_elsewhere
        )
        if outside:
            return InvalidReply(
                "unit of another root in the reply",
                f"{child_id} ({code or 'no code'}) is not under {root_code or reply.root_id}",
            )
    return None


def _unit_provinces(context: ValidationContext) -> dict[str, set[str]]:
    """Each unit of ``core.units`` with the provinces it is known under, read once per
    batch of recordings (``context.memo``)."""
    key = "portal.unit_provinces"
    if key not in context.memo:
        provinces: dict[str, set[str]] = {}
        rows = context.con.execute(
            "SELECT unit_id, province_unit_id FROM core.units WHERE province_unit_id IS NOT NULL"
        ).fetchall()
        for unit_id, province_id in rows:
            provinces.setdefault(unit_id, set()).add(province_id)
        context.memo[key] = provinces
    return context.memo[key]


def _known_elsewhere(
    context: ValidationContext, root_id: str, replies: Iterable[GroupReply]
) -> set[str]:
    """Children the warehouse already knows as units of another province."""
    provinces = _unit_provinces(context)
    return {
        child
        for r in replies
        for child in r.children
        if any(p != root_id for p in provinces.get(child, ()))
    }


def _province_has_units(context: ValidationContext, root_id: str) -> bool:
    """Whether the warehouse has seen units under this province before."""
    key = "portal.provinces_with_units"
    if key not in context.memo:
        context.memo[key] = {
            province
            for unit_id, provinces in _unit_provinces(context).items()
            for province in provinces
            if province != unit_id
        }
    return root_id in context.memo[key]


def _page_verdicts(
    replies: list[FetchedReply], parsed: dict[int, GroupReply]
) -> dict[int, InvalidReply]:
    """Pages of one endpoint must announce the same page count, each be the page asked
    for, list no unit twice, and together list ``pagination.total`` units."""
    verdicts: dict[int, InvalidReply] = {}
    by_endpoint: dict[str, list[int]] = {}
    for index, fetched in enumerate(replies):
        by_endpoint.setdefault(fetched.endpoint.name, []).append(index)
    for indexes in by_endpoint.values():
        pages = [i for i in indexes if i in parsed]
        if not pages:
            continue
        seen: set[str] = set()
        first = parsed[pages[0]].pagination or {}
        for i in pages:
            pagination = parsed[i].pagination or {}
            asked = replies[i].page
            if pagination.get("currentPage", asked) != asked:
                verdicts[i] = InvalidReply(
                    "page is not the one asked for",
                    f"asked page {asked}, got {pagination.get('currentPage')!r}",
                )
            elif pagination.get("totalPages") != first.get("totalPages"):
                verdicts[i] = InvalidReply(
                    "pages disagree on the page count",
                    f"{first.get('totalPages')!r} and {pagination.get('totalPages')!r}",
                )
            elif seen & set(parsed[i].children):
                verdicts[i] = InvalidReply(
                    "unit appears on two pages", sorted(seen & set(parsed[i].children))[0]
                )
            seen |= set(parsed[i].children)
        total = first.get("total")
        complete = len(pages) == len(indexes) and len(indexes) == max(
            1, first.get("totalPages") or 1
        )
        if complete and isinstance(total, int) and total != len(seen):
            verdicts.setdefault(
                pages[-1],
                InvalidReply(
                    "pages list fewer or more units than announced",
                    f"pagination.total {total}, listed {len(seen)}",
                ),
            )
    return verdicts
