"""The one catalogue of reasons: the stable English reasons the warehouse stores
(``raw.quarantine.reason``, ``ops.rejected_captures.reason``, the problems listed in
``raw.captures.reason``, ``ops.raw_store_faults.fault``) and the Vietnamese text people
read in ``dvc766 status`` and in the summary of a capture.

Stored reasons stay in English so that they are stable keys; the Vietnamese lives only
here. A reason the catalogue does not know is shown as stored (the files' reasons are
already Vietnamese).
"""

from __future__ import annotations

import re

REASONS: dict[str, str] = {
    # the reply's bytes (pipelines/sources/decode.py)
    "empty body": "trả lời rỗng",
    "body is not UTF-8": "trả lời không phải UTF-8",
    "body is HTML, not JSON (a block or error page?)": (
        "trả lời là trang HTML, không phải JSON (trang chặn hoặc trang lỗi?)"
    ),
    "body is not valid JSON (truncated?)": "trả lời không phải JSON hợp lệ (bị cắt cụt?)",
    "key written twice in one object": "một khóa được ghi hai lần trong cùng một đối tượng",
    "non-finite number": "có số không hữu hạn (NaN hoặc vô cực)",
    "integer out of range": "số nguyên vượt giới hạn",
    # scores (pipelines/sources/ranges.py and the validators)
    "score below zero": "điểm âm",
    "score above its maximum": "điểm vượt điểm tối đa",
    # the current API (pipelines/sources/portal/validate.py)
    "envelope is not a JSON object": "trả lời không phải đối tượng JSON",
    "envelope code is not OK": "Cổng trả mã lỗi (code khác OK)",
    "envelope has no data object": "trả lời không có đối tượng data",
    "unit entry is not an object": "một mục đơn vị không phải đối tượng JSON",
    "unit without departmentId": "đơn vị không có departmentId",
    "unit without departmentName": "đơn vị không có departmentName",
    "unit appears more than once": "một đơn vị xuất hiện nhiều lần",
    "unit code appears more than once": "một mã đơn vị xuất hiện nhiều lần (dưới hai id)",
    "rank (stt) below 1": "thứ hạng (stt) nhỏ hơn 1",
    "data.pagination is not an object": "data.pagination không phải đối tượng JSON",
    "data.pagination is not whole numbers": "số trang (data.pagination) không phải số nguyên",
    "a unit under the province is typed as a province": (
        "một đơn vị trực thuộc tỉnh lại có loại là tỉnh"
    ),
    "a unit of the national ranking is not a province": (
        "một đơn vị trong bảng xếp hạng các tỉnh không phải tỉnh"
    ),
    "reply shape not as expected": (
        "trả lời có cấu trúc không như dự kiến (mọi trả lời của lần thu thập bị cách ly)"
    ),
    "reply is for another root unit": "trả lời của đơn vị gốc khác, không phải đơn vị đã hỏi",
    "group not in the methodology in force": "nhóm chỉ số không có trong phương pháp đang áp dụng",
    "unit without metrics list": "đơn vị không có danh sách chỉ số (metrics)",
    "indicator without a code": "chỉ số không có mã",
    "data.evaluation missing or empty: no provinces listed": (
        "bảng xếp hạng quốc gia không liệt kê tỉnh nào"
    ),
    "province without groupScores": "tỉnh không có điểm nhóm (groupScores)",
    "groupScores lacks groups": "điểm nhóm (groupScores) thiếu nhóm",
    "groupScores has groups outside the methodology in force": (
        "điểm nhóm (groupScores) có nhóm không thuộc phương pháp đang áp dụng"
    ),
    "empty unit list": "danh sách đơn vị rỗng",
    "unit of another root in the reply": "trả lời có đơn vị không thuộc đơn vị gốc đã hỏi",
    "page is not the one asked for": "trang trả về không phải trang đã hỏi",
    "pages disagree on the page count": "các trang ghi số trang khác nhau",
    "unit appears on two pages": "một đơn vị xuất hiện ở hai trang",
    "pages list fewer or more units than announced": (
        "số đơn vị trên các trang khác số Cổng công bố"
    ),
    # the legacy API (pipelines/sources/legacy/)
    "reply does not fit its capture": "trả lời không khớp với lần thu thập",
    "trend has no value for the month": "chuỗi theo tháng không có giá trị của tháng",
    "unknown legacy endpoint": "endpoint không có ở API cũ",
    "reply is not a JSON array of rows": "trả lời không phải mảng JSON các dòng",
    "reply lists no rows": "trả lời không có dòng nào",
    "reply fills the whole page: rows may be missing": "trả lời đầy trang: có thể thiếu dòng",
    "row is not an object": "một dòng không phải đối tượng JSON",
    "unit id is not a string": "mã định danh đơn vị không phải chuỗi",
    "row without ID": "dòng không có ID",
    "field is not a string": "trường không phải chuỗi",
    "row without TEN/TEN_COQUAN": "dòng không có tên (TEN/TEN_COQUAN)",
    "row without MA_COQUAN": "dòng không có MA_COQUAN",
    "ROW_STT is not a position in the reply": "ROW_STT không phải một vị trí trong trả lời",
    "unknown LOAI_COQUAN": "LOAI_COQUAN không xác định",
    "row of another unit type": "dòng thuộc loại đơn vị khác loại đã hỏi",
    "MONTH is not a month (1-12)": "MONTH không phải tháng (1-12)",
    "month appears more than once": "một tháng xuất hiện nhiều lần",
    # fetching (pipelines/capturing.py, pipelines/sources/portal/capture.py)
    "no reply": "không có trả lời",
    "not requested (capture stopped)": "chưa được hỏi (đã dừng thu thập)",
    # core checks of pipelines/assets/core.py (a capture they find is quarantined)
    "group score written twice for one unit": "điểm nhóm của một đơn vị bị ghi hai lần",
    "unit listed twice in one reply": "một đơn vị được liệt kê hai lần trong một phản hồi",
    "parameter written twice for one unit": "tham số của một đơn vị bị ghi hai lần",
    "reported total written twice for one unit": (
        "tổng điểm Cổng công bố của một đơn vị bị ghi hai lần"
    ),
    "indicator written twice for one unit": "chỉ số của một đơn vị bị ghi hai lần",
    "group score outside [0, its maximum]": "điểm nhóm nằm ngoài khoảng [0, điểm tối đa]",
    "indicator score outside [0, its maximum]": "điểm chỉ số nằm ngoài khoảng [0, điểm tối đa]",
    "core row without a valid stored reply": "dòng core không trỏ tới trả lời hợp lệ đã lưu",
    "complete capture without a root score for every group fetched": (
        "lần thu thập đầy đủ nhưng thiếu điểm của tỉnh ở một nhóm đã thu thập"
    ),
}
"""Stored English reason → Vietnamese, for reasons without a variable part."""
_LONGEST_FIRST: tuple[str, ...] = tuple(sorted(REASONS, key=len, reverse=True))

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (r"^field '(?P<field>[^']*)' missing", "thiếu trường '{field}'"),
        (r"^field '(?P<field>[^']*)' is not a number", "trường '{field}' không phải số"),
        (r"^field '(?P<field>[^']*)' is not an integer", "trường '{field}' không phải số nguyên"),
        (
            r"^field '(?P<field>[^']*)' is not a whole number",
            "trường '{field}' không phải số nguyên",
        ),
        (r"^field '(?P<field>[^']*)' is not text", "trường '{field}' không phải chuỗi ký tự"),
        (r"^field '(?P<field>[^']*)' is not a list", "trường '{field}' không phải danh sách"),
        (r"^field '(?P<field>[^']*)' is not ", "trường '{field}' sai kiểu dữ liệu"),
        (
            r"^data\.(?P<key>\w+) missing: not the (?P<shape>\w+) shape",
            "thiếu data.{key}: không đúng dạng {shape}",
        ),
        (r"portal refused the request with HTTP (?P<status>\d+)", "bị Cổng chặn (HTTP {status})"),
        (r"^HTTP (?P<status>\d+)", "Cổng trả lỗi HTTP {status}"),
        (r"^connection error", "không kết nối được Cổng"),
        (r"^timeout after (?P<seconds>[\d.]+) s", "Cổng không trả lời trong {seconds} giây"),
        (r"exceeds the cap of (?P<cap>\d+)", "trả lời vượt giới hạn {cap} byte"),
        (
            r"^announces (?P<pages>\d+) pages, more than the (?P<allowed>\d+) allowed",
            "Cổng báo {pages} trang, quá {allowed} trang cho phép",
        ),
    )
)
"""Reasons with a variable part (a field, a status, a number)."""

_ATTEMPTS = re.compile(r"failed after (?P<attempts>\d+) attempts: (?P<last>.*)$", re.DOTALL)
"""A request that failed every attempt: ``<url> failed after 4 attempts: HTTP 500``."""

RAW_STORE_FAULTS: dict[str, str] = {
    "missing": "tệp trong kho lưu trữ gốc bị mất",
    "hash_mismatch": "tệp trong kho lưu trữ gốc bị thay đổi (sai mã SHA-256)",
}
"""``ops.raw_store_faults.fault`` → Vietnamese."""

STOPPED_PREFIX = "stopped: "
"""How ``raw.captures.reason`` begins when the portal stopped the capture (403/429)."""


def in_vietnamese(reason: str) -> str:
    """The Vietnamese text of a stored English reason, with or without its ``: detail``;
    the reason as stored when the catalogue does not know it."""
    text = reason.strip()
    if text in REASONS:
        return REASONS[text]
    for known in _LONGEST_FIRST:
        if text.startswith(known + ":"):
            return REASONS[known]
    attempts = _ATTEMPTS.search(text)
    if attempts:
        last = in_vietnamese(attempts["last"])
        return f"{last} (sau {attempts['attempts']} lần thử)"
    for pattern, template in _PATTERNS:
        match = pattern.search(text)
        if match:
            return template.format(**match.groupdict())
    return text


def raw_store_fault(kind: str) -> str:
    """The Vietnamese text of a raw store fault kind (``missing``, ``hash_mismatch``)."""
    return RAW_STORE_FAULTS.get(kind, kind)


def capture_problem(reason: str | None) -> str:
    """``raw.captures.reason`` in one short Vietnamese phrase: the stop, if the portal
    stopped the capture, else the first problem (``endpoint: reason``) and how many more."""
    if not reason:
        return "không rõ lý do"
    if reason.startswith(STOPPED_PREFIX):
        return in_vietnamese(reason[len(STOPPED_PREFIX) :])
    problems = [p for p in reason.split("; ") if p.strip()]
    label, _, message = problems[0].partition(": ")
    first = f"{label}: {in_vietnamese(message)}" if message else in_vietnamese(label)
    more = len(problems) - 1
    return f"{first} (+{more} lỗi khác)" if more else first
