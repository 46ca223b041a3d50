"""The group and indicator formulas of the fake portal (DOMAIN.md section 2).

Pure functions of counts: the six groups and their maxima, the metrics (chỉ tiêu) each
group reports with their maxima, and the rules that turn numerators and denominators
into ratios and scores, rounded to two decimals as the portal shows them. A group's
``totalScore`` is the sum of its (rounded) metric scores.
"""

from __future__ import annotations

import math
from typing import NamedTuple

GROUPS: tuple[str, ...] = ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH")
GROUP_MAX: dict[str, int] = {"CKMB": 18, "TDGQ": 20, "CLGQ": 12, "TTTT": 10, "MDHL": 18, "MDSH": 22}


class GroupValues(NamedTuple):
    """One number per group, in the order of :data:`GROUPS`."""

    ckmb: float
    tdgq: float
    clgq: float
    tttt: float
    mdhl: float
    mdsh: float


class DataQuality(NamedTuple):
    """A metric's data-quality flag: ``dataQualityStatus`` and ``dataQualityMessage``."""

    status: str
    message: str


TEMP_DENOMINATOR = DataQuality(
    "TEMP_NATIONAL_REPORT_DENOMINATOR",
    "Mẫu số BCQG/GRIS đang dùng số tạm, cần thay bằng dữ liệu crawl hệ thống cũ.",
)
NO_REPORT_DATA = DataQuality("NO_NATIONAL_REPORT_DATA", "Không có dữ liệu báo cáo tổng hợp.")


class Share(NamedTuple):
    """A numerator over a denominator (the denominator may be 0)."""

    numerator: int
    denominator: int


class MetricSpec(NamedTuple):
    """A metric's code, name and maximum score, as the portal lists them."""

    code: str
    name: str
    max_score: int


class Metric(NamedTuple):
    """One metric (chỉ tiêu) of a unit in a period, as the portal reports it."""

    code: str
    name: str
    numerator: int | None
    denominator: int | None
    ratio: float | None
    score: float | None
    max_score: int
    quality: DataQuality | None = None


# CKMB: publicity and transparency
PUBLISH_ON_TIME = MetricSpec("PUBLISH_ON_TIME", "Tỷ lệ TTHC công bố đúng hạn", 6)
PUBLIC_UPDATE_ON_TIME = MetricSpec(
    "PUBLIC_UPDATE_ON_TIME", "Tỷ lệ TTHC cập nhật, công khai đúng hạn", 4
)
PUBLIC_CONTENT_FULL = MetricSpec("PUBLIC_CONTENT_FULL", "Tỷ lệ TTHC công khai đầy đủ nội dung", 2)
DOSSIER_SYNC = MetricSpec("DOSSIER_SYNC", "Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG", 6)

# MDSH: digitisation
ORIGINAL_RESULT_AVAILABLE = MetricSpec(
    "ORIGINAL_RESULT_AVAILABLE",
    "Tỷ lệ hồ sơ thủ tục hành chính có cấp kết quả giải quyết thủ tục hành chính điện tử",
    6,
)
SO_HOA_GIAY_TO_GIAI_QUYET = MetricSpec(
    "SO_HOA_GIAY_TO_GIAI_QUYET", "Tỷ lệ hồ sơ thủ tục hành chính thực hiện số hóa hồ sơ", 4
)
REUSED_DIGITIZED_DATA = MetricSpec(
    "REUSED_DIGITIZED_DATA", "Tỷ lệ hồ sơ khai thác, sử dụng lại thông tin, dữ liệu số hóa", 2
)
SYNCED_WITH_DVCQG_PERSONAL_STORAGE = MetricSpec(
    "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
    "Tỷ lệ hồ sơ TTHC được số hóa có kết nối, chia sẻ dữ liệu phục vụ tái sử dụng",
    4,
)
CITIZEN_DATA_CONNECTED_DOSSIER = MetricSpec(
    "CITIZEN_DATA_CONNECTED_DOSSIER", "Tỷ lệ hồ sơ TTHC có sử dụng thông tin, dữ liệu dân cư", 2
)
CITIZEN_DATA_CONNECTED_FORMALITY = MetricSpec(
    "CITIZEN_DATA_CONNECTED_FORMALITY",
    "Tỷ lệ TTHC triển khai kết nối, chia sẻ dữ liệu dân cư phục vụ GQ TTHC",
    2,
)
ELECTRONIC_CERTIFIED_COPY = MetricSpec(
    "ELECTRONIC_CERTIFIED_COPY",
    "Tỷ lệ cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính",
    2,
)

# MDHL: satisfaction (the two classification metrics are tracked, not scored)
PETITION_CLASSIFICATION_TTHC = MetricSpec(
    "PETITION_CLASSIFICATION_TTHC", "Tỷ lệ PAKN về quy định, thủ tục hành chính", 0
)
DOSSIER_RECEIVING_SATISFACTION = MetricSpec(
    "DOSSIER_RECEIVING_SATISFACTION", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", 6
)
PETITION_PROCESSING_ON_TIME = MetricSpec(
    "PETITION_PROCESSING_ON_TIME", "Tỷ lệ PAKN xử lý đúng hạn", 6
)
PETITION_HANDLING_SATISFACTION = MetricSpec(
    "PETITION_HANDLING_SATISFACTION", "Tỷ lệ hài lòng trong xử lý PAKN", 6
)
PETITION_CLASSIFICATION_STAFF = MetricSpec(
    "PETITION_CLASSIFICATION_STAFF", "Tỷ lệ PAKN về hành vi cán bộ, công chức, viên chức", 0
)

DOSSIER_SATISFACTION_FULL_AT = 90.0
"""MDHL: the dossier-satisfaction ratio (%) that earns the metric's full score."""
REUSED_FULL_AT = 80.0
"""MDSH: the REUSED_DIGITIZED_DATA ratio (%) that earns the metric's full score."""


def r2(x: float) -> float | int:
    """Round half up to 2 decimals; integral values become ``int`` (as JSON shows them)."""
    v = math.floor(x * 100 + 0.5 + 1e-9) / 100
    return int(v) if v == int(v) else v


def pct(num: int, den: int) -> float:
    """``num`` as a percentage of ``den`` (0 when ``den`` is 0)."""
    return 100.0 * num / den if den else 0.0


def proportional(
    spec: MetricSpec,
    share: Share,
    full_at: float = 100.0,
    quality: DataQuality | None = None,
) -> Metric:
    """A metric scored max × ratio / full_at (capped at max); null when den = 0."""
    num, den = share
    if den == 0:
        return Metric(spec.code, spec.name, num, den, None, None, spec.max_score, quality)
    ratio = 100.0 * num / den
    score = r2(min(spec.max_score, spec.max_score * ratio / full_at))
    return Metric(spec.code, spec.name, num, den, r2(ratio), score, spec.max_score, quality)


def metrics_total(metrics: list[Metric]) -> float | int:
    """A group's total: the sum of its metrics' (rounded) scores."""
    return r2(sum(m.score for m in metrics if m.score is not None))


def group_ratio(total: float, group: str) -> float | int:
    """A group total as a percentage of the group's maximum."""
    return r2(100.0 * total / GROUP_MAX[group])


def ckmb_metrics(
    published: Share, updated: Share, content: Share, synced: Share, temporary: bool
) -> list[Metric]:
    """CKMB metrics: max × ratio / 100, null when the denominator is 0.

    ``temporary``: the province's DOSSIER_SYNC denominator is the temporary one (the
    metric then shows full marks and the TEMP flag).
    """
    if synced.denominator == 0:
        sync = proportional(DOSSIER_SYNC, Share(0, 0), quality=NO_REPORT_DATA)
    elif temporary:
        full = Share(synced.denominator, synced.denominator)
        sync = proportional(DOSSIER_SYNC, full, quality=TEMP_DENOMINATOR)
    else:
        sync = proportional(DOSSIER_SYNC, synced)
    return [
        proportional(PUBLISH_ON_TIME, published),
        proportional(PUBLIC_UPDATE_ON_TIME, updated),
        proportional(PUBLIC_CONTENT_FULL, content),
        sync,
    ]


def mdsh_metrics(
    *,
    dossiers: int,
    original_result: int,
    digitised: int,
    reused: int,
    synced: int,
    citizen_data: int,
    formalities: Share,
) -> list[Metric]:
    """MDSH metrics: min(max, max × ratio / 100); REUSED_DIGITIZED_DATA full at 80 %.

    The dossier counts are over ``dossiers``; ``formalities`` is the share of procedures
    connected to the citizen database; the certified-copy metric always has full marks.
    """
    copy = ELECTRONIC_CERTIFIED_COPY
    return [
        proportional(ORIGINAL_RESULT_AVAILABLE, Share(original_result, dossiers)),
        proportional(SO_HOA_GIAY_TO_GIAI_QUYET, Share(digitised, dossiers)),
        proportional(REUSED_DIGITIZED_DATA, Share(reused, dossiers), full_at=REUSED_FULL_AT),
        proportional(SYNCED_WITH_DVCQG_PERSONAL_STORAGE, Share(synced, dossiers)),
        proportional(CITIZEN_DATA_CONNECTED_DOSSIER, Share(citizen_data, dossiers)),
        proportional(CITIZEN_DATA_CONNECTED_FORMALITY, formalities),
        Metric(copy.code, copy.name, None, None, 100, copy.max_score, copy.max_score),
    ]


def mdhl_metrics(
    *,
    petitions: int,
    about_procedures: int,
    about_staff: int,
    on_time: int,
    satisfied: int,
    dossiers: Share,
) -> list[Metric]:
    """MDHL metrics: petitions 6 × num/den (6 when den = 0); dossiers min(6, 6 × ratio/90).

    The petition counts are over ``petitions``; ``dossiers`` is satisfied dossiers over
    dossiers received.
    """

    def tracking(spec: MetricSpec, num: int) -> Metric:
        ratio = r2(pct(num, petitions))
        return Metric(spec.code, spec.name, num, petitions, ratio, None, spec.max_score)

    def petition(spec: MetricSpec, num: int) -> Metric:
        score = r2(spec.max_score * num / petitions) if petitions else spec.max_score
        ratio = r2(pct(num, petitions))
        return Metric(spec.code, spec.name, num, petitions, ratio, score, spec.max_score)

    sat = DOSSIER_RECEIVING_SATISFACTION
    dos_ratio = pct(*dossiers)
    dos_score = r2(min(sat.max_score, sat.max_score * dos_ratio / DOSSIER_SATISFACTION_FULL_AT))
    return [
        tracking(PETITION_CLASSIFICATION_TTHC, about_procedures),
        Metric(sat.code, sat.name, *dossiers, r2(dos_ratio), dos_score, sat.max_score),
        petition(PETITION_PROCESSING_ON_TIME, on_time),
        petition(PETITION_HANDLING_SATISFACTION, satisfied),
        tracking(PETITION_CLASSIFICATION_STAFF, about_staff),
    ]


def tdgq_score(received: int, on_time: int) -> tuple[float | int, float | int]:
    """TDGQ (ratio, score): 20 × onTime / received, 0 without dossiers."""
    ratio = pct(on_time, received)
    return r2(ratio), r2(GROUP_MAX["TDGQ"] * ratio / 100.0)


def clgq_score(online: int, total: int, on_time: int, overdue: int) -> float | int:
    """CLGQ score (the portal's rule is not published): 12 × (0.6·online + 0.4·on time)."""
    online_share = online / total if total else 0.0
    on_time_share = on_time / (on_time + overdue) if on_time + overdue else 0.0
    return r2(GROUP_MAX["CLGQ"] * (0.6 * online_share + 0.4 * on_time_share))


def tttt_score(
    paid: int,
    obligation: int,
    formality_paid: int,
    fee_dossier_formality: int,
    fee_formality: int,
) -> float | int:
    """TTTT score: 6·A + min(2, 2.5·B) + 2.5·C, at most 10."""
    a = paid / obligation if obligation else 0.0
    b = formality_paid / fee_formality if fee_formality else 0.0
    c = fee_dossier_formality / fee_formality if fee_formality else 0.0
    return r2(min(float(GROUP_MAX["TTTT"]), 6.0 * a + min(2.0, 2.5 * b) + 2.5 * c))
