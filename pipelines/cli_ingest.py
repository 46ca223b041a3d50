"""``dvc766 ingest FILE...``: ingest letters, spreadsheets and saved portal pages.

Wire it into the main command with ``app.command()(ingest)`` (pipelines/cli.py). Messages
are Vietnamese. The files are read first (never moved) to learn the months they are
about, then one real Dagster run of ``files_job`` over those months records them (bytes
into the raw store, a capture and a response in the manifest, a quarantine row with the
reason when a file cannot be read) and takes them through the same core checks, marts
and publication as a portal capture. The run, and the command (exit code 1), fail when
a file did not become a complete capture; the others are still loaded and published.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from pipelines.settings import TIMEZONE
from warehouse.reasons import in_vietnamese

if TYPE_CHECKING:
    from pipelines.sources.files.ingest import IngestResult

console = Console(stderr=True, soft_wrap=True)
VIETNAM = ZoneInfo(TIMEZONE)

_OUTCOME = {
    "ingested": "đã nhập",
    "duplicate": "đã nhập trước đó",
    "quarantined": "bị cách ly",
    "skipped": "bỏ qua",
}


def ingest(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Tệp cần nhập: công văn/phụ lục (.txt, .md, .tsv), bảng (.xlsx, .csv), "
            "trang Cổng đã lưu (.html).",
            show_default=False,
        ),
    ],
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="Kỳ của số liệu: 2023-11 | 2023-Q2 | 2023-H1 | 2023. "
            "Mặc định: kỳ tệp nêu (tiêu đề bảng, trích yếu).",
        ),
    ] = None,
    province: Annotated[
        str | None,
        typer.Option(
            "--province",
            help="Tỉnh: mã cơ quan (H50), mã GSO (45), mã đơn vị hoặc tên. "
            "Mặc định: tỉnh tệp nêu (tiêu ngữ, địa danh).",
        ),
    ] = None,
    cutoff: Annotated[
        str | None,
        typer.Option(
            "--cutoff",
            help='Thời điểm chốt số liệu, giờ Việt Nam: "2023-11-28 16:00" hoặc 2023-11-28 '
            "(hết ngày). Mặc định: thời điểm tệp nêu, nếu không thì lúc nhập.",
        ),
    ] = None,
    warehouse: Annotated[
        str | None,
        typer.Option(
            "--warehouse",
            help="Tệp DuckDB (mặc định DVC766_WAREHOUSE hoặc warehouse/dvc766.duckdb).",
        ),
    ] = None,
) -> None:
    """Nhập tệp số liệu (công văn, bảng Excel/CSV, trang Cổng đã lưu) vào kho, qua một lần
    chạy Dagster thật: kiểm tra, tính lại mart và công bố như số liệu thu thập từ Cổng."""
    from pipelines.assets.files import plan_files
    from pipelines.cli import _capture_outcome, _report_run
    from pipelines.runner import ingest_files
    from pipelines.settings import Settings
    from pipelines.sources.files.ingest import IngestOptions, run_file_results
    from warehouse.connection import connect
    from warehouse.derive import to_cutoff
    from warehouse.periods import Period
    from warehouse.publish import published_path

    if period:
        try:
            Period.parse(period)
        except ValueError as exc:
            raise typer.BadParameter(
                f"kỳ không hợp lệ: {period} (ví dụ 2023-11, 2023-Q2, 2023-H1, 2023)",
                param_hint="--period",
            ) from exc
    if cutoff:
        try:
            to_cutoff(cutoff)
        except ValueError as exc:
            raise typer.BadParameter(
                f'thời điểm không hợp lệ: {cutoff} (ví dụ "2023-11-28 16:00")',
                param_hint="--cutoff",
            ) from exc
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise typer.BadParameter(f"không tìm thấy tệp: {', '.join(missing)}", param_hint="FILE")
    options = Settings.load(warehouse=warehouse)
    # An unusable warehouse folder is the user's to fix: one line (pipelines.cli.main),
    # before any run starts.
    Path(options.warehouse).resolve().parent.mkdir(parents=True, exist_ok=True)
    plan = plan_files(files, IngestOptions(period=period, province=province, cutoff=cutoff))
    first, last = plan.partition_range
    console.print(f"Nhập {len(files)} tệp (tháng {first[:7]} → {last[:7]}) …", highlight=False)
    result = ingest_files(plan, options=options)
    if Path(options.warehouse).is_file():
        with connect(options.warehouse) as con:
            for file_result in run_file_results(con, result.run_id):
                _report(file_result)
    if result.is_node_success("published_warehouse"):
        console.print(
            f"Đã tính lại các bảng mart và công bố: {published_path(options.warehouse)}",
            highlight=False,
        )
    keys = plan.partition_keys or [first]
    _report_run(result, f"Nhập {len(files)} tệp", _capture_outcome(result.run_id, keys, options))


def _report(result: IngestResult) -> None:
    """What became of one file, in Vietnamese."""
    mark = {"ingested": "[green]✓[/green]", "duplicate": "[yellow]=[/yellow]"}.get(
        result.outcome, "[red]✗[/red]"
    )
    console.print(f"{mark} {result.file_name}: {_OUTCOME[result.outcome]}", highlight=False)
    if result.outcome in ("quarantined", "skipped"):
        console.print(f"  Lý do: {in_vietnamese(result.reason or '')}", highlight=False)
        if result.detail:
            console.print(f"  Chi tiết: {result.detail}", highlight=False)
        return
    if result.outcome == "duplicate":
        console.print(f"  Cùng nội dung đã có trong kho (capture {result.capture_id}).")
        return
    cutoff_note = {
        "option": "theo --cutoff",
        "file:minute": "theo tệp",
        "file:day": "theo tệp, hết ngày",
        "file:month": "theo ngày của bản tin, hết tháng",
        "ingested_at": "không nêu: dùng lúc nhập",
    }.get(result.cutoff_source or "", "")
    console.print(
        f"  Nguồn {result.source} ({result.format}), kỳ {result.period.label}, "
        f"{result.root_name or result.root_unit_id}, chốt số liệu "
        f"{result.captured_at.astimezone(VIETNAM):%Y-%m-%d %H:%M %z} ({cutoff_note}).",
        highlight=False,
    )
    rows = result.rows
    console.print(
        f"  {result.units} đơn vị; {rows.get('group_scores', 0)} điểm nhóm, "
        f"{rows.get('metric_values', 0)} tỷ lệ, {rows.get('reported_totals', 0)} tổng điểm, "
        f"{rows.get('reported_band_counts', 0)} số đơn vị theo xếp loại.",
        highlight=False,
    )
    matches = result.matches
    if matches is not None and (matches.matched or matches.ambiguous or matches.unmatched):
        console.print(
            f"  Khớp đơn vị: {matches.matched} khớp, {matches.ambiguous} nhiều khả năng, "
            f"{matches.unmatched} không khớp"
            + (" (xem core.unit_match_review)." if matches.ambiguous or matches.unmatched else "."),
            highlight=False,
        )
    for warning in result.warnings:
        console.print(f"  [yellow]Lưu ý:[/yellow] {warning}", highlight=False)
