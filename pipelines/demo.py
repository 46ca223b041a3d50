"""The end-to-end demo: a local portal with generated national data served over real
HTTP on 127.0.0.1, the last three months captured through Dagster, then a backfill of
the six months before them, then a summary of the warehouse."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipelines.runner import local_instance, materialize_months
from pipelines.settings import Settings
from warehouse.connection import connect
from warehouse.periods import Period
from warehouse.publish import published_path

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


def run_demo(console: Console, options: Settings | None = None) -> None:
    """Run the demo with ``options`` (default: the environment's) and print where
    everything is."""
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
                capture_config={"today": today.isoformat()},
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
