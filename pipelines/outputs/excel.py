"""The Excel appendices of a provincial letter (xlsxwriter): Vietnamese headers, number
formats, print-ready widths, and the data cut-off and source on every sheet (with
"tạm tính đến ngày …" when the period had not closed). Every sheet's table header starts
at row 5: panes are frozen under it and it is repeated on every printed page. Text cells
are always text: names from the portal are shown, never run as formulas or links.

The band and top/bottom sheets show the rows of ``mart.band_count_table`` and
``mart.top_bottom`` as they are (ties at the cut kept), never recomputed here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from pipelines.outputs.letter_data import (
    LEVEL_LABELS,
    TOP_BOTTOM_N,
    LetterData,
    group_score,
    province_rank,
)
from pipelines.outputs.summary import source_line, summary_text
from pipelines.outputs.vietnamese import cutoff_label
from warehouse.periods import period_label

SHEETS = (
    "Tổng hợp tỉnh",
    "Phụ lục 1 - Sở ngành",
    "Phụ lục 2 - Cấp huyện, xã",
    "Xếp loại theo cấp",
    "Dẫn đầu - cuối bảng",
    "Chi tiết chỉ tiêu",
    "Tóm tắt",
)
Column = tuple[str, str, str, int]
"""(column, header, format, width) of an appendix table."""
UNIT_HEAD: tuple[Column, ...] = (
    ("stt", "STT", "int", 5),
    ("unit_name", "Tên cơ quan, đơn vị", "text", 42),
)
GROUP_WIDTH = 11
"""Width of a group's column; the group columns themselves are those of the methodology
version in force for the period (``LetterData.groups``), between head and tail."""
UNIT_TAIL: tuple[Column, ...] = (
    ("total_score", "Tổng điểm", "score", 11),
    ("band", "Xếp loại", "text", 12),
    ("rank", "Xếp hạng", "int", 9),
    ("prev_total_score", "Điểm kỳ trước", "score", 11),
    ("delta_points", "Tăng/giảm (điểm)", "delta", 11),
    ("prev_rank", "Hạng kỳ trước", "int", 9),
    ("rank_move", "Tăng/giảm hạng", "delta_int", 9),
)
HEADER_ROW = 4
"""Zero-based row of every sheet's (first) table header, under the title, period and
cut-off lines."""
SHARE_ROW = "Tỷ lệ"
"""Label of the band sheet's row of percentages: the ``(%)`` columns of
``mart.band_count_table``'s "Tổng số đơn vị" row (its last)."""


class _Book:
    """xlsxwriter workbook with the house formats."""

    def __init__(self, path: Path) -> None:
        # Every string is written as text: a unit named "=HYPERLINK(…)" or "http://…" shows
        # its name, never a live formula, link or number.
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "nan_inf_to_errors": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        base = {"font_name": "Times New Roman", "font_size": 11, "valign": "vcenter"}
        border = {**base, "border": 1}
        self.formats = {
            "title": self.book.add_format({**base, "bold": True, "font_size": 13}),
            "note": self.book.add_format({**base, "italic": True, "font_size": 10}),
            "header": self.book.add_format(
                {
                    **border,
                    "bold": True,
                    "text_wrap": True,
                    "align": "center",
                    "bg_color": "#DDEBF7",
                }
            ),
            "text": self.book.add_format({**border, "text_wrap": True}),
            "int": self.book.add_format({**border, "num_format": "0", "align": "center"}),
            "score": self.book.add_format({**border, "num_format": "0.00"}),
            "pct": self.book.add_format({**border, "num_format": "0.0"}),
            "pct2": self.book.add_format({**border, "num_format": "0.00"}),
            "delta": self.book.add_format({**border, "num_format": "+0.00;-0.00;0"}),
            "delta_int": self.book.add_format(
                {**border, "num_format": "+0;-0;0", "align": "center"}
            ),
            "wrap": self.book.add_format({**base, "text_wrap": True, "valign": "top"}),
        }

    def sheet(
        self, name: str, title: str, data: LetterData, widths: list[int], frozen_columns: int = 0
    ):
        """A sheet with its title, the period (provisional or not), the cut-off and the
        source on top; panes frozen under the header row (and left of
        ``frozen_columns``), the header row repeated on every printed page."""
        ws = self.book.add_worksheet(name)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.freeze_panes(HEADER_ROW + 1, frozen_columns)
        ws.repeat_rows(HEADER_ROW)
        ws.write(0, 0, title, self.formats["title"])
        period = period_label(data.period.period_type, data.period.start)
        if data.provisional_label:
            period += f" ({data.provisional_label})"
        ws.write(1, 0, f"{data.province_name} — kỳ {period}", self.formats["note"])
        ws.write(
            2,
            0,
            f"Thời điểm chốt số liệu: {cutoff_label(data.cutoff)}. {source_line(data.sources)}",
            self.formats["note"],
        )
        ws.set_footer(f"&L{source_line(data.sources)}&RTrang &P/&N")
        for index, width in enumerate(widths):
            ws.set_column(index, index, width)
        return ws

    def table(
        self, ws, first_row: int, headers: list[str], rows: list[list[Any]], formats: list[str]
    ) -> int:
        """Write a bordered table; returns the next free row."""
        ws.set_row(first_row, 45)
        for col, header in enumerate(headers):
            ws.write(first_row, col, header, self.formats["header"])
        for r, values in enumerate(rows, start=first_row + 1):
            self.table_row(ws, r, values, formats)
        return first_row + len(rows) + 1

    def table_row(self, ws, row: int, values: list[Any], formats: list[str]) -> None:
        """Write one bordered table row (``None`` as an empty bordered cell)."""
        for c, value in enumerate(values):
            fmt = self.formats[formats[c]]
            if value is None:
                ws.write_blank(row, c, None, fmt)
            else:
                ws.write(row, c, value, fmt)


def unit_columns(data: LetterData) -> list[Column]:
    """The appendix tables' columns: STT and name, one column per group of the
    methodology version in force for the period (named ``group:<code>``, headed with its
    name and maximum), then total, band, rank and changes."""
    groups = [
        (f"group:{g['group_code']}", f"{g['name_vi']} ({g['max_score']:g})", "score", GROUP_WIDTH)
        for g in data.groups.iter_rows(named=True)
    ]
    tail = [
        (col, _total_label(data) if col == "total_score" else header, fmt, width)
        for col, header, fmt, width in UNIT_TAIL
    ]
    return [*UNIT_HEAD, *groups, *tail]


def _total_label(data: LetterData) -> str:
    """``Tổng điểm (100)``: the maximum is the sum of the version's group maxima."""
    total_max = sum(data.groups["max_score"].to_list())
    return f"Tổng điểm ({total_max:g})" if total_max else "Tổng điểm"


def _unit_rows(frame: pl.DataFrame, columns: list[Column]) -> list[list[Any]]:
    rows = []
    for index, row in enumerate(frame.iter_rows(named=True), start=1):
        row = {**row, "stt": index}
        rows.append(
            [
                group_score(row, col.removeprefix("group:"))
                if col.startswith("group:")
                else row.get(col)
                for col, _, _, _ in columns
            ]
        )
    return rows


def write_letter_workbook(data: LetterData, path: Path | str) -> Path:
    """Write the appendices workbook for ``data`` to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = _Book(path)
    _summary_sheet(out, data)
    columns = unit_columns(data)
    widths = [w for _, _, _, w in columns]
    headers = [h for _, h, _, _ in columns]
    formats = [f for _, _, f, _ in columns]
    title = "Phụ lục 1: Kết quả của các sở, ban, ngành cấp tỉnh"
    ws = out.sheet(SHEETS[1], title, data, widths, frozen_columns=2)
    out.table(ws, HEADER_ROW, headers, _unit_rows(data.departments, columns), formats)
    level = LEVEL_LABELS[data.local_level]
    ws = out.sheet(SHEETS[2], f"Phụ lục 2: Kết quả của {level}", data, widths, frozen_columns=2)
    out.table(ws, HEADER_ROW, headers, _unit_rows(data.local_units, columns), formats)
    _band_sheet(out, data)
    _top_bottom_sheet(out, data)
    _indicator_sheet(out, data)
    ws = out.sheet(SHEETS[6], "Tóm tắt để đưa vào công văn", data, [120])
    lines = [[line] for line in summary_text(data).splitlines()]
    out.table(ws, HEADER_ROW, ["Nội dung"], lines, ["wrap"])
    for offset in range(len(lines)):
        ws.set_row(HEADER_ROW + 1 + offset, 32)
    out.book.close()
    return path


def _summary_sheet(out: _Book, data: LetterData) -> None:
    ws = out.sheet(
        SHEETS[0],
        "Kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp của tỉnh",
        data,
        [34, 14, 14, 14],
    )
    p, c = data.province, data.province_change or {}
    rows: list[list[Any]] = [
        [
            _total_label(data),
            p["total_score"],
            c.get("prev_total_score"),
            c.get("delta_points"),
        ],
        ["Tăng/giảm (%)", c.get("delta_pct"), None, None],
        ["Xếp loại", p["band"], c.get("prev_band"), c.get("band_transition")],
        [*_rank_cells(p), c.get("prev_rank"), c.get("rank_move")],
    ]
    formats = ["text", "score", "score", "delta"]
    next_row = out.table(
        ws, HEADER_ROW, ["Chỉ tiêu", "Kỳ này", "Kỳ trước", "Thay đổi"], rows[:2], formats
    )
    next_row = out.table(
        ws,
        next_row + 1,
        ["Chỉ tiêu", "Kỳ này", "Kỳ trước", "Thay đổi"],
        rows[2:],
        ["text", "text", "text", "text"],
    )
    group_rows = [
        [
            f"{g['name_vi']} ({g['max_score']:g})",
            group_score(p, g["group_code"]),
            g["max_score"],
            None,
        ]
        for g in data.groups.iter_rows(named=True)
    ]
    next_row = out.table(
        ws,
        next_row + 1,
        ["Nhóm chỉ số", "Điểm", "Tối đa", ""],
        group_rows,
        ["text", "score", "score", "text"],
    )
    if data.year_to_date is not None:
        ytd = data.year_to_date
        out.table(
            ws,
            next_row + 1,
            ["Năm đến thời điểm chốt", "Tổng điểm", "Xếp loại", "Xếp hạng"],
            [[f"Năm {data.period.year}", ytd["total_score"], ytd["band"], ytd["rank"]]],
            ["text", "score", "text", "int"],
        )


def _rank_cells(p: dict) -> tuple[str, int | None]:
    """The province's rank row (label, rank): :func:`province_rank`, a stated rank
    labelled as stated; an empty cell when there is none, never a rank made up from part
    of a cohort."""
    rank, size, stated = province_rank(p)
    return f"Xếp hạng{' theo nguồn' if stated else ''} (trên {size or '–'})", rank


def _band_sheet(out: _Book, data: LetterData) -> None:
    """``mart.band_count_table`` of the province as it is: one row per level, then
    Tổng số đơn vị (integer counts); then Tỷ lệ, the ``(%)`` columns of that last row."""
    columns = ["Cấp hành chính", *data.bands, "Tổng"]
    ws = out.sheet(
        SHEETS[3], "Phân loại theo cấp hành chính", data, [30, *[11] * len(data.bands), 11]
    )
    out.table(ws, HEADER_ROW, columns, [], [])
    r = HEADER_ROW
    for r, row in enumerate(data.band_table.iter_rows(named=True), start=HEADER_ROW + 1):
        out.table_row(ws, r, [row[c] for c in columns], ["text", *["int"] * (len(columns) - 1)])
    if data.band_table.height:
        total = data.band_table.row(-1, named=True)
        shares = [total[f"{band} (%)"] for band in data.bands]
        formats = ["text", *["pct2"] * (len(shares) + 1)]
        out.table_row(ws, r + 1, [SHARE_ROW, *shares, 100.0], formats)


def _top_bottom_sheet(out: _Book, data: LetterData) -> None:
    """``mart.top_bottom`` of the province's departments and local units as it is:
    every unit at either end, ties at the cut included."""
    n = TOP_BOTTOM_N
    ws = out.sheet(
        SHEETS[4],
        f"{n} đơn vị dẫn đầu và {n} đơn vị cuối bảng (kể cả các đơn vị đồng hạng)",
        data,
        [26, 8, 42, 11, 12],
    )
    positions = {"top": "Dẫn đầu", "bottom": "Cuối bảng"}
    rows = [
        [
            f"{LEVEL_LABELS[level]} — {positions[row['position']]}",
            row["rank"],
            row["unit_name"],
            row["total_score"],
            row["band"],
        ]
        for level in ("department", data.local_level)
        for row in data.top_bottom.filter(pl.col("unit_level") == level).iter_rows(named=True)
    ]
    out.table(
        ws,
        HEADER_ROW,
        ["Nhóm", "Xếp hạng", "Tên cơ quan, đơn vị", "Tổng điểm", "Xếp loại"],
        rows,
        ["text", "int", "text", "score", "text"],
    )


def _indicator_sheet(out: _Book, data: LetterData) -> None:
    ws = out.sheet(SHEETS[5], "Chi tiết chỉ tiêu của tỉnh", data, [8, 36, 52, 12, 12, 10, 9, 9, 40])
    rows = [
        [
            r["group_code"],
            r["metric_code"],
            r["metric_name"],
            r["numerator"],
            r["denominator"],
            r["ratio"],
            r["score"],
            r["max_score"],
            r["data_quality_message"],
        ]
        for r in data.indicators.iter_rows(named=True)
    ]
    out.table(
        ws,
        HEADER_ROW,
        [
            "Nhóm",
            "Mã chỉ tiêu",
            "Tên chỉ tiêu",
            "Tử số",
            "Mẫu số",
            "Tỷ lệ (%)",
            "Điểm",
            "Tối đa",
            "Ghi chú chất lượng dữ liệu",
        ],
        rows,
        ["text", "text", "text", "int", "int", "pct", "score", "score", "text"],
    )
