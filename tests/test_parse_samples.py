"""Parsers against every real reply in ../shared/portal-samples (read in place)."""

from collections import Counter
from pathlib import Path

import pytest

from pipelines.sources.portal.endpoints import ENDPOINTS_BY_NAME
from tests.conftest import PHU_THO, SAMPLES
from tests.portal_oracle import parse_group_reply
from warehouse.records import InvalidReply

SAMPLE_FILES = sorted(SAMPLES.glob("*/*.json"))


def _parse(path: Path):
    endpoint = ENDPOINTS_BY_NAME[path.stem]
    return parse_group_reply(endpoint, path.read_bytes(), PHU_THO)


def test_all_samples_are_present() -> None:
    assert len(SAMPLE_FILES) == 11


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_sample_parses_into_root_15_departments_148_communes(path: Path) -> None:
    parsed = _parse(path)
    levels = Counter(row["unit_level"] for row in parsed.unit_sightings)
    assert levels == {"province": 1, "department": 15, "commune": 148}
    roots = [row for row in parsed.group_scores if row["is_root"]]
    assert [row["unit_id"] for row in roots] == [PHU_THO]
    assert all(
        row["group_code"] == ENDPOINTS_BY_NAME[path.stem].group_code for row in parsed.group_scores
    )
    assert all(row["province_unit_id"] == PHU_THO for row in parsed.unit_sightings)


def test_year_2026_root_scores(samples_dir: Path) -> None:
    scores = {}
    for path in sorted((samples_dir / "2026").glob("*.json")):
        parsed = _parse(path)
        (root,) = [row for row in parsed.group_scores if row["is_root"]]
        scores[root["group_code"]] = (root["score"], root["max_score"])
    assert scores == {
        "CKMB": (7.96, 18.0),
        "TDGQ": (17.68, 20.0),
        "CLGQ": (8.56, 12.0),
        "TTTT": (6.67, 10.0),
        "MDHL": (11.43, 18.0),
        "MDSH": (9.59, 22.0),
    }


def test_tree_children_use_score_and_max_score(samples_dir: Path) -> None:
    parsed = _parse(samples_dir / "2026" / "dvc-progress-tree.json")
    office = next(r for r in parsed.group_scores if r["unit_id"].endswith("bb1e9a3f14ab"))
    assert (office["score"], office["max_score"], office["ratio"]) == (19.38, 20.0, 96.89)
    params = {
        r["parameter"]: r["value"] for r in parsed.group_parameters if r["unit_id"] == PHU_THO
    }
    assert params["totalReceived"] == 597918
    assert params["totalOnTime"] == 528684
    assert params["avgProcessingDays"] == 4.1


def test_nulls_are_preserved_not_zero(samples_dir: Path) -> None:
    parsed = _parse(samples_dir / "2026-08" / "transparency.json")
    root_metrics = {r["metric_code"]: r for r in parsed.metric_values if r["unit_id"] == PHU_THO}
    publish = root_metrics["PUBLISH_ON_TIME"]
    assert publish["score"] is None and publish["ratio"] is None
    assert publish["numerator"] == 0 and publish["denominator"] == 0
    assert root_metrics["PUBLIC_CONTENT_FULL"]["score"] == 1.96
    # A real zero stays zero: the province office's online-service score is 0, not null.
    online = _parse(samples_dir / "2026-08" / "provide-online-tree.json")
    office = next(r for r in online.group_scores if r["unit_id"].endswith("bb1e9a3f14ab"))
    assert office["score"] == 0.0


def test_data_quality_flags_and_messages(samples_dir: Path) -> None:
    parsed = _parse(samples_dir / "2026-08" / "transparency.json")
    flags = Counter(r["data_quality_status"] for r in parsed.metric_values)
    assert flags["TEMP_NATIONAL_REPORT_DENOMINATOR"] > 0
    assert flags["NO_NATIONAL_REPORT_DATA"] > 0
    no_data = next(
        r for r in parsed.metric_values if r["data_quality_status"] == "NO_NATIONAL_REPORT_DATA"
    )
    assert no_data["data_quality_message"] == "Không có dữ liệu báo cáo tổng hợp."
    assert no_data["score"] is None


def test_names_are_nfc_and_suffix_kept(samples_dir: Path) -> None:
    parsed = _parse(samples_dir / "2026" / "dossier-digitized.json")
    names = {r["unit_code"]: r["unit_name"] for r in parsed.unit_sightings}
    assert names["H44.01"] == "Văn phòng UBND Tỉnh - Tỉnh Phú Thọ"
    assert names["H44.117"] == "UBND xã Thanh Ba"


def test_satisfaction_metrics_and_tracking_indicators(samples_dir: Path) -> None:
    parsed = _parse(samples_dir / "2026" / "handling-satisfaction.json")
    root = {r["metric_code"]: r for r in parsed.metric_values if r["unit_id"] == PHU_THO}
    assert root["DOSSIER_RECEIVING_SATISFACTION"]["score"] == 5.89
    assert root["PETITION_CLASSIFICATION_TTHC"]["max_score"] == 0.0
    assert root["PETITION_CLASSIFICATION_TTHC"]["score"] is None


def test_wrong_root_is_rejected(samples_dir: Path) -> None:
    path = samples_dir / "2026" / "transparency.json"
    with pytest.raises(InvalidReply, match="another root unit"):
        parse_group_reply(ENDPOINTS_BY_NAME["transparency"], path.read_bytes(), "other-root")


def test_truncated_sample_is_rejected(samples_dir: Path) -> None:
    content = (samples_dir / "2026" / "transparency.json").read_bytes()
    with pytest.raises(InvalidReply, match="not valid JSON"):
        parse_group_reply(ENDPOINTS_BY_NAME["transparency"], content[: len(content) // 2], PHU_THO)


def test_indicator_with_a_string_number_is_rejected(samples_dir: Path) -> None:
    text = (samples_dir / "2026" / "transparency.json").read_text(encoding="utf-8")
    bad = text.replace('"numerator":87,', '"numerator":"87",', 1)
    assert bad != text
    with pytest.raises(InvalidReply, match="field 'numerator' is not a number"):
        parse_group_reply(ENDPOINTS_BY_NAME["transparency"], bad.encode(), PHU_THO)
