"""The end-to-end demo: a local portal with generated national data served over real
HTTP on 127.0.0.1; two earlier nightly captures replayed at their simulated times (the
23rd two months back and the 5th of last month, 04:00 Vietnam time), so the warehouse
answers questions "as of" a past cut-off and holds revised values; then the last three
months captured through Dagster, a backfill of the six months before them, and a summary
of the warehouse."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from datetime import time as day_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from pipelines.capturing import capture_period
from pipelines.partitions import month_of_key
from pipelines.resources import default_resources
from pipelines.runner import local_instance, materialize_months
from pipelines.schedules import nightly_month_range
from pipelines.settings import TIMEZONE, Settings
from pipelines.sources.portal.client import PortalClient
from warehouse.connection import connect
from warehouse.periods import Period, periods_for_month
from warehouse.publish import published_path
from warehouse.records import Reply

EARLIER_NIGHTS = ((2, 23), (1, 5))
"""The earlier nightly captures the demo replays, as (months back, day of that month),
each at :data:`NIGHT_HOUR` Vietnam time: run on 6/12/2026 they are the nights of
23/10/2026 (October still open) and 5/11/2026 (October closed, September not yet
revised), the cut-offs of the README's as-of examples."""
NIGHT_HOUR = 4

_SUMMARY_TABLES = (
    "raw.captures",
    "raw.responses",
    "raw.quarantine",
    "core.units",
    "core.group_scores",
    "core.metric_values",
    "core.group_parameters",
    "core.reported_totals",
)


def _month_back(period: Period, months: int) -> Period:
    for _ in range(months):
        period = period.previous()
    return period


_STATUS_VI = {"complete": "đầy đủ", "incomplete": "chưa đầy đủ"}
_LEVEL_VI = {
    "province": "tỉnh",
    "department": "sở, ban, ngành",
    "district": "huyện",
    "commune": "xã",
    "ministry": "bộ",
}


def earlier_nights(today: date) -> list[datetime]:
    """The capture times of the earlier nights the demo replays before ``today``
    (:data:`EARLIER_NIGHTS`), oldest first."""
    month = Period("month", today.replace(day=1))
    nights = []
    for months_back, day in EARLIER_NIGHTS:
        start = _month_back(month, months_back).start
        moment = datetime.combine(start.replace(day=day), day_time(NIGHT_HOUR))
        nights.append(moment.replace(tzinfo=ZoneInfo(TIMEZONE)))
    return sorted(nights)


class _DatedClient:
    """The portal client over real HTTP whose replies are dated at a simulated capture
    time: what the nightly run of that night would have received (the local portal's
    clock is set to that day)."""

    def __init__(self, client: PortalClient, at: datetime) -> None:
        self.client = client
        self.at = at.astimezone(UTC)

    @property
    def attempts(self) -> list:
        """The HTTP attempts made (recorded with their real times)."""
        return self.client.attempts

    def post_json(self, path: str, body: dict[str, Any]) -> Reply:
        """The real client's reply, received at the simulated time."""
        return replace(self.client.post_json(path, body), received_at=self.at)


def replay_night(
    portal_url: str, options: Settings, at: datetime, provinces: Sequence[str] = ()
) -> int:
    """Capture what the nightly run captures (``nightly_month_range``, the periods of
    each month) from the local portal at ``portal_url``, whose clock the caller set to
    ``at``'s day, with every reply dated ``at``. Returns the number of captures."""
    resources = default_resources(replace(options, portal_url=portal_url))
    warehouse = resources["warehouse"]
    night = at.date()
    first, last = (month_of_key(key) for key in nightly_month_range(night))
    captures = 0
    with resources["portal"].client() as client:
        dated = _DatedClient(client, at)
        month = Period("month", first)
        while month.start <= last:
            for period in periods_for_month(month.start, night):
                summary = capture_period(
                    dated,  # type: ignore[arg-type]  # a PortalClient, dated
                    warehouse,
                    period,
                    provinces=provinces,
                    partition_month=month.start,
                    run_id=None,
                    today=night,
                )
                captures += len(summary.records)
            month = month.next()
    return captures


def run_demo(
    console: Console, options: Settings | None = None, *, provinces: Sequence[str] = ()
) -> None:
    """Run the demo with ``options`` (default: the environment's) and print where
    everything is. ``provinces`` (codes) limits every capture to them (default: all)."""
    from fake_portal.server import FakePortal

    options = options or Settings.load()
    today = options.today()
    current = Period("month", today.replace(day=1))
    recent_first = _month_back(current, 2)
    backfill_last = _month_back(current, 3)
    backfill_first = _month_back(current, 8)
    instance = local_instance()
    started = time.monotonic()
    with FakePortal(host="127.0.0.1", port=0, today=today) as portal:
        on_portal = replace(
            options,
            portal_url=portal.url,
            request_delay=float(os.environ.get("DVC766_REQUEST_DELAY", "0")),
        )
        console.print(f"Cổng giả lập đang chạy tại {portal.url} (hôm nay: {today.isoformat()})")
        for night in earlier_nights(today):
            console.print(
                f"[bold]Phát lại lần thu thập đêm {night:%d/%m/%Y %H:%M}[/bold] "
                "(giờ thu thập mô phỏng, Cổng giả lập ở ngày đó)"
            )
            t0 = time.monotonic()
            portal.today = night.date()
            count = replay_night(portal.url, on_portal, night, provinces)
            console.print(
                f"[green]✓[/green] {count} lần thu thập trong {time.monotonic() - t0:.0f} s"
            )
        portal.today = today
        steps = [
            (f"Thu thập 3 tháng gần nhất {recent_first} → {current}", recent_first, current),
            (
                f"Thu thập lại 6 tháng {backfill_first} → {backfill_last}",
                backfill_first,
                backfill_last,
            ),
        ]
        for title, first, last in steps:
            console.print(f"[bold]{title}[/bold]")
            t0 = time.monotonic()
            result = materialize_months(
                first.start.isoformat(),
                last.start.isoformat(),
                capture_config={"today": today.isoformat(), "provinces": list(provinces)},
                options=on_portal,
                instance=instance,
            )
            if not result.success:
                console.print(f"[red]✗ {title}: thất bại (run {result.run_id}).[/red]")
                raise SystemExit(1)
            console.print(
                f"[green]✓[/green] xong trong {time.monotonic() - t0:.0f} s "
                f"(run {result.run_id[:8]})"
            )
    _print_summary(console, time.monotonic() - started, options)
    _build_site(console, options, _month_back(current, 1))
    _print_as_of_examples(console, today)


def _build_site(console: Console, options: Settings, month: Period) -> None:
    """The static site of the last closed month (national, province and unit pages),
    beside the warehouse; every period with ``dvc766 site``."""
    from pipelines.site.build import build_site

    path = published_path(Path(options.warehouse).resolve())
    site = path.parent.parent / "site"
    result = build_site(path, site, only=[month])
    console.print(
        f"[green]✓[/green] Trang web tĩnh {month.label}: {result.pages} trang, mở "
        f"{site / 'index.html'} (hoặc python3 -m http.server -d {site} -b 127.0.0.1); "
        "mọi kỳ: ./scripts/dvc766 site --out site/",
        soft_wrap=True,
        highlight=False,
    )


def _print_summary(console: Console, elapsed: float, options: Settings) -> None:
    path = Path(options.warehouse).resolve()
    with connect(path) as con:
        counts = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for t in _SUMMARY_TABLES
        }
        captures = con.execute(
            "SELECT status, count(*) FROM raw.captures GROUP BY ALL ORDER BY 1"
        ).fetchall()
        levels = con.execute(
            "SELECT unit_level, count(*) FROM core.units GROUP BY ALL ORDER BY 2 DESC"
        ).fetchall()
        mart_tables = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'mart' ORDER BY 1"
            ).fetchall()
        ]
        mart_counts = {
            t: con.execute(f"SELECT count(*) FROM mart.{t}").fetchone()[0]  # noqa: S608
            for t in mart_tables
        }
    table = Table(title=f"Kho dữ liệu sau {elapsed:.0f} s", show_lines=False)
    table.add_column("Bảng")
    table.add_column("Số dòng", justify="right")
    for name, count in {**counts, **{f"mart.{k}": v for k, v in mart_counts.items()}}.items():
        table.add_row(name, f"{count:,}".replace(",", "."))
    console.print(table)
    console.print("Lần thu thập: " + ", ".join(f"{_STATUS_VI.get(s, s)} {n}" for s, n in captures))
    console.print("Đơn vị: " + ", ".join(f"{_LEVEL_VI.get(lv, lv)} {n}" for lv, n in levels))
    console.print(f"Kho DuckDB (tệp làm việc của pipeline): {path}")
    console.print(f"Bản công bố chỉ đọc cho người phân tích: {published_path(path)}")
    console.print(f"Kho thô (bất biến, theo sha256): {Path(options.raw_store).resolve()}")
    console.print(
        "Mở giao diện Dagster: "
        f"DAGSTER_HOME={os.environ['DAGSTER_HOME']} {os.environ.get('UV', 'uv')} run "
        "dagster dev -m pipelines.definitions -h 127.0.0.1"
        " (và chạy `./scripts/dvc766 fake-portal` với "
        "DVC766_PORTAL_URL=http://127.0.0.1:8766 để chạy lại trên Cổng giả lập)"
    )


def _print_as_of_examples(console: Console, today: date) -> None:
    """The as-of questions this warehouse answers: the cut-offs of its replayed nights."""
    first, second = earlier_nights(today)
    month = _month_back(Period("month", today.replace(day=1)), 2)
    console.print(  # an example for the user to type, not SQL run here
        f"Hỏi theo thời điểm chốt (các đêm đã phát lại): ./scripts/dvc766 report --province H44 "  # noqa: S608
        f'--period {month.label} --cutoff "{second:%Y-%m-%d} 16:00" --out bao-cao.xlsx; '
        f'./scripts/dvc766 query "SELECT * FROM mart.score_changes_as_of(TIMESTAMPTZ '
        f"'{first:%Y-%m-%d} 16:00:00+07') LIMIT 5\"",
        soft_wrap=True,
        highlight=False,
    )
