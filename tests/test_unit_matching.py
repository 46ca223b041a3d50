"""Unit matching for sources without portal ids: by code, exact name, normalised name,
then fuzzily (logged); ambiguity is queued, an unmatched name keeps a stable id of its
own, and nothing is ever dropped."""

from __future__ import annotations

import logging
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from pipelines.resources import WarehouseResource
from pipelines.sources.files.ingest import IngestOptions
from tests.conftest import SEEDS, requires_seeds
from tests.file_ingest import ingest_bytes, ingest_path
from warehouse.unit_matching import (
    Candidate,
    ProvinceNotFound,
    load_candidates,
    match_unit,
    normalise_unit_name,
    province_suffixes,
    resolve_province,
    unmatched_id,
    without_province,
)
from warehouse.vietnamese import place_tones

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "files"
QUANG_TRI_2023_LETTER = SEEDS / "002_505eb6b581a23fd8.txt"
QUANG_TRI_2023 = "pre2025:45"
NEW_QUANG_TRI = "019d2be3-6a88-732b-8b20-29251b1ac762"


@pytest.mark.parametrize(
    ("written", "official"),
    [
        ("Sở Lao động, TB&XH", "Sở Lao động - Thương binh và Xã hội"),
        ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
        ("Sở LĐTBXH", "Sở Lao động - Thương binh và Xã hội"),
        ("Sở Nông nghiệp và PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
        ("Sở NN&PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
        ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
        ("Sở VH,TT&DL", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Sở Văn hoá - Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Ban QL Khu kinh tế", "Ban Quản lý Khu kinh tế tỉnh"),
        ("UBND huyện Hướng Hoá", "Huyện Hướng Hóa"),
        ("UBND TX Quảng Trị", "Thị xã Quảng Trị"),
        ("UBND TP. Đông Hà", "Thành phố Đông Hà"),
        ("Sở Công Thương - Tỉnh Phú Thọ", "Sở Công Thương"),
        ("Văn phòng UBND Tỉnh - Tỉnh Phú Thọ", "Văn phòng Ủy ban nhân dân tỉnh"),
        ("huyện Thủy Nguyên", "Huyện Thuỷ Nguyên"),
        ("Nông nghiệp & Phát triển nông thôn", "Sở Nông nghiệp và Phát triển nông thôn"),
        (unicodedata.normalize("NFD", "Sở Y tế"), "SỞ Y TẾ"),
    ],
)
def test_names_of_the_same_unit_normalise_alike(written: str, official: str) -> None:
    assert normalise_unit_name(written).core == normalise_unit_name(official).core


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Sở Tài chính", "Sở Tư pháp"),
        ("Xã Tân Phú", "Thị trấn Tân Phú"),
        ("Bắc Ninh", "Bạc Liêu"),
        ("Hoà Bình", "Hòa Vang"),
    ],
)
def test_different_units_stay_different(one: str, other: str) -> None:
    assert normalise_unit_name(one) != normalise_unit_name(other)


def test_tone_placement_old_and_new_styles_agree() -> None:
    assert place_tones("Hóa") == place_tones("Hoá") == "Hoá"
    assert place_tones("Thủy") == place_tones("Thuỷ") == "Thuỷ"
    assert place_tones("khỏe") == place_tones("khoẻ")
    assert place_tones("Quỳnh") == "Quỳnh" and place_tones("giữa") == "giữa"
    assert place_tones("hoàng") == "hoàng" and place_tones("người") == "người"


def _candidates() -> list[Candidate]:
    return [
        Candidate("a", "H99.01", "commune", ["Xã Tân Phú"]),
        Candidate("b", None, "commune", ["Thị trấn Tân Phú"]),
        Candidate("c", None, "commune", ["Xã Phú Lộc"]),
        Candidate("d", None, "commune", ["Xã Phú Lợi"]),
    ]


def test_code_is_tried_first() -> None:
    result = match_unit("Một tên khác hẳn", "h99.01", _candidates())
    assert (result.status, result.method, result.unit_id) == ("matched", "code", "a")


def test_a_name_fitting_two_units_is_ambiguous_unless_the_kind_decides() -> None:
    ambiguous = match_unit("Tân Phú", None, _candidates())
    assert (ambiguous.status, ambiguous.method, ambiguous.unit_id) == (
        "ambiguous",
        "normalised_name",
        None,
    )
    assert {c[0] for c in ambiguous.candidates} == {"a", "b"}
    decided = match_unit("UBND xã Tân Phú", None, _candidates())
    assert (decided.status, decided.unit_id) == ("matched", "a")


def test_fuzzy_match_needs_threshold_and_margin() -> None:
    accents_lost = match_unit("Xa Phu Loc", None, _candidates())  # Lộc, not Lợi
    assert (accents_lost.status, accents_lost.method, accents_lost.unit_id) == (
        "matched",
        "fuzzy",
        "c",
    )
    cut_short = match_unit("Xã Phú Lo", None, _candidates())  # Lộc or Lợi?
    assert (cut_short.status, cut_short.method, cut_short.unit_id) == ("ambiguous", "fuzzy", None)
    assert [c[0] for c in cut_short.candidates[:2]] == ["c", "d"]
    typo = match_unit("Thị trấn Tân Phús", None, _candidates())
    assert (typo.status, typo.method, typo.unit_id) == ("matched", "fuzzy", "b")
    assert typo.score is not None and 0.88 <= typo.score < 1
    nothing = match_unit("Phường Hải Châu", None, _candidates())
    assert (nothing.status, nothing.method, nothing.unit_id) == ("unmatched", None, None)


def test_unmatched_ids_are_stable_per_province() -> None:
    first = unmatched_id(QUANG_TRI_2023, "Sở Du lịch")
    assert first == unmatched_id(QUANG_TRI_2023, "SỞ DU LỊCH")
    assert first.startswith("unmatched:") and first != unmatched_id("pre2025:49", "Sở Du lịch")


def test_provinces_resolve_by_code_gso_name_and_date(warehouse: WarehouseResource) -> None:
    before, after = date(2023, 11, 23), date(2026, 1, 15)
    with warehouse.connect() as con:
        for hint in ("H50", "45", "Quảng Trị", "UBND TỈNH QUẢNG TRỊ", QUANG_TRI_2023):
            assert resolve_province(con, hint, on=before).unit_id == QUANG_TRI_2023
        for hint in ("H50", "44", "tỉnh Quảng Trị"):
            assert resolve_province(con, hint, on=after).unit_id == NEW_QUANG_TRI
        assert resolve_province(con, "Quảng Bình", on=before).unit_id == "pre2025:44"
        with pytest.raises(ProvinceNotFound, match="Quảng Bình"):
            resolve_province(con, "Quảng Bình", on=after)  # merged into Quảng Trị
        hue = "019d2be3-6a89-70fe-8e5d-edfb72e6be7f"
        assert resolve_province(con, "Thừa Thiên Huế", on=before).unit_id == hue
        assert resolve_province(con, "Huế", on=after).unit_id == hue  # unchanged: one unit
        assert resolve_province(con, "TP HCM", on=before).unit_id == "pre2025:79"
        assert resolve_province(con, "TP. Hồ Chí Minh", on=after).unit_id != "pre2025:79"


def test_portal_units_of_the_province_are_candidates(warehouse: WarehouseResource) -> None:
    province = "019d2be3-6a88-732b-8b17-b68020c8553a"  # Phú Thọ, as the portal names it
    with warehouse.connect() as con:
        con.execute(
            """INSERT INTO core.units VALUES
               ('dept-1', 'H44.01', 'Sở Công Thương - Tỉnh Phú Thọ', 'PROVINCIAL_DEPARTMENT',
                'department', $1, $1, now(), now()),
               ('dept-2', 'H44.02', 'Văn phòng UBND Tỉnh - Tỉnh Phú Thọ',
                'PROVINCIAL_DEPARTMENT', 'department', $1, $1, now(), now())""",
            [province],
        )
        candidates = load_candidates(con, root=province, level="department", on=date(2026, 8, 31))
    assert {c.unit_id for c in candidates} == {"dept-1", "dept-2"}
    assert match_unit("Sở Công Thương", None, candidates).unit_id == "dept-1"
    assert match_unit("VP UBND tỉnh", None, candidates).unit_id == "dept-2"
    assert match_unit("x", "h44.02", candidates).method == "code"


def _departments_2023(*rows: tuple[str, float]) -> bytes:
    """A letter's table of the province's departments for 2023: name and digitisation rate."""
    lines = [f"{index}\t{name}\t{rate:g}" for index, (name, rate) in enumerate(rows, start=1)]
    head = "CÁC CƠ QUAN, ĐƠN VỊ CẤP TỈNH NĂM 2023\n\nSTT\tTên cơ quan/ đơn vị\tSố hóa hồ sơ (%)"
    return "\n".join([head, *lines, ""]).encode()


def _review(con, capture_id: str) -> dict[str, tuple]:
    rows = con.execute(
        """SELECT name_given, status, method, unit_id, provisional_unit_id, note
           FROM core.unit_match_review WHERE capture_id = ?""",
        [capture_id],
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


@requires_seeds
def test_quang_tri_2023_abbreviated_department_is_matched_never_lost(
    warehouse: WarehouseResource,
) -> None:
    with warehouse.connect() as con:
        result = ingest_path(con, warehouse.store(), QUANG_TRI_2023_LETTER)
        review = _review(con, result.capture_id)
        status, method, unit_id, provisional, _ = review["Sở Lao động, TB&XH"]
        assert (status, method) == ("matched", "normalised_name")
        assert unit_id == "pre2025:45:so-lao-dong-thuong-binh-va-xa-hoi"
        assert provisional == unmatched_id(QUANG_TRI_2023, "Sở Lao động, TB&XH")
        rates = con.execute(
            """SELECT metric_code, ratio FROM core.metric_values
               WHERE capture_id = ? AND unit_id = ? ORDER BY metric_code""",
            [result.capture_id, unit_id],
        ).fetchall()
        assert rates == [
            ("CLGQ_RATE", 21.4),
            ("MDHL_RATE", 32.5),
            ("MDSH_RATE", 99.81),
            ("TDGQ_RATE", 87.74),
            ("TTTT_RATE", 64.0),
        ]
        assert review["Sở Nông nghiệp và PTNT"][:2] == ("matched", "normalised_name")
        assert review["Ban QL Khu kinh tế"][2] == "pre2025:45:ban-quan-ly-khu-kinh-te-tinh"
        assert review["UBND huyện Hướng Hóa"][2] == "pre2025:45:huyen-huong-hoa"
        assert {row[0] for row in review.values()} == {"matched"}
        assert len(review) == 27


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_abbreviated_misspelt_and_unknown_names(warehouse: WarehouseResource) -> None:
    handler = _Records()
    logger = logging.getLogger("warehouse.unit_matching")
    logger.addHandler(handler)
    try:
        with warehouse.connect() as con:
            result = ingest_path(con, warehouse.store(), FIXTURES / "quang_tri_2023_abbreviated.md")
            review = _review(con, result.capture_id)
            assert review["Sở LĐ-TB&XH"][:3] == (
                "matched",
                "normalised_name",
                "pre2025:45:so-lao-dong-thuong-binh-va-xa-hoi",
            )
            assert review["Sở GTVT"][:3] == (
                "matched",
                "normalised_name",
                "pre2025:45:so-giao-thong-van-tai",
            )
            assert review["Sở KH&CN"][2] == "pre2025:45:so-khoa-hoc-va-cong-nghe"
            assert review["Sở Văn hoá, Thể thao và Du lịch"][:2] == ("matched", "normalised_name")
            # accents lost: matched fuzzily, and logged
            assert review["Sở Tài nguyen và Moi truong"][:3] == (
                "matched",
                "fuzzy",
                "pre2025:45:so-tai-nguyen-va-moi-truong",
            )
            assert any("Sở Tài nguyen và Moi truong" in m for m in handler.messages)
            # not a department of Quảng Trị in 2023: kept under its own id, values kept
            status, method, unit_id, provisional, _ = review["Sở Du lịch"]
            assert (status, method) == ("unmatched", None)
            assert unit_id == provisional == unmatched_id(QUANG_TRI_2023, "Sở Du lịch")
            kept = con.execute(
                "SELECT count(*) FROM core.metric_values WHERE unit_id = ?", [unit_id]
            ).fetchone()[0]
            assert kept == 5
            assert con.execute(
                "SELECT unit_name FROM core.units WHERE unit_id = ?", [unit_id]
            ).fetchone() == ("Sở Du lịch",)
            hundred = con.execute(
                """SELECT ratio FROM core.metric_values
                   WHERE unit_id = 'pre2025:45:so-khoa-hoc-va-cong-nghe'
                     AND metric_code = 'MDSH_RATE'"""
            ).fetchone()
            assert hundred == (100.0,)
    finally:
        logger.removeHandler(handler)


def test_two_names_on_one_unit_are_kept_apart(warehouse: WarehouseResource) -> None:
    letter = _departments_2023(("Sở GTVT", 90), ("Sở Giao thong van tai", 80))
    with warehouse.connect() as con:
        result = ingest_bytes(
            con, warehouse.store(), "hai-ten.txt", letter, IngestOptions(province="H50")
        )
        assert result.outcome == "ingested"
        review = _review(con, result.capture_id)
        for name in ("Sở GTVT", "Sở Giao thong van tai"):
            status, _, unit_id, provisional, note = review[name]
            assert status == "ambiguous" and unit_id == provisional
            assert "pre2025:45:so-giao-thong-van-tai" in note
        duplicates = con.execute(
            """SELECT count(*) FROM (SELECT 1 FROM core.metric_values
               GROUP BY response_id, unit_id, metric_code HAVING count(*) > 1)"""
        ).fetchone()[0]
        assert duplicates == 0
        assert result.matches is not None and result.matches.ambiguous == 2


def test_a_unit_written_twice_in_one_file_is_quarantined(warehouse: WarehouseResource) -> None:
    letter = _departments_2023(("Sở GTVT", 90), ("Sở Giao thông vận tải", 80))
    with warehouse.connect() as con:
        result = ingest_bytes(
            con, warehouse.store(), "trung.txt", letter, IngestOptions(province="H50")
        )
    assert result.outcome == "quarantined"
    assert result.reason == "đơn vị có hai giá trị cho cùng một chỉ số"
    assert result.detail is not None and "Sở Giao thông vận tải" in result.detail


def test_a_name_matching_the_files_own_province_is_kept_apart(
    warehouse: WarehouseResource,
) -> None:
    letter = (
        "UBND TỈNH QUẢNG TRỊ\n\n- Chỉ số Công khai minh bạch: 12,2/18 điểm\n\n"
        "KẾT QUẢ NĂM 2023\n\n"
        "STT\tTên cơ quan/ đơn vị\tCông khai, minh bạch (điểm)\n"
        "1\tTỉnh Quảng Trị\t12,3\n"
        "2\tSở Tư pháp\t15\n"
    ).encode()
    with warehouse.connect() as con:
        result = ingest_bytes(con, warehouse.store(), "tinh.txt", letter)
        assert result.outcome == "ingested" and result.root_unit_id == QUANG_TRI_2023
        review = _review(con, result.capture_id)
        status, _, unit_id, provisional, note = review["Tỉnh Quảng Trị"]
        assert (status, unit_id) == ("ambiguous", provisional) and QUANG_TRI_2023 in note
        assert review["Sở Tư pháp"][0] == "matched"
        assert con.execute(
            "SELECT score FROM core.group_scores WHERE unit_id = ? AND group_code = 'CKMB'",
            [QUANG_TRI_2023],
        ).fetchall() == [(12.2,)]


def test_a_name_qualified_by_the_files_province_is_that_provinces_unit(
    warehouse: WarehouseResource,
) -> None:
    """ "Sở Tư pháp tỉnh Quảng Trị" in a table of Quảng Trị is its Sở Tư pháp: matched,
    never a second, provisional department beside it in the band counts. The qualifier
    naming another province is not stripped."""
    letter = _departments_2023(("Sở Tư pháp tỉnh Quảng Trị", 90), ("Sở Y tế tỉnh Quảng Nam", 80))
    with warehouse.connect() as con:
        result = ingest_bytes(
            con, warehouse.store(), "tu-phap.txt", letter, IngestOptions(province="H50")
        )
        assert result.outcome == "ingested", result
        review = _review(con, result.capture_id)
    assert review["Sở Tư pháp tỉnh Quảng Trị"][:3] == (
        "matched",
        "normalised_name",
        "pre2025:45:so-tu-phap",
    )
    # another province's department is not taken for Quảng Trị's
    assert review["Sở Y tế tỉnh Quảng Nam"][2] != "pre2025:45:so-y-te"


def test_only_the_files_own_province_is_stripped_from_a_name() -> None:
    quang_tri = province_suffixes(["Quảng Trị", "UBND tỉnh Quảng Trị"])
    assert without_province("Sở Tư pháp tỉnh Quảng Trị", quang_tri) == "Sở Tư pháp"
    hcm = province_suffixes(["Thành phố Hồ Chí Minh"])
    assert without_province("Sở Xây dựng TP. Hồ Chí Minh", hcm) == "Sở Xây dựng"
    assert without_province("Sở Y tế tỉnh Quảng Nam", quang_tri) == "Sở Y tế tỉnh Quảng Nam"
    assert without_province("UBND thành phố Đông Hà", quang_tri) == "UBND thành phố Đông Hà"
    assert without_province("Tỉnh Quảng Trị", quang_tri) == "Tỉnh Quảng Trị"
