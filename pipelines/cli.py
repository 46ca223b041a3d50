"""The ``dvc766`` command line. User-facing text is Vietnamese; code is English."""

from __future__ import annotations

import logging
import os
import warnings
from contextlib import ExitStack, contextmanager
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from pipelines import settings

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    import duckdb
    import polars as pl

# Dagster's notices about beta parameters are for developers, not for the CLI's users.
warnings.filterwarnings("ignore", message=r".*is currently in (beta|preview).*")

app = typer.Typer(
    help="dvc766: thu thập và lưu trữ Bộ chỉ số 766 (Cổng Dịch vụ công quốc gia) vào DuckDB.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

PortalUrl = Annotated[
    str | None,
    typer.Option("--portal-url", help="Địa chỉ Cổng (mặc định DVC766_PORTAL_URL)."),
]
Warehouse = Annotated[
    str | None,
    typer.Option(
        "--warehouse", help="Tệp DuckDB (mặc định DVC766_WAREHOUSE hoặc warehouse/dvc766.duckdb)."
    ),
]
Today = Annotated[
    str | None,
    typer.Option("--today", help="Ngày coi là hôm nay (YYYY-MM-DD), để chạy lại quá khứ."),
]


class Source(StrEnum):
    """Which of the portal's APIs to capture from."""

    current = "current"
    legacy = "legacy"


SourceOption = Annotated[
    Source,
    typer.Option(
        "--source",
        help="Nguồn: current (API hiện hành) hoặc legacy (API cũ /jsp/rest.jsp: "
        "lịch sử từ 08/2022, kỳ nửa năm, cấp huyện đến 30/6/2025).",
        case_sensitive=False,
    ),
]
_SOURCE_NAME = {Source.current: "API hiện hành", Source.legacy: "API cũ"}


def _apply_options(
    portal_url: str | None, warehouse: str | None, today: str | None
) -> settings.Settings:
    """The command's settings: its options override the environment (``DVC766_*``),
    which overrides the defaults. They are passed to the run the command starts; nothing
    is written back to the environment."""
    if today:
        try:
            date.fromisoformat(today)
        except ValueError as exc:
            raise typer.BadParameter(
                f"ngày không hợp lệ: {today} (YYYY-MM-DD, ví dụ 2026-11-23)", param_hint="--today"
            ) from exc
    return settings.Settings.load(warehouse=warehouse, portal_url=portal_url, today=today)


def _progress_logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("pipelines.capturing").setLevel(logging.INFO)


def _report_run(result, what: str, outcome: tuple[bool, list[str]] | None = None) -> None:
    """Print the run's verdict and, for a capture run, its ``outcome`` (whether every
    capture is complete, and the summary lines); then the error of each failed step.
    Exit 1 unless the run succeeded and every capture is complete."""
    from rich.markup import escape

    complete, lines = outcome if outcome is not None else (True, [])
    if result.success and complete:
        console.print(f"[green]✓[/green] {what}: hoàn tất (run {result.run_id[:8]}).")
        for line in lines:
            console.print(escape(line), soft_wrap=True, highlight=False)
        return
    console.print(f"[red]✗[/red] {what}: thất bại (run {result.run_id[:8]}).")
    for line in lines:
        console.print(escape(line), soft_wrap=True, highlight=False)

    from pipelines.assets.outcome import OUTCOME_KEY
    from pipelines.cli_errors import failure_line

    printed: set[str] = set()
    for event in result.all_events:
        if event.is_failure and event.event_specific_data is not None:
            error = getattr(event.event_specific_data, "error", None)
            line = failure_line(error) if error is not None else None
            if lines and line and event.step_key == OUTCOME_KEY:
                printed.add(line)  # the outcome's failure is the summary printed above
            elif line and line not in printed:  # a step's error comes again with the run's
                printed.add(line)
                console.print(f"  {escape(line)}", soft_wrap=True, highlight=False)
    raise typer.Exit(code=1)


@app.command()
def capture(
    period: Annotated[
        str,
        typer.Option("--period", help="Kỳ: 2026-08 | 2026-Q3 | 2023-H1 (API cũ) | 2026."),
    ],
    province: Annotated[
        list[str] | None,
        typer.Option(
            "--province",
            help="Mã (H44) hoặc UUID tỉnh; lặp lại được. Mặc định: "
            "mọi tỉnh trong bảng xếp hạng quốc gia.",
        ),
    ] = None,
    portal_url: PortalUrl = None,
    warehouse: Warehouse = None,
    today: Today = None,
    source: SourceOption = Source.current,
) -> None:
    """Thu thập một kỳ (tháng, quý, nửa năm hoặc năm) qua một lần chạy Dagster thật."""
    from pipelines.cli_args import (
        capture_provinces,
        check_index_covers,
        check_started,
        period_arg,
        usage_error,
    )
    from pipelines.cli_progress import capture_progress
    from pipelines.runner import anchor_month, materialize_months

    options = _apply_options(portal_url, warehouse, today)
    _progress_logging()
    parsed = period_arg(period)
    if parsed.period_type == "half" and source is not Source.legacy:
        usage_error(f"kỳ nửa năm {parsed.label} chỉ có ở API cũ: thêm --source legacy")
    now = options.today()
    check_index_covers(parsed, "--period")
    check_started(parsed, now, "--period")
    provinces = capture_provinces(
        province or [], legacy=source is Source.legacy, warehouse=options.warehouse
    )
    key = anchor_month(parsed, now)
    console.print(f"Thu thập kỳ {parsed.label} từ {options.portal_url} ({_SOURCE_NAME[source]}) …")
    with capture_progress(console, periods=1, provinces=len(provinces) or None):
        result = materialize_months(
            key,
            key,
            capture_config={
                "periods": [parsed.label],
                "provinces": provinces,
                "today": now.isoformat(),
                "source": source.value,
            },
            options=options,
        )
    _report_run(
        result, f"Thu thập kỳ {parsed.label}", _capture_outcome(result.run_id, [key], options)
    )


@app.command()
def backfill(
    from_month: Annotated[str, typer.Option("--from", help="Tháng đầu (YYYY-MM).")],
    to_month: Annotated[str, typer.Option("--to", help="Tháng cuối (YYYY-MM).")],
    portal_url: PortalUrl = None,
    warehouse: Warehouse = None,
    today: Today = None,
    source: SourceOption = Source.current,
) -> None:
    """Thu thập lại các tháng trong khoảng, trong một lần chạy Dagster."""
    from pipelines.cli_args import backfill_months, periods_of_months
    from pipelines.cli_progress import capture_progress
    from pipelines.runner import materialize_months, month_keys_between

    options = _apply_options(portal_url, warehouse, today)
    _progress_logging()
    now = options.today()
    months = backfill_months(from_month, to_month, now)
    keys = month_keys_between(months[0].label, months[-1].label)
    console.print(
        f"Thu thập lại {len(keys)} tháng {from_month} → {to_month} ({_SOURCE_NAME[source]}) …"
    )
    periods = periods_of_months(months, now, legacy=source is Source.legacy)
    with capture_progress(console, periods=periods):
        result = materialize_months(
            keys[0],
            keys[-1],
            capture_config={"today": now.isoformat(), "source": source.value},
            options=options,
        )
    _report_run(
        result,
        f"Thu thập lại {from_month} → {to_month}",
        _capture_outcome(result.run_id, keys, options),
    )


def _capture_outcome(
    run_id: str, keys: Sequence[str], options: settings.Settings
) -> tuple[bool, list[str]] | None:
    """Whether every capture of run ``run_id`` is complete and in core, and the run's
    summary in Vietnamese (``warehouse.outcome``), read from the working file; None when
    the file cannot be read (the run's own status then decides)."""
    from pathlib import Path

    import duckdb

    from pipelines.sources.registry import SOURCES
    from warehouse.connection import WarehouseLockTimeout, connect
    from warehouse.outcome import read_run_outcome, summary_lines

    path = Path(options.warehouse)
    if not path.is_file():
        return None
    months = [date.fromisoformat(key) for key in keys]
    try:
        with connect(path) as con:
            outcome = read_run_outcome(con, run_id, months, SOURCES)
    except (OSError, duckdb.Error, WarehouseLockTimeout):
        return None
    return outcome.ok, summary_lines(outcome)


@app.command()
def rebuild(
    from_month: Annotated[
        str | None, typer.Option("--from", help="Tháng đầu (YYYY-MM); mặc định: tất cả.")
    ] = None,
    to_month: Annotated[str | None, typer.Option("--to", help="Tháng cuối (YYYY-MM).")] = None,
    warehouse: Warehouse = None,
) -> None:
    """Chuẩn hóa lại core từ kho thô (kiểm tra sha256 từng tệp), tính lại mart và công bố."""
    from datetime import UTC, datetime

    import duckdb

    from pipelines.cli_args import rebuild_months, usage_error
    from pipelines.runner import materialize_months, month_keys_between

    first, last = rebuild_months(from_month, to_month)  # checked before the warehouse is opened
    options = _apply_options(None, warehouse, None)
    path = options.warehouse
    with duckdb.connect(path, read_only=True) as con:
        span = con.execute(
            "SELECT strftime(min(partition_month), '%Y-%m'), "
            "strftime(max(partition_month), '%Y-%m') FROM raw.captures"
        ).fetchone()
    if span is None or span[0] is None:
        console.print("[red]Kho chưa có lần thu thập nào để xây dựng lại.[/red]")
        raise typer.Exit(code=1)
    start = first.label if first else span[0]
    end = last.label if last else span[1]
    if end < start:
        usage_error(
            f"không có tháng nào để xây dựng lại từ {start} đến {end}: kho thô có các tháng "
            f"{span[0]} → {span[1]}. Ví dụ: --from {span[0]} --to {span[1]}"
        )
    keys = month_keys_between(start, end)
    started = datetime.now(UTC)
    console.print(f"Xây dựng lại {len(keys)} tháng {keys[0][:7]} → {keys[-1][:7]} từ kho thô …")
    result = materialize_months(
        keys[0],
        keys[-1],
        core_config={"force": True},
        rebuild=True,
        options=options,
    )
    with duckdb.connect(path, read_only=True) as con:
        faults = con.execute(
            """SELECT blob_path, fault FROM ops.raw_store_faults WHERE detected_at >= ?
               ORDER BY blob_path""",
            [started],
        ).fetchall()
    if faults:
        console.print(
            f"[red]✗[/red] {len(faults)} tệp trong kho thô bị thiếu hoặc sai sha256 "
            "(không dùng để tính, không công bố):"
        )
        for blob_path, fault in faults:
            what = "thiếu" if fault == "missing" else "sai sha256"
            console.print(f"  {blob_path} ({what})")
        raise typer.Exit(code=1)
    _report_run(result, "Xây dựng lại")


def _reader_path(database: str | None, options: settings.Settings) -> str:
    """The file analysts read: --database, else the publication, else the working file."""
    from pathlib import Path

    from warehouse.publish import published_path

    if database:
        return database
    published = published_path(options.warehouse)
    if published.exists():
        return str(published)
    working = Path(options.warehouse)
    if not working.exists():
        console.print("[red]Chưa có kho dữ liệu.[/red] Chạy `dvc766 demo` hoặc `dvc766 capture`.")
        raise typer.Exit(code=1)
    return str(working)


def _fail(message: str) -> NoReturn:
    """Print ``message`` as one red line on stderr and exit with code 1."""
    from rich.markup import escape

    console.print(f"[red]{escape(message)}[/red]", soft_wrap=True)
    raise typer.Exit(code=1)


@contextmanager
def _open_reader(path: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """The analysts' connection to ``path``: it reads that file and can do nothing else
    (see ``warehouse.connection.connect_reader``). A file another process holds for
    writing (a run on the working file) ends the command in one line, exit code 1."""
    from pathlib import Path

    import duckdb

    from pipelines.cli_errors import lock_conflict_line
    from warehouse.connection import connect_reader

    if not Path(path).is_file():
        _fail(f"Không có tệp kho dữ liệu: {path}")
    with ExitStack() as stack:
        try:
            con = stack.enter_context(connect_reader(path))
        except duckdb.IOException as exc:
            line = lock_conflict_line(exc)
            if line is None:
                raise
            _fail(line)
        yield con


_READ_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "CALL"})
"""Statement kinds ``query`` runs (DuckDB's ``StatementType`` names)."""


def _refused_statement(sql: str) -> str | None:
    """The first keyword of the first statement in ``sql`` that is not a read, if any."""
    import duckdb

    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error:
        return None  # not SQL: running it reports the error
    for statement in statements:
        try:
            kind = statement.type.name
        except ValueError:  # a statement kind this client does not know
            kind = "?"
        if kind not in _READ_STATEMENTS:
            return (statement.query.split() or [kind])[0].upper()
    return None


Database = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Tệp DuckDB để đọc (mặc định: bản công bố, nếu chưa có thì tệp làm việc).",
    ),
]


def _print_rows(title: str, columns: list[str], rows: list[tuple]) -> None:
    from rich.table import Table

    out = Console()
    if not rows:
        out.print(f"{title}: (không có)")
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    out.print(table)


@app.command()
def status(database: Database = None, warehouse: Warehouse = None) -> None:
    """Tình trạng kho: lần thu thập gần nhất, mức đầy đủ, độ mới, lỗi và lý do."""
    from warehouse.status import read_status

    options = _apply_options(None, warehouse, None)
    path = _reader_path(database, options)
    with _open_reader(path) as con:
        st = read_status(con)
    Console().print(f"Kho: {path}")
    _print_rows(
        "Độ mới theo nguồn", ["Nguồn", "Lần cuối", "Lần đầy đủ cuối", "Số giờ trước"], st.freshness
    )
    _print_rows(
        "Các kỳ gần nhất",
        ["Kỳ", "Số tỉnh", "Đầy đủ", "Lần cuối"],
        st.latest_by_period,
    )
    _print_rows(
        "Lần thu thập chưa đầy đủ",
        ["Thời điểm", "Kỳ", "Tỉnh", "Lý do"],
        st.recent_problems,
    )
    _print_rows(
        "Lần thu thập bị loại khỏi core (không qua kiểm tra)",
        ["Thời điểm", "Kỳ", "Tỉnh", "Kiểm tra", "Lý do"],
        st.rejected,
    )
    _print_rows(
        "Cách ly (quarantine)",
        ["Thời điểm", "Kỳ", "Tỉnh", "Endpoint", "Lý do", "Chi tiết"],
        st.quarantine,
    )
    _print_rows("Bị Cổng chặn (403/429)", ["Thời điểm", "HTTP", "URL"], st.blocked)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _print_query(frame: pl.DataFrame, limit: int) -> None:
    """Print at most ``limit`` rows of a query's result: a table when it fits the terminal
    (80 columns when the output is not one), else each row as ``column: value`` lines, so
    no column is squeezed unreadable; the heading says how to get everything (--csv)."""
    from rich.cells import cell_len
    from rich.markup import escape

    out = Console()
    shown = frame.head(limit)
    rows = [tuple(_cell(v) for v in row) for row in shown.rows()]
    more = f" (in {shown.height} dòng đầu; --limit để đổi)" if frame.height > shown.height else ""
    if not rows:
        out.print(f"{frame.height} dòng: (không có)")
        return
    widths = [
        max(cell_len(name), *(cell_len(row[i]) for row in rows))
        for i, name in enumerate(shown.columns)
    ]
    if sum(widths) + 3 * len(widths) + 1 <= out.width:  # cells, padding and borders
        _print_rows(f"{frame.height} dòng{more}", shown.columns, rows)
        return
    out.print(
        f"{frame.height} dòng{more}, rộng hơn {out.width} cột: in từng dòng dạng "
        "«cột : giá trị» (--csv để lấy dạng bảng).",
        highlight=False,
    )
    label = max(cell_len(name) for name in shown.columns)
    for n, row in enumerate(rows, start=1):
        out.print(f"── dòng {n} ──", highlight=False)
        for name, value in zip(shown.columns, row, strict=True):
            pad = " " * (label - cell_len(name))
            out.print(escape(f"{name}{pad} : {value}"), highlight=False)


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="Câu lệnh SQL (chỉ đọc).")],
    database: Database = None,
    warehouse: Warehouse = None,
    csv: Annotated[bool, typer.Option("--csv", help="In CSV thay vì bảng.")] = False,
    limit: Annotated[int, typer.Option(help="Số dòng tối đa in ra.")] = 200,
) -> None:
    """Chạy SQL chỉ đọc trên bản công bố và in kết quả (không ghi, không mở tệp khác)."""
    from pathlib import Path

    import duckdb
    import polars as pl

    from pipelines.outputs.safe_csv import safe_csv

    options = _apply_options(None, warehouse, None)
    path = _reader_path(database, options)
    refused = _refused_statement(sql)
    if refused:
        _fail(
            f"Lỗi SQL: bị từ chối lệnh {refused} — `query` chỉ đọc (SELECT, EXPLAIN, CALL, "
            "PRAGMA chỉ đọc như table_info); không ghi, không đặt cấu hình (SET, PRAGMA … = …), "
            "không ATTACH, COPY, INSTALL hay LOAD."
        )
    with _open_reader(path) as con:
        try:
            relation = con.sql(sql)
            if relation is None:
                console.print("Đã thực hiện (không có kết quả dạng bảng).")
                return
            frame = pl.from_arrow(relation.to_arrow_table())
        except duckdb.PermissionException:
            _fail(
                f"Lỗi SQL: bị từ chối — `query` chỉ đọc tệp {Path(path).name}; không mở tệp, "
                "địa chỉ mạng hay phần mở rộng nào khác."
            )
        except duckdb.Error as exc:
            _fail(f"Lỗi SQL: {str(exc).strip().splitlines()[0]}")
    if csv:
        typer.echo(safe_csv(frame.head(limit)), nl=False)
        return
    _print_query(frame, limit)


def _parse_cutoff(text: str | None):
    """``2023-11-23 16:00`` in Vietnam time (default: now)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(settings.TIMEZONE)
    if not text:
        return datetime.now(zone)
    try:
        moment = datetime.fromisoformat(text.strip().replace("h", ":"))
    except ValueError:
        from pipelines.cli_args import usage_error

        usage_error(
            f'thời điểm chốt không hợp lệ: --cutoff "{text}". Dạng nhận: "YYYY-MM-DD HH:MM" '
            'hoặc "YYYY-MM-DD 16h00", giờ Việt Nam. Ví dụ: --cutoff "2026-11-05 16:00"'
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


@app.command()
def report(
    province: Annotated[str, typer.Option("--province", help="Mã (H44) hoặc UUID tỉnh.")],
    period: Annotated[str, typer.Option("--period", help="Kỳ: 2023-11 | 2023-Q4 | 2023.")],
    out: Annotated[str, typer.Option("--out", help="Tệp Excel sẽ ghi (.xlsx).")],
    cutoff: Annotated[
        str | None,
        typer.Option(
            "--cutoff",
            help='Thời điểm chốt số liệu, giờ Việt Nam ("2023-11-23 16:00"); mặc định: bây giờ.',
        ),
    ] = None,
    database: Database = None,
    warehouse: Warehouse = None,
) -> None:
    """Xuất phụ lục Excel và đoạn tóm tắt cho công văn của một tỉnh."""
    from pathlib import Path

    from pipelines.cli_args import period_arg, report_province
    from pipelines.outputs.excel import write_letter_workbook
    from pipelines.outputs.letter_data import LetterDataError, load_letter_data
    from pipelines.outputs.summary import summary_text

    options = _apply_options(None, warehouse, None)
    parsed = period_arg(period)
    moment = _parse_cutoff(cutoff)
    path = _reader_path(database, options)
    with _open_reader(path) as con:
        code = report_province(con, province)
        try:
            data = load_letter_data(con, code, parsed, moment)
        except LetterDataError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(code=1) from exc
    workbook = write_letter_workbook(data, out)
    text = summary_text(data)
    Path(workbook).with_suffix(".txt").write_text(text + "\n", encoding="utf-8")
    console.print(f"[green]✓[/green] Đã ghi {workbook} và {Path(workbook).with_suffix('.txt')}")
    typer.echo(text)


@app.command()
def chart(
    kind: Annotated[str, typer.Argument(help="total | bump | groups")],
    unit: Annotated[
        str, typer.Option("--unit", help="Mã đơn vị (total, groups) hoặc tỉnh (bump).")
    ],
    out: Annotated[str, typer.Option("--out", help="Thư mục ghi PNG và HTML.")] = "charts",
    period: Annotated[str | None, typer.Option("--period", help="Kỳ (groups).")] = None,
    level: Annotated[
        str, typer.Option("--level", help="Cấp (bump): province | department | commune.")
    ] = "department",
    database: Database = None,
    warehouse: Warehouse = None,
) -> None:
    """Vẽ biểu đồ: tổng điểm theo tháng, thứ hạng theo tháng, điểm nhóm so với tối đa."""
    from pipelines.cli_args import chart_unit, period_arg
    from pipelines.outputs.chart_data import ChartDataError, make_chart

    options = _apply_options(None, warehouse, None)
    period = period_arg(period).label if period else period
    path = _reader_path(database, options)
    with _open_reader(path) as con:
        unit = chart_unit(con, unit) if unit else unit
        try:
            files = make_chart(con, kind, unit, out_dir=out, period=period, level=level)
        except (ChartDataError, ValueError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(code=1) from exc
    console.print(f"[green]✓[/green] Đã ghi {files.png} và {files.html}")


@app.command()
def site(
    out: Annotated[str, typer.Option("--out", help="Thư mục ghi trang web tĩnh.")] = "site",
    period: Annotated[
        list[str] | None,
        typer.Option("--period", help="Chỉ dựng kỳ này (lặp lại được); mặc định: mọi kỳ."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Dựng lại cả khi số liệu không đổi.")
    ] = False,
    cutoff: Annotated[
        str | None,
        typer.Option(
            "--cutoff",
            help='Số liệu tại thời điểm chốt, giờ Việt Nam ("2026-11-05 16:00"): ghi vào '
            "thư mục con chot-YYYYMMDD-HHMM; mặc định: số liệu mới nhất.",
        ),
    ] = None,
    database: Database = None,
    warehouse: Warehouse = None,
) -> None:
    """Dựng trang web tĩnh (cả nước, tỉnh, đơn vị) từ kho công bố; mở index.html."""
    from pathlib import Path

    from pipelines.cli_args import period_arg
    from pipelines.site.build import build_site

    options = _apply_options(None, warehouse, None)
    only = [period_arg(p) for p in period] if period else None
    path = _reader_path(database, options)
    if not Path(path).is_file():
        _fail(f"Không có tệp kho dữ liệu: {path}")
    moment = _parse_cutoff(cutoff) if cutoff else None
    result = build_site(path, out, only=only, force=force, cutoff=moment)
    index = result.out.resolve() / "index.html"
    if result.unchanged:
        console.print(f"[green]✓[/green] Kho công bố không đổi, trang web giữ nguyên: {index}")
        return
    console.print(
        f"[green]✓[/green] Đã dựng {result.pages} trang cho {len(result.built)} kỳ "
        f"({len(result.skipped)} kỳ không đổi): {index}"
    )


@app.command("fake-portal")
def fake_portal(
    host: Annotated[str, typer.Option(help="Địa chỉ lắng nghe (chỉ loopback).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Cổng TCP.")] = 8766,
    today: Today = None,
    seed: Annotated[int, typer.Option(help="Hạt giống dữ liệu sinh.")] = 766,
) -> None:
    """Chạy Cổng giả lập trên máy (dữ liệu sinh, đúng định dạng API thật)."""
    from fake_portal.server import serve

    day = date.fromisoformat(today) if today else None
    console.print(f"Cổng giả lập: http://{host}:{port} (Ctrl+C để dừng)")
    serve(host=host, port=port, today=day, seed=seed)


@app.command()
def demo(
    warehouse: Warehouse = None,
    today: Today = None,
) -> None:
    """Chạy thử trọn vẹn: Cổng giả lập, phát lại 2 đêm thu thập trước (để hỏi theo thời điểm
    chốt), 3 tháng gần nhất, rồi thu thập lại 6 tháng trước đó."""
    from pipelines.demo import run_demo

    options = _apply_options(None, warehouse, today)
    _progress_logging()
    run_demo(console, options)


def _register_ingest() -> None:
    from pipelines.cli_ingest import ingest

    app.command()(ingest)


_register_ingest()


@app.callback()
def _global_options(
    debug: Annotated[
        bool,
        typer.Option("--debug", help="In đầy đủ traceback khi gặp lỗi (hoặc DVC766_DEBUG=1)."),
    ] = False,
) -> None:
    if debug:
        os.environ["DVC766_DEBUG"] = "1"


def main() -> None:
    """The ``dvc766`` console script: the app, where an OS error (disk full, no
    permission, read-only or missing folder) or a warehouse still busy after the longest
    wait ends as one Vietnamese line and exit code 1 instead of a traceback (kept with
    ``--debug`` or ``DVC766_DEBUG=1``)."""
    import sys

    from rich.markup import escape

    from pipelines.cli_errors import DAGSTER_CONSOLE_LEVEL_ENV, debug_enabled, user_problem_line

    leading = []  # the options before the command's name: where --debug goes
    for arg in sys.argv[1:]:
        if not arg.startswith("-"):
            break
        leading.append(arg)
    debug = debug_enabled() or "--debug" in leading
    if not debug:  # a failed run's cause is reported in one line, not Dagster's log
        os.environ.setdefault(DAGSTER_CONSOLE_LEVEL_ENV, "CRITICAL")
    try:
        app(prog_name="dvc766")
    except Exception as exc:
        line = user_problem_line(exc)
        if line is None or debug:
            raise
        console.print(f"[red]{escape(line)}[/red]", soft_wrap=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
