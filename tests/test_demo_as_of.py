"""The demo's warehouse answers the README's as-of examples (issue 11): the demo replays two
earlier nightly captures at their simulated times before its Dagster runs, so a cut-off
in the past has data. The demo's own code path runs here at small scale (one province,
"today" 6/12/2026, the day the README's examples were written), then the README's
``*_as_of(TIMESTAMPTZ …)`` queries and its ``report --cutoff`` command are run as written."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
import pytest
from rich.console import Console
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.demo import earlier_nights, run_demo
from pipelines.outputs.letter_data import TOP_BOTTOM_N, UNIT_COLUMNS, load_letter_data
from pipelines.settings import Settings
from warehouse.periods import Period
from warehouse.publish import published_path

pytestmark = pytest.mark.integration
PROJECT_ROOT = Path(__file__).resolve().parent.parent
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEMO_DAY = "2026-12-06"


def _readme_as_of_queries() -> list[str]:
    return re.findall(r"^SELECT .*_as_of\(TIMESTAMPTZ '[^']+'\);$", README, re.MULTILINE)


def _readme_report() -> list[str]:
    found = re.search(r'dvc766 report (--province \S+ --period \S+ --cutoff "[^"]+")', README)
    assert found, "the README has no report --cutoff example"
    return re.findall(r'"[^"]+"|\S+', found.group(1))


def test_the_nights_are_the_readme_cutoffs_days() -> None:
    nights = earlier_nights(datetime.fromisoformat(DEMO_DAY).date())
    assert nights == [
        datetime(2026, 10, 23, 4, tzinfo=VN),
        datetime(2026, 11, 5, 4, tzinfo=VN),
    ]


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's code path for H44 only; returns the published file."""
    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        env.setenv("DVC766_REQUEST_DELAY", "0")
        env.delenv("DVC766_RAW_STORE", raising=False)
        options = Settings.load(warehouse=str(root / "dvc766.duckdb"), today=DEMO_DAY)
        out = io.StringIO()
        run_demo(Console(file=out, width=200), options, provinces=("H44",))
    assert "Phát lại lần thu thập đêm 23/10/2026 04:00" in out.getvalue()
    assert '--cutoff "2026-11-05 16:00"' in out.getvalue()  # the examples it answers
    # the demo builds the static site of the last closed month beside the warehouse
    site = root / "site"
    assert str(site / "index.html") in out.getvalue().replace("\n", "")
    province_page = site / "2026-11" / "H44" / "index.html"
    assert province_page.is_file() and "Phú Thọ" in province_page.read_text(encoding="utf-8")
    return published_path(options.warehouse)


def test_the_readme_as_of_queries_return_rows(demo_warehouse: Path) -> None:
    queries = _readme_as_of_queries()
    assert queries, "the README has no *_as_of example"
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        for sql in queries:
            assert con.execute(sql.rstrip(";")).fetchall(), sql
            cutoff = re.search(r"TIMESTAMPTZ '([^']+)'", sql).group(1)
            # H44's departments in October, as the README's first query asks, at that cut-off
            rows = con.execute(
                """SELECT count(*), bool_and(is_provisional) FROM mart.score_changes_as_of(?)
                   WHERE unit_level = 'department' AND period_type = 'month'
                     AND period_start = DATE '2026-10-01'""",
                [datetime.fromisoformat(cutoff)],
            ).fetchall()
            assert rows[0][0] > 0, cutoff
            assert rows[0][1] is True  # on 23/10 October was still open
        captured = con.execute(
            "SELECT count(DISTINCT captured_at::DATE) FROM raw.captures"
        ).fetchone()[0]
        assert captured >= 3  # the two nights and the day the demo ran


def test_the_readme_report_with_cutoff_has_data(demo_warehouse: Path, tmp_path: Path) -> None:
    args = [a.strip('"') for a in _readme_report()]
    out = tmp_path / "bao-cao.xlsx"
    result = CliRunner().invoke(
        app, ["report", *args, "--out", str(out), "--database", str(demo_warehouse)]
    )
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.with_suffix(".txt").is_file()
    text = out.with_suffix(".txt").read_text(encoding="utf-8")
    assert text.startswith("Điểm số tháng 10/2026 của UBND tỉnh Phú Thọ đạt "), text
    assert "tạm tính" not in text  # closed when the 5/11 night captured it


# What a letter showed when it read the ``*_as_of(cutoff)`` macros over every period and
# filtered them: the reference the letter's period-scoped reads are compared with.
_REFERENCE_UNITS = f"""
SELECT {UNIT_COLUMNS}
FROM mart.unit_period_scores_as_of(?::TIMESTAMPTZ) AS s
LEFT JOIN mart.score_changes_as_of(?::TIMESTAMPTZ) AS c
  USING (unit_id, period_type, period_start)
WHERE s.period_type = ? AND s.period_start = ? AND (s.unit_id = ? OR s.parent_unit_id = ?)
"""
_REFERENCE_SCOPED = {
    "band_counts": """SELECT unit_level, band, unit_count, cohort_size, share_pct
        FROM mart.band_counts_as_of(?::TIMESTAMPTZ)
        WHERE period_type = ? AND period_start = ? AND parent_unit_id = ?""",
    "band_table": """SELECT * FROM mart.band_count_table_as_of(?::TIMESTAMPTZ)
        WHERE period_type = ? AND period_start = ? AND parent_unit_id = ?""",
    "top_bottom": f"""SELECT position, unit_level, unit_id, unit_code, unit_name, total_score,
               band, rank, rank_from_bottom, cohort_size
        FROM mart.top_bottom_as_of({TOP_BOTTOM_N}, ?::TIMESTAMPTZ)
        WHERE period_type = ? AND period_start = ? AND parent_unit_id = ?""",
}


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def test_a_letter_reads_what_the_as_of_macros_give(demo_warehouse: Path) -> None:
    """A letter derives its scores for its own periods only (the period and the one before
    it): every figure equals what the ``*_as_of`` macros give over the whole history, at
    cut-offs before, between and after the demo's nights, for months, a quarter and the
    year, and the changes against the period before are there."""
    nights = earlier_nights(datetime.fromisoformat(DEMO_DAY).date())
    cutoffs = [nights[0].replace(hour=3), nights[0].replace(hour=16), nights[1].replace(hour=16)]
    cutoffs.append(datetime(2026, 12, 31, tzinfo=VN))
    periods = ["2026-09", "2026-10", "2026-11", "2026-Q3", "2026-Q4", "2026"]
    compared = changes = 0
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        [(province_id,)] = con.execute(
            "SELECT unit_id FROM core.units WHERE unit_code = 'H44' AND unit_level = 'province'"
        ).fetchall()
        for cutoff in cutoffs:
            for label in periods:
                period = Period.parse(label)
                where = [period.period_type, period.start, province_id]
                units = pl.from_arrow(
                    con.sql(
                        _REFERENCE_UNITS, params=[cutoff, cutoff, *where, province_id]
                    ).to_arrow_table()
                )
                if units.filter(pl.col("unit_id") == province_id).is_empty():
                    continue  # no data for the period at that cut-off: nothing to compare
                data = load_letter_data(con, "H44", period, cutoff)
                own = units.filter(pl.col("unit_id") == province_id)
                assert data.province == own.row(0, named=True), (label, cutoff)
                letter_levels = {"department": data.departments, data.local_level: data.local_units}
                for level, frame in letter_levels.items():
                    expected = units.filter(pl.col("unit_level") == level)
                    assert not expected.is_empty()
                    assert _sorted(frame).equals(_sorted(expected)), (level, label, cutoff)
                for name, sql in _REFERENCE_SCOPED.items():
                    expected = pl.from_arrow(con.sql(sql, params=[cutoff, *where]).to_arrow_table())
                    assert _sorted(getattr(data, name)).equals(_sorted(expected)), (name, label)
                [(sources,)] = con.execute(
                    """SELECT coalesce(list(DISTINCT source_id ORDER BY source_id), [])
                       FROM mart.group_values_as_of(?::TIMESTAMPTZ)
                       WHERE period_type = ? AND period_start = ?
                         AND (unit_id = ? OR parent_unit_id = ?)""",
                    [cutoff, *where, province_id],
                ).fetchall()
                assert list(data.sources) == sources
                compared += 1
                changes += units["prev_total_score"].is_not_null().sum()
    assert compared >= 10  # the comparisons ran, over several cut-offs and periods
    assert changes > 0  # and some of them compare with a previous period
