"""Letters that are wrong in ways a real letter can be: a minus sign, a figure stated
twice with two values, a cut-off typed in the future or before its period. Each goes
through ``dvc766 ingest`` (a Dagster run, real DuckDB files) beside a good letter, and the
test asserts what is published and the exit code, never only that nothing crashed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from warehouse.publish import published_path

HEAD = "UBND TỈNH QUẢNG TRỊ\n\nV/v kết quả Bộ chỉ số {period}\n\n"
GOOD = "Chỉ số Công khai, minh bạch đạt 12/18 điểm.\n\nThời điểm chốt số liệu: 16h ngày {cutoff}.\n"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh user's warehouse, raw store and Dagster home; returns the warehouse."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DVC766_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("DVC766_RAW_STORE", str(tmp_path / "raw"))
    monkeypatch.setenv("COLUMNS", "250")  # status's table on one line a row
    return tmp_path / "w.duckdb"


def _letter(folder: Path, name: str, period: str, body: str) -> Path:
    path = folder / name
    path.write_text(HEAD.format(period=period) + body, encoding="utf-8")
    return path


def _published_ckmb(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(published_path(warehouse)), read_only=True) as con:
        return con.execute(
            """SELECT period_type, period_start::VARCHAR, ckmb FROM mart.unit_period_scores
               WHERE unit_level = 'province' ORDER BY ALL"""
        ).fetchall()


def _ingest(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(app, ["ingest", *args])
    return done.exit_code, done.output


def test_a_negative_score_is_left_out_never_published_without_its_sign(
    env: Path, tmp_path: Path
) -> None:
    minus = _letter(
        tmp_path,
        "am.txt",
        "năm 2023",
        "Chỉ số Công khai, minh bạch đạt -3/18 điểm. Chỉ số Mức độ hài lòng đạt 17/18 điểm.\n\n"
        "Thời điểm chốt số liệu: 16h ngày 23/11/2023.\n",
    )
    code, output = _ingest(str(minus))
    assert code == 0, output
    assert "bỏ số liệu «Chỉ số Công khai, minh bạch đạt -3/18 điểm»: điểm âm (-3)" in output
    with duckdb.connect(str(published_path(env)), read_only=True) as con:
        published = con.execute(
            "SELECT ckmb, mdhl FROM mart.unit_period_scores WHERE unit_level = 'province'"
        ).fetchall()
    assert published == [(None, 17.0)]  # the other figure of the letter is loaded


def test_a_figure_stated_twice_with_two_values_is_not_loaded(env: Path, tmp_path: Path) -> None:
    twice = _letter(
        tmp_path,
        "hai-gia-tri.txt",
        "năm 2023",
        "Chỉ số Công khai, minh bạch đạt 12/18 điểm; Chỉ số Mức độ hài lòng đạt 17/18 điểm.\n\n"
        "Trong đó, chỉ số Công khai, minh bạch đạt 14/18 điểm.\n\n"
        "Thời điểm chốt số liệu: 16h ngày 23/11/2023.\n",
    )
    code, output = _ingest(str(twice))
    assert code == 0, output
    # both statements are named, each with the other's value
    for said, other in (("12", "14"), ("14", "12")):
        assert f"đạt {said}/18 điểm»: số liệu nêu lần hai với giá trị khác ({other})" in output
    with duckdb.connect(str(published_path(env)), read_only=True) as con:
        published = con.execute(
            "SELECT ckmb, mdhl FROM mart.unit_period_scores WHERE unit_level = 'province'"
        ).fetchall()
    assert published == [(None, 17.0)]  # neither 12 nor 14: the letter does not say which


@pytest.mark.parametrize(
    ("name", "period", "cutoff", "reason"),
    [
        # a typo in the year: the latest cut-off would win over every correct letter
        ("typo.txt", "tháng 10/2023", "02/11/2063", "thời điểm chốt số liệu sau ngày nhập"),
        # a month that has not happened yet
        ("tuong-lai.txt", "tháng 5/2099", "23/05/2099", "thời điểm chốt số liệu sau ngày nhập"),
        # figures of October cut off in May: they would show in the as-of views in June
        (
            "truoc-ky.txt",
            "tháng 10/2023",
            "23/05/2023",
            "thời điểm chốt số liệu trước khi kỳ báo cáo bắt đầu",
        ),
    ],
)
def test_a_cutoff_no_figure_can_have_is_quarantined_and_the_good_letter_stands(
    env: Path, tmp_path: Path, name: str, period: str, cutoff: str, reason: str
) -> None:
    good = _letter(tmp_path, "dung.txt", "tháng 10/2023", GOOD.format(cutoff="05/11/2023"))
    bad = _letter(
        tmp_path,
        name,
        period,
        "Chỉ số Công khai, minh bạch đạt 15/18 điểm.\n\n"
        f"Thời điểm chốt số liệu: 16h ngày {cutoff}.\n",
    )
    code, output = _ingest(str(good), str(bad))
    assert code == 1, output  # a quarantined file fails the run
    assert f"{name}: bị cách ly" in output and reason in output
    assert _published_ckmb(env) == [("month", "2023-10-01", 12.0)]
    status = CliRunner().invoke(app, ["status"])
    assert name in status.output and reason in status.output


def test_a_province_option_the_file_contradicts_is_said(env: Path) -> None:
    """Đồng Nai's district table ingested with ``--province H50`` is recorded as the
    option says (as ``--period`` is), and the ingest says the file names Đồng Nai."""
    table = (
        Path(__file__).resolve().parent / "fixtures" / "files" / "dong_nai_2024_q2_districts.csv"
    )
    code, output = _ingest(str(table), "--province", "H50")
    assert code == 0, output
    assert "tệp nêu Đồng Nai, dùng Quảng Trị theo --province" in output
