"""The static site (issue 14): built by a real Dagster run of portal_job from a warehouse
captured from the local portal over HTTP, by ``dvc766 site``, and opened in headless
Debian Chromium through Playwright (numbers on screen against the marts, sorting,
filtering, the A4 print of a province page, screenshots at 1280 and 390 px). The
generator's own rules (missing shown as missing, names escaped, cut-off stated, trends
breaking at gaps and at the 2025 reorganisation) and the webhook are tested without a
browser."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from fake_portal.server import FakePortal
from pipelines.assets.site import NIGHTLY_SCHEDULE, out_portal__site
from pipelines.cli import app
from pipelines.outputs.webhook import post_text
from pipelines.resources import WarehouseResource
from pipelines.runner import materialize_months
from pipelines.settings import Settings
from pipelines.site import charts
from pipelines.site.build import STATE_FILE, build_site, period_pages
from pipelines.site.data import History, PeriodData
from pipelines.site.render import environment, render
from warehouse.periods import Period
from warehouse.publish import published_path

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENS = Path("/work/notes/screens")
TODAY = date(2026, 11, 23)


def _value(text: str) -> float | None:
    """A number as the pages print it (``1.234,5``, ``—`` for missing)."""
    text = text.strip().replace("\u2212", "-")
    if text == "—":
        return None
    return float(text.replace(".", "").replace(",", "."))


def _mart(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """One portal_job run (Phú Thọ, 10 and 11/2026) on a fresh instance: captures, marts,
    publication and the site asset."""
    folder = tmp_path_factory.mktemp("site")
    working = folder / "kho" / "w.duckdb"
    with (
        FakePortal(host="127.0.0.1", port=0, today=TODAY) as portal,
        pytest.MonkeyPatch.context() as env,
    ):
        env.setenv("DVC766_SITE", str(folder / "site"))
        env.setenv("DVC766_TODAY", TODAY.isoformat())
        options = Settings(
            warehouse=str(working),
            raw_store=str(folder / "kho" / "raw"),
            portal_url=portal.url,
            today_override=TODAY,
            request_delay=0.0,
        )
        with dg.DagsterInstance.ephemeral() as instance:
            result = materialize_months(
                "2026-10-01",
                "2026-11-01",
                capture_config={"today": TODAY.isoformat(), "provinces": ["H44"]},
                options=options,
                instance=instance,
            )
    assert result.success
    site = result.asset_materializations_for_node("out_portal__site")
    assert site, "the run did not materialise the site"
    yield {
        "working": working,
        "published": published_path(working),
        "site": folder / "site",
        "metadata": site[-1].metadata,
    }


# --- the build, without a browser ----------------------------------------------------


@pytest.mark.integration
def test_the_run_builds_the_site_and_a_second_build_of_the_same_file_is_skipped(
    built: dict[str, Path],
) -> None:
    site = built["site"]
    assert built["metadata"]["unchanged"].value is False
    for page in (
        "index.html",
        "2026-11/index.html",
        "2026-11/H44/index.html",
        "2026-Q4/index.html",
    ):
        assert (site / page).is_file(), page
    (code,) = _mart(
        built["published"],
        """SELECT unit_code FROM mart.unit_period_scores WHERE unit_level = 'department'
           AND period_type = 'month' AND period_start = DATE '2026-11-01' ORDER BY rank LIMIT 1""",
    )[0]
    assert (site / "2026-11" / "H44" / f"{code}.html").is_file()
    assert (site / "2026-11" / "H44" / f"{code}.json").is_file()  # data beside the page
    province = site / "2026-11" / "H44" / "index.html"
    assert province.stat().st_size + (province.with_suffix(".json")).stat().st_size < 1_000_000
    # the run built its periods: a full build reads them all and rewrites none
    again = build_site(built["published"], site)
    assert again.pages == 0 and set(again.skipped) == {"2026-10", "2026-11", "2026-Q4", "2026"}
    # the same published file again: nothing is even read
    third = build_site(built["published"], site)
    assert third.unchanged and third.pages == 0 and not third.skipped
    # a changed template (the fingerprint) rewrites; an unchanged period's data is kept
    forced = build_site(built["published"], site, force=True)
    assert set(forced.built) == {p.name for p in site.iterdir() if p.is_dir() and p.name[0] == "2"}


@pytest.mark.integration
def test_only_changed_periods_are_rewritten(built: dict[str, Path], tmp_path: Path) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copyfile(built["published"], copy)
    out = tmp_path / "site"
    first = build_site(copy, out)
    assert "2026-10" in first.built and "2026-11" in first.built
    with duckdb.connect(str(copy)) as con:  # a revision of one unit's total in 11/2026
        con.execute(
            """UPDATE mart.unit_period_scores SET total_score = total_score - 1
               WHERE period_type = 'month' AND period_start = DATE '2026-11-01'
                 AND unit_level = 'department' AND rank = 1"""
        )
    second = build_site(copy, out)
    assert not second.unchanged
    assert "2026-11" in second.built and "2026-10" in second.skipped
    state = json.loads((out / STATE_FILE).read_text())
    assert set(state["periods"]) >= {"2026-10", "2026-11"}


@pytest.mark.integration
def test_cli_site_builds_into_the_folder_given(built: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "trang"
    runner = CliRunner()
    args = ["site", "--out", str(out), "--database", str(built["published"])]
    done = runner.invoke(app, [*args, "--period", "2026-10"])
    assert done.exit_code == 0, done.output
    assert "Đã dựng" in done.output and (out / "2026-10" / "H44" / "index.html").is_file()
    assert not (out / "2026-11").exists()  # only the period asked for
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2026-10/index.html" in index and "2026-11/index.html" not in index
    again = runner.invoke(app, [*args, "--period", "2026-10"])
    assert again.exit_code == 0 and "không đổi" in again.output
    bad = runner.invoke(app, [*args, "--period", "2026-13"])
    assert bad.exit_code == 2 and "kỳ không hợp lệ" in bad.output


@pytest.mark.integration
def test_cli_site_as_of_a_cutoff_goes_to_its_own_folder(
    built: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "trang"
    runner = CliRunner()
    base = ["site", "--out", str(out), "--database", str(built["published"])]
    later = runner.invoke(app, [*base, "--period", "2026-10", "--cutoff", "2027-01-05 16:00"])
    assert later.exit_code == 0, later.output
    page = out / "chot-20270105-1600" / "2026-10" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert 'id="cutoff">16h00 ngày 05/01/2027<' in html  # the cut-off asked for, stated
    latest = runner.invoke(app, [*base, "--period", "2026-10"])
    assert latest.exit_code == 0
    rows = (out / "2026-10" / "index.json").read_text(encoding="utf-8")
    as_of = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    assert [p["total_score"] for p in as_of["provinces"]] == [
        p["total_score"] for p in json.loads(rows)["provinces"]
    ]
    # before any capture there were no figures: an empty site saying so, not zeros
    early = runner.invoke(app, [*base, "--cutoff", "2026-01-01 00:00"])
    assert early.exit_code == 0, early.output
    folder = out / "chot-20260101-0000"
    assert not [p for p in folder.iterdir() if p.name.startswith("2026-")]
    assert "chưa có dữ liệu" in (folder / "index.html").read_text(encoding="utf-8")
    bad = runner.invoke(app, [*base, "--cutoff", "hôm qua"])
    assert bad.exit_code == 2 and "thời điểm chốt không hợp lệ" in bad.output


@pytest.mark.integration
def test_a_site_at_a_cutoff_shows_each_period_as_built_alone(
    built: dict[str, Path], tmp_path: Path
) -> None:
    """A site of every period at a cut-off reads each mart's ``_as_of`` macro once and
    then its temp table; each period's pages (their JSON data) are those of the same
    period built alone, which reads the macros themselves."""
    cutoff = datetime(2027, 1, 5, 16, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    every = build_site(built["published"], tmp_path / "every", cutoff=cutoff)
    assert len(every.built) >= 3, every.built  # months, the quarter, the year
    for label in every.built:
        alone = build_site(
            built["published"], tmp_path / label, only=[Period.parse(label)], cutoff=cutoff
        )
        assert alone.built == [label]
        mine = every.out / label
        theirs = alone.out / label
        files = sorted(p.relative_to(mine) for p in mine.rglob("*.json"))
        assert files == sorted(p.relative_to(theirs) for p in theirs.rglob("*.json"))
        assert len(files) > 10
        for name in files:
            assert json.loads((mine / name).read_text(encoding="utf-8")) == json.loads(
                (theirs / name).read_text(encoding="utf-8")
            ), (label, name)


def _fake_period(name: str, total: float | None) -> PeriodData:
    period = Period("month", date(2026, 10, 1))
    unit = {
        "unit_id": "u1",
        "unit_code": "H99",
        "unit_name": name,
        "unit_level": "province",
        "parent_unit_id": None,
        "total_score": total,
        "missing_groups": [] if total is not None else ["MDSH"],
        "band": None if total is None else "Khá",
        "band_code": None,
        "rank": None if total is None else 1,
        "cohort_size": 1,
        "captured_at": "2026-10-20T09:00:00+00:00",
        "is_provisional": None,
        "prev_total_score": None,
        "delta_points": None,
        "delta_pct": None,
        "prev_rank": None,
        "rank_move": None,
        "prev_band": None,
        "band_transition": None,
        "comparable": None,
        "not_comparable_reason": None,
    }
    history = History.__new__(History)
    history._series = {}
    return PeriodData(
        period=period,
        groups=[{"group_code": "CKMB", "name_vi": "Công khai, minh bạch", "max_score": 18.0}],
        bands=[],
        units={"u1": unit},
        group_scores={"u1": {"CKMB": {"group_code": "CKMB", "score": None, "rank": None}}},
        indicators={},
        history=history,
        optional={m: None for m in ("since_yesterday", "points_lost", "peers", "what_it_takes")},
        captured_at=unit["captured_at"],
    )


def _html(data: PeriodData, path: str) -> str:
    env = environment()
    for page, template, context, extra in period_pages(data, data.captured_at):
        if page == path:
            return render(env, template, {**context, **extra, "root": "../", "data_file": "x"})
    raise AssertionError(path)


def test_missing_values_are_shown_as_missing_never_zero() -> None:
    data = _fake_period("UBND tỉnh Thử", None)
    national = _html(data, "index.html")
    assert '<td class="num total" data-v="">—</td>' in national
    assert 'data-group="CKMB" data-v="">—</td>' in national
    province = _html(data, "H99/index.html")
    assert '<span class="big" id="total">—</span>' in province
    assert '<span class="score">—</span>' in province and 'Mất <span class="lost">—' in province
    assert "thiếu MDSH" in province
    for section in ("since-yesterday", "peers", "what-it-takes"):  # marts absent
        start = province.index(f'id="{section}"')
        assert "chưa có dữ liệu" in province[start : start + 300]
    assert ">0<" not in province.replace('data-v="0"', "")


def test_names_are_escaped() -> None:
    html = _html(_fake_period('<script>alert("x")</script> & Co', 71.5), "index.html")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html


def test_every_page_states_the_cutoff_capture_time_and_whether_the_period_is_open() -> None:
    data = _fake_period("UBND tỉnh Thử", 71.5)
    for path in ("index.html", "H99/index.html", "H99/H99.html"):
        html = _html(data, path)
        assert 'id="cutoff">16h00 ngày 20/10/2026<' in html  # 09:00 UTC in Vietnam time
        assert 'id="captured">16h00 ngày 20/10/2026<' in html
        assert "số liệu tạm tính" in html  # captured on 20/10, the month still open


def test_trends_break_at_gaps_and_at_the_2025_reorganisation() -> None:
    months = [date(2025, m, 1) for m in (3, 4, 6, 7, 8)] + [date(2025, 9, 1)]
    values = [60.0, 61.0, 62.0, 63.0, 64.0, None]
    runs = charts.segments(list(zip(months, values, strict=True)), "month")
    # 3-4 joined; 5 missing (gap); 6 alone (the reorganisation before 7); 7-8; 9 no value
    assert [[d.month for d, _ in run] for run in runs] == [[3, 4], [6], [7, 8]]
    svg = charts.line_chart(list(zip(months, values, strict=True)), "month", title="t", y_max=100)
    assert "Sắp xếp 7/2025" in svg and svg.count("<polyline") == 2
    assert "chưa có dữ liệu" in charts.line_chart([(months[0], None)], "month", title="t", y_max=1)


# --- the webhook -----------------------------------------------------------------------


class _Receiver:
    """A chat tool's webhook on 127.0.0.1: records the JSON posted, may answer slowly."""

    def __init__(self, delay_s: float = 0.0, status: int = 200) -> None:
        self.posts: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.posts.append(json.loads(body))
                time.sleep(delay_s)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout): what the slow receiver tests

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_webhook_posts_simple_json_once_and_failures_are_not_fatal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    good, slow, refusing = _Receiver(), _Receiver(delay_s=2.0), _Receiver(status=500)
    try:
        assert post_text(good.url, "Xin chào", timeout_s=5) is True
        assert good.posts == [{"text": "Xin chào"}]
        assert post_text(slow.url, "chậm", timeout_s=0.3) is False
        assert post_text(refusing.url, "lỗi", timeout_s=5) is False
        assert len(slow.posts) == 1 and len(refusing.posts) == 1  # one attempt, no retries
    finally:
        for receiver in (good, slow, refusing):
            receiver.close()
    assert post_text("http://127.0.0.1:9/hook", "không ai nghe", timeout_s=1) is False
    assert "Không gửi được tóm tắt tới webhook" in caplog.text


@pytest.mark.integration
def test_a_nightly_run_posts_the_province_summary_to_the_webhook(
    built: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = _Receiver()
    monkeypatch.setenv("DVC766_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("DVC766_WEBHOOK_PROVINCES", "H44")
    monkeypatch.setenv("DVC766_TODAY", TODAY.isoformat())
    warehouse = WarehouseResource(path=str(built["working"]), raw_store_dir="unused")
    monkeypatch.delenv("DVC766_SITE", raising=False)  # no site: the webhook still posts
    try:
        for tags in ({}, {"dagster/schedule_name": NIGHTLY_SCHEDULE}):
            result = dg.materialize(
                [out_portal__site],
                partition_key="2026-11-01",
                resources={"warehouse": warehouse},
                tags=tags,
            )
            assert result.success
            (done,) = result.asset_materializations_for_node("out_portal__site")
            assert done.metadata["built"].value is False  # DVC766_SITE unset
    finally:
        receiver.close()
    (post,) = receiver.posts  # only after the nightly run
    (total,) = _mart(
        built["published"],
        """SELECT total_score FROM mart.unit_period_scores WHERE unit_code = 'H44'
           AND period_type = 'month' AND period_start = DATE '2026-11-01'""",
    )[0]
    assert post["text"].startswith("Điểm số tháng 11/2026")
    assert f"{total:.2f}".rstrip("0").rstrip(".").replace(".", ",") in post["text"]


# --- in the browser --------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium through Playwright; skips, saying why, when it cannot be
    launched."""
    from playwright.sync_api import Error, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        except Error as exc:
            pytest.skip(f"Chromium cannot be launched: {exc}")
        yield chromium
        chromium.close()


def _screens(page, name: str, tmp_path: Path) -> None:
    """Screenshots at desktop and phone width, under tmp_path and copied for the lead."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        shot = tmp_path / f"{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        try:
            SCREENS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, SCREENS / shot.name)
        except OSError:
            pass
    page.set_viewport_size({"width": 1280, "height": 900})


def _column(page, table: str, css: str) -> list[str]:
    return page.locator(f"#{table} tbody tr:not([hidden]) {css}").all_inner_texts()


@pytest.mark.integration
def test_national_page_numbers_sorting_and_filtering(
    built: dict[str, Path], browser, tmp_path: Path
) -> None:
    marts = dict(
        _mart(
            built["published"],
            """SELECT unit_code, total_score FROM mart.unit_period_scores
               WHERE unit_level = 'province' AND period_type = 'month'
                 AND period_start = DATE '2026-10-01'""",
        )
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((built["site"] / "2026-10" / "index.html").as_uri())
    assert "tháng 10/2026" in page.locator("#period").inner_text()
    assert page.locator("#provisional").inner_text() == "Kỳ đã kết thúc"
    rows = page.locator("#provinces tbody tr")
    assert rows.count() == len(marts) == 34
    on_screen = {
        rows.nth(i).get_attribute("data-unit"): _value(rows.nth(i).locator(".total").inner_text())
        for i in range(rows.count())
    }
    assert on_screen == pytest.approx(marts)
    header = page.locator("#provinces th", has_text="Tổng điểm")
    header.click()
    totals = [_value(t) for t in _column(page, "provinces", ".total")]
    assert totals == sorted(totals) and header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert [_value(t) for t in _column(page, "provinces", ".total")] == sorted(totals, reverse=True)
    page.fill('[data-filter-for="provinces"]', "phu tho")  # without diacritics
    assert page.locator("#provinces tbody tr:not([hidden])").count() == 1
    assert "Phú Thọ" in page.locator("#provinces tbody tr:not([hidden])").inner_text()
    page.fill('[data-filter-for="provinces"]', "")
    band = page.locator("#provinces tbody tr").first.get_attribute("data-band")
    page.select_option('[data-band-for="provinces"]', band)
    visible = page.locator("#provinces tbody tr:not([hidden])")
    expected = sum(
        1
        for (b,) in _mart(
            built["published"],
            """SELECT band FROM mart.unit_period_scores WHERE unit_level = 'province'
               AND period_type = 'month' AND period_start = DATE '2026-10-01'""",
        )
        if b == band
    )
    assert visible.count() == expected
    assert page.locator('[data-count-for="provinces"]').inner_text() == f"Hiển thị {expected}/34"
    page.select_option('[data-band-for="provinces"]', "")
    assert page.locator("#provinces tbody tr:not([hidden])").count() == 34
    _screens(page, "national", tmp_path)


@pytest.mark.integration
def test_province_page_numbers_tables_print_and_phone(
    built: dict[str, Path], browser, tmp_path: Path
) -> None:
    published = built["published"]
    total, band, rank, size, open_ = _mart(
        published,
        """SELECT total_score, band, rank, cohort_size,
                  (captured_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::DATE <= DATE '2026-11-30'
           FROM mart.unit_period_scores
           WHERE unit_code = 'H44' AND period_type = 'month'
             AND period_start = DATE '2026-11-01'""",
    )[0]
    groups = dict(
        _mart(
            published,
            """SELECT g.group_code, g.score FROM mart.group_ranks AS g
               JOIN mart.unit_period_scores AS s USING (unit_id, period_type, period_start)
               WHERE s.unit_code = 'H44' AND g.period_type = 'month'
                 AND g.period_start = DATE '2026-11-01'""",
        )
    )
    departments = _mart(
        published,
        """SELECT s.unit_name, s.rank FROM mart.unit_period_scores AS s
           JOIN mart.unit_period_scores AS p ON p.unit_id = s.parent_unit_id
            AND p.period_type = s.period_type AND p.period_start = s.period_start
           WHERE p.unit_code = 'H44' AND s.unit_level = 'department'
             AND s.period_type = 'month' AND s.period_start = DATE '2026-11-01'""",
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((built["site"] / "2026-11" / "H44" / "index.html").as_uri())
    assert _value(page.locator("#total").inner_text()) == pytest.approx(total)
    assert page.locator("#band").inner_text() == band
    assert page.locator("#rank").inner_text() == str(rank)
    assert f"/{size}" in page.locator("#summary").inner_text()
    # captured (by the clock) after 30/11 the month is closed, else provisional
    stated = page.locator("#provisional").inner_text()
    assert stated == ("Kỳ chưa kết thúc: số liệu tạm tính" if open_ else "Kỳ đã kết thúc")
    assert page.locator("#cutoff").inner_text() != "—"
    for code, score in groups.items():
        card = page.locator(f'#groups .card[data-group="{code}"] .score')
        assert _value(card.inner_text()) == pytest.approx(score)
    assert page.locator("#trend svg.chart").count() >= 1
    for section in ("since-yesterday", "peers", "what-it-takes"):
        assert page.locator(f"#{section}").count() == 1
    assert page.locator("#departments tbody tr").count() == len(departments)
    page.locator("#departments th", has_text="Tổng điểm").click()
    page.locator("#departments th", has_text="Tổng điểm").click()
    totals = [_value(t) for t in _column(page, "departments", ".total")]
    assert totals == sorted(totals, reverse=True)
    page.locator("#departments th", has_text="Hạng").first.click()
    ranks = [int(t) for t in _column(page, "departments", ".rank")]
    assert ranks == sorted(r for _, r in departments)
    first_name = departments[0][0]
    page.fill('[data-filter-for="departments"]', first_name)
    assert first_name in page.locator("#departments tbody tr:not([hidden])").first.inner_text()
    assert page.locator("#departments tbody tr:not([hidden])").count() < len(departments)
    page.fill('[data-filter-for="departments"]', "")
    pdf = page.pdf(format="A4", print_background=True)
    assert _pdf_pages(pdf) == 1  # the print stylesheet fits the province on one A4 page
    page.set_viewport_size({"width": 390, "height": 900})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, f"the page is {width} px wide at 390 px"
    _screens(page, "province", tmp_path)


def _pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF: the /Count of its page tree root."""
    import re

    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages", pdf)]
    return max(counts or [0])


@pytest.mark.integration
def test_unit_page_indicators_against_the_warehouse(
    built: dict[str, Path], browser, tmp_path: Path
) -> None:
    published = built["published"]
    unit_id, code, total = _mart(
        published,
        """SELECT unit_id, unit_code, total_score FROM mart.unit_period_scores
           WHERE unit_level = 'department' AND period_type = 'month'
             AND period_start = DATE '2026-11-01' ORDER BY rank, unit_code LIMIT 1""",
    )[0]
    indicators = {
        metric: (numerator, denominator, score, lost)
        for metric, numerator, denominator, score, lost in _mart(
            published,
            """SELECT m.metric_code, m.numerator, m.denominator, m.score,
                      round(m.max_score - m.score, 2)
               FROM core.metric_values AS m JOIN core.current_group_scores AS g
                 ON g.capture_id = m.capture_id AND g.unit_id = m.unit_id
                AND g.group_code = m.group_code AND g.period_type = m.period_type
                AND g.period_start = m.period_start
               WHERE m.unit_id = ? AND m.period_type = 'month'
                 AND m.period_start = DATE '2026-11-01'""",
            [unit_id],
        )
    }
    assert indicators
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((built["site"] / "2026-11" / "H44" / f"{code}.html").as_uri())
    assert _value(page.locator("#total").inner_text()) == pytest.approx(total)
    rows = page.locator("#indicator-table tbody tr")
    assert rows.count() == len(indicators)
    for i in range(rows.count()):
        row = rows.nth(i)
        numerator, denominator, score, lost = indicators[row.get_attribute("data-indicator")]
        cells = row.locator("td").all_inner_texts()
        assert _value(cells[2]) == (None if numerator is None else pytest.approx(numerator))
        assert _value(cells[3]) == (None if denominator is None else pytest.approx(denominator))
        assert _value(cells[4]) == (None if score is None else pytest.approx(score))
        assert _value(cells[6]) == (None if lost is None else pytest.approx(lost))
    page.locator("#indicator-table th", has_text="Điểm mất").click()
    page.locator("#indicator-table th", has_text="Điểm mất").click()
    lost = [_value(t) for t in _column(page, "indicator-table", ".lost")]
    present = [v for v in lost if v is not None]
    assert present == sorted(present, reverse=True) and lost[: len(present)] == present
    assert page.locator("#rank-history tbody tr").count() == 2  # 10 and 11/2026
    _screens(page, "unit", tmp_path)


def test_why_a_change_is_not_compared_is_said_in_vietnamese() -> None:
    data = _fake_period("UBND tỉnh Thử", 71.5)
    data.units["u1"].update(comparable=False, not_comparable_reason="cohort_changed")
    province = _html(data, "H99/index.html")
    assert "Không so sánh được với kỳ trước (các đơn vị được xếp hạng khác nhau giữa hai kỳ)" in (
        province
    )
    assert "cohort_changed" not in province
