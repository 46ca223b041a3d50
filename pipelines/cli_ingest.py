"""``dvc766 ingest FILE...``: ingest letters, spreadsheets and saved portal pages.

Wire it into the main command with ``app.command()(ingest)`` (pipelines/cli.py). Messages
are Vietnamese. Each file is ingested in place (never moved): bytes into the raw store,
a capture and a response in the manifest, a quarantine row with the reason when it cannot
be read, core rows with matched units, then the marts are rebuilt.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipelines import settings

console = Console(stderr=True, soft_wrap=True)

_OUTCOME = {"ingested": "đã nhập", "duplicate": "đã nhập trước đó", "quarantined": "bị cách ly"}


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
    rebuild_marts: Annotated[
        bool,
        typer.Option(
            "--rebuild-marts/--no-rebuild-marts",
            help="Tính lại các bảng mart sau khi nhập (mặc định: có).",
        ),
    ] = True,
) -> None:
    """Nhập tệp số liệu (công văn, bảng Excel/CSV, trang Cổng đã lưu) vào kho."""
    from pipelines.sources.files.ingest import IngestOptions, ingest_path
    from warehouse.connection import connect
    from warehouse.derive import rebuild_marts as rebuild
    from warehouse.derive import to_cutoff
    from warehouse.periods import Period
    from warehouse.raw_store import RawStore

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
    if warehouse:
        os.environ["DVC766_WAREHOUSE"] = warehouse
        os.environ.setdefault("DVC766_RAW_STORE", str(Path(warehouse).resolve().parent / "raw"))
    options = IngestOptions(period=period, province=province, cutoff=cutoff)
    run_id = f"cli-ingest-{uuid.uuid4().hex[:12]}"
    failed = 0
    with connect(settings.warehouse_path()) as con:
        store = RawStore(settings.raw_store_path())
        ingested = 0
        for path in files:
            result = ingest_path(con, store, path, options, run_id=run_id)
            _report(result)
            failed += result.outcome == "quarantined"
            ingested += result.outcome == "ingested"
        if ingested and rebuild_marts:
            rebuild(con)
            console.print("Đã tính lại các bảng mart.")
    if failed:
        raise typer.Exit(code=1)


def _report(result) -> None:
    mark = {"ingested": "[green]✓[/green]", "duplicate": "[yellow]=[/yellow]"}.get(
        result.outcome, "[red]✗[/red]"
    )
    console.print(f"{mark} {result.file_name}: {_OUTCOME[result.outcome]}", highlight=False)
    if result.outcome == "quarantined":
        console.print(f"  Lý do: {result.reason}", highlight=False)
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
        "ingested_at": "không nêu: dùng lúc nhập",
    }.get(result.cutoff_source or "", "")
    console.print(
        f"  Nguồn {result.source} ({result.format}), kỳ {result.period.label}, "
        f"{result.root_name or result.root_unit_id}, chốt số liệu "
        f"{result.captured_at:%Y-%m-%d %H:%M %z} ({cutoff_note}).",
        highlight=False,
    )
    rows = result.rows
    console.print(
        f"  {result.units} đơn vị; {rows.get('group_scores', 0)} điểm nhóm, "
        f"{rows.get('metric_values', 0)} tỷ lệ, {rows.get('reported_totals', 0)} tổng điểm.",
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
