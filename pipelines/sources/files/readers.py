"""Read files into grids of cells: letters (text, Markdown, TSV), CSV, Excel (.xlsx) and
saved HTML pages. A grid is a table as laid out in the file (header rows included), with
its merged cells when the format has them; ``tables.py`` finds the header and the units.

Workbooks (.xlsx) are read with openpyxl in read-only mode (cells stream row by row; a
cell formatted as a percentage holds 0.9422 for 94,22 % and is read as ``94.22%``), their
merged ranges from the sheet part. The zip's declared sizes are checked before anything
is decompressed: a workbook that would expand beyond ``MAX_XLSX_EXPANDED_BYTES``, or a
part compressed suspiciously well, is refused with a reason (and so quarantined).
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING
from xml.parsers import expat

from bs4 import BeautifulSoup, Tag

from warehouse.records import InvalidReply
from warehouse.vietnamese import clean_cell, decode_text

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

MAX_XLSX_EXPANDED_BYTES = 50 * 1024 * 1024
"""A workbook whose zip parts would expand beyond this in all is refused unread."""
MAX_XLSX_RATIO = 100
"""A part expanding to more than ``XLSX_RATIO_FLOOR_BYTES`` at more than this many times
its compressed size is refused unread (real sheets compress 5-20 times)."""
XLSX_RATIO_FLOOR_BYTES = 1024 * 1024
MAX_GRID_ROWS = 20_000
MAX_GRID_COLUMNS = 200


@dataclass(frozen=True)
class Merge:
    """A merged range, inclusive, in grid coordinates (0-based)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass
class Grid:
    """Cells as laid out in one table of a file.

    ``widths`` is the number of cells each row had in the file (a text row with fewer
    cells than its header lacks a column); ``merges`` is ``None`` when the format cannot
    say which cells were merged (text, CSV). ``row_labels`` name rows in messages.
    """

    cells: list[list[str]]
    row_labels: list[str]
    where: str
    widths: list[int] = field(default_factory=list)
    merges: list[Merge] | None = None
    context: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Document:
    """What a file holds: its tables as grids and its running text (for stated facts)."""

    grids: list[Grid]
    text: str
    title_lines: list[str] = field(default_factory=list)
    page_group_text: str = ""


# --- letters: text, Markdown, TSV ---------------------------------------------------------

_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


def _table_cells(line: str) -> list[str] | None:
    """The cells of a TSV or Markdown table line, or ``None`` for running text."""
    if line.count("\t") >= 2:
        return [clean_cell(cell) for cell in line.split("\t")]
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 3:
        inner = stripped[1:-1] if stripped.endswith("|") else stripped[1:]
        return [clean_cell(cell.replace("<br>", " ")) for cell in inner.split("|")]
    return None


def read_letter(content: bytes) -> Document:
    """Tables (TSV or Markdown lines) and running text of a letter."""
    text = decode_text(content)
    lines = text.splitlines()
    grids: list[Grid] = []
    prose: list[str] = []
    current: Grid | None = None  # the table being read
    last: Grid | None = None  # the last table read (its footnotes follow it)
    since_table: list[str] = []  # non-empty prose lines since the last table
    for number, line in enumerate(lines, start=1):
        cells = _table_cells(line)
        if cells is not None:
            if _MD_SEPARATOR.match(line.strip()):
                continue
            if current is None:
                current = Grid(
                    cells=[],
                    row_labels=[],
                    where=f"bảng {len(grids) + 1} (dòng {number})",
                    context=since_table[-8:],
                )
                grids.append(current)
                last = current
            current.cells.append(cells)
            current.widths.append(len(cells))
            current.row_labels.append(f"dòng {number}")
            since_table = []
            continue
        cleaned = clean_cell(line)
        prose.append(cleaned)
        if not cleaned:  # blank lines neither end a table nor count as context
            continue
        current = None
        if last is not None and len(last.notes) < 3:
            last.notes.append(cleaned)
        since_table.append(cleaned)
    title = [line for line in prose[:40] if line]
    return Document(grids=grids, text="\n".join(prose), title_lines=title)


# --- CSV ----------------------------------------------------------------------------------


def read_csv(content: bytes) -> Document:
    """One grid of a CSV export (delimiter , ; tab or |, decimal commas allowed)."""
    text = decode_text(content)
    sample = "\n".join(text.splitlines()[:30])
    delimiter = max((",", ";", "\t", "|"), key=lambda d: (_consistent(sample, d), sample.count(d)))
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if len(rows) > MAX_GRID_ROWS:
        raise InvalidReply("bảng quá lớn", f"{len(rows)} dòng > {MAX_GRID_ROWS}")
    cells = [[clean_cell(c) for c in row] for row in rows]
    widths = [len(row) for row in rows]
    labels = [f"dòng {n}" for n in range(1, len(rows) + 1)]
    flat = "\n".join(" ".join(c for c in row if c) for row in cells)
    return Document(
        grids=[Grid(cells=cells, row_labels=labels, where="bảng CSV", widths=widths)],
        text=flat,
        title_lines=[line for line in flat.splitlines()[:10] if line],
    )


def _consistent(sample: str, delimiter: str) -> int:
    """How many lines of the sample split into the most common number (≥ 3) of cells."""
    counts: dict[int, int] = {}
    for row in csv.reader(io.StringIO(sample), delimiter=delimiter):
        if len(row) >= 3:
            counts[len(row)] = counts.get(len(row), 0) + 1
    return max(counts.values(), default=0)


# --- Excel (.xlsx) ------------------------------------------------------------------------

# openpyxl is imported where a workbook is read: importing it costs about 0.5 s, and every
# run and CLI command imports this module (the file sources are in the registry).
SHEET_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
"""The SpreadsheetML namespace (ECMA-376), as openpyxl.xml.constants names it."""
_MERGE_CELL = f"{SHEET_MAIN_NS}}}mergeCell"
_QUOTED_OR_ESCAPED = re.compile(r'"[^"]*"|\\.')


def check_xlsx_expansion(archive: zipfile.ZipFile) -> None:
    """Refuse, before anything is decompressed, a workbook whose parts would expand beyond
    ``MAX_XLSX_EXPANDED_BYTES`` in all, or a large part compressed more than
    ``MAX_XLSX_RATIO`` times (a zip bomb). The sizes are the ones the zip declares, which
    ``zipfile`` never reads past."""
    members = archive.infolist()
    total = sum(info.file_size for info in members)
    if total > MAX_XLSX_EXPANDED_BYTES:
        raise InvalidReply(
            "tệp Excel quá lớn khi giải nén",
            f"{len(members)} phần giải nén ra {total / 1e6:.1f} MB "
            f"> giới hạn {MAX_XLSX_EXPANDED_BYTES / 1e6:.0f} MB: không đọc",
        )
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > XLSX_RATIO_FLOOR_BYTES and ratio > MAX_XLSX_RATIO:
            raise InvalidReply(
                "tệp Excel nén bất thường",
                f"phần {info.filename} nén {ratio:.0f} lần ({info.compress_size} byte → "
                f"{info.file_size / 1e6:.1f} MB) > giới hạn {MAX_XLSX_RATIO} lần: không đọc",
            )


def read_xlsx(content: bytes) -> Document:
    """Every visible sheet of an .xlsx workbook as a grid, with its merged ranges (read
    with openpyxl in read-only mode, after ``check_xlsx_expansion``)."""
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidReply(
            "định dạng Excel 97-2003 (.xls) không được hỗ trợ", "hãy lưu lại dưới dạng .xlsx"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise InvalidReply("không phải tệp Excel .xlsx hợp lệ", "không đọc được tệp zip") from None
    with archive:
        check_xlsx_expansion(archive)
        try:
            grids = _workbook_grids(archive, content)
        except InvalidReply:
            raise
        except Exception as exc:  # anything openpyxl cannot parse is a bad workbook
            raise InvalidReply(
                "tệp Excel hỏng, không đọc được", f"{type(exc).__name__}: {exc}"
            ) from None
    text = "\n".join(" ".join(c for c in row if c) for grid in grids for row in grid.cells)
    return Document(grids=grids, text=text, title_lines=[line for line in text.splitlines()[:10]])


def _workbook_grids(archive: zipfile.ZipFile, content: bytes) -> list[Grid]:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # openpyxl's notes on unsupported parts
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    try:
        return [
            _sheet_grid(sheet, _merged_ranges(archive, sheet._worksheet_path))
            for sheet in workbook.worksheets
            if sheet.sheet_state == "visible"
        ]
    finally:
        workbook.close()


def _merged_ranges(archive: zipfile.ZipFile, part: str) -> list[Merge]:
    """The ``mergeCell`` ranges of a sheet part, streamed (openpyxl's read-only sheets do
    not expose them)."""
    from openpyxl.utils.cell import range_boundaries

    merges: list[Merge] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == _MERGE_CELL:
            min_col, min_row, max_col, max_row = range_boundaries(attributes.get("ref", ""))
            if max_row > MAX_GRID_ROWS or max_col > MAX_GRID_COLUMNS:
                raise InvalidReply("bảng quá lớn", f"ô gộp {attributes.get('ref')} vượt giới hạn")
            merges.append(Merge(min_row - 1, min_col - 1, max_row - 1, max_col - 1))

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    with archive.open(part) as stream:
        parser.ParseFile(stream)
    return merges


def _is_percent(number_format: str) -> bool:
    """Whether a number format shows its value as a percentage (a ``%`` outside quotes)."""
    return "%" in _QUOTED_OR_ESCAPED.sub("", number_format)


def _format_number(value: float, percent: bool) -> str:
    if percent:
        return f"{round(value * 100, 9)!r}%"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(round(value, 12))


def _cell_text(value: object, number_format: str) -> str:
    """A cell's value as the text a reader of the sheet would copy."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            return str(value)
        return _format_number(number, _is_percent(number_format))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M" if value.time() != time() else "%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


def _sheet_grid(sheet: ReadOnlyWorksheet, merges: list[Merge]) -> Grid:
    name = sheet.title
    sheet.reset_dimensions()  # a sheet's stated dimension may be wrong (or huge): read rows
    values: dict[tuple[int, int], str] = {}
    max_row = max_col = -1
    for row_cells in sheet.iter_rows():
        for cell in row_cells:
            if cell.value is None:
                continue
            row, col = cell.row - 1, cell.column - 1
            if row >= MAX_GRID_ROWS or col >= MAX_GRID_COLUMNS:
                raise InvalidReply(
                    "bảng quá lớn", f"trang tính '{name}': ô {cell.coordinate} vượt giới hạn"
                )
            text = clean_cell(_cell_text(cell.value, cell.number_format))
            if text:
                values[(row, col)] = text
                max_row, max_col = max(max_row, row), max(max_col, col)
    for merge in merges:
        max_row, max_col = max(max_row, merge.last_row), max(max_col, merge.last_col)
    cells = [[values.get((r, c), "") for c in range(max_col + 1)] for r in range(max_row + 1)]
    return Grid(
        cells=cells,
        row_labels=[f"hàng {r + 1}" for r in range(max_row + 1)],
        where=f"trang tính '{name}'",
        widths=[max_col + 1] * (max_row + 1),
        merges=merges,
    )


# --- HTML ---------------------------------------------------------------------------------


def read_html(content: bytes) -> Document:
    """Every innermost ``<table>`` of a saved page, with colspan/rowspan as merges."""
    html = decode_text(content)
    soup = BeautifulSoup(html, "html.parser")
    for node in soup(["script", "style", "noscript", "template"]):
        node.decompose()
    tables = [t for t in soup.find_all("table") if isinstance(t, Tag) and not t.find("table")]
    if not tables:
        raise InvalidReply("trang HTML không có bảng nào", "không thấy thẻ <table>")
    heading_text = " ".join(
        node.get_text(" ", strip=True) for node in soup.find_all(["title", "h1", "h2"])
    )
    grids = []
    for number, table in enumerate(tables, start=1):
        grid = _html_grid(table, f"bảng HTML {number}")
        context = [clean_cell(caption.get_text(" ", strip=True)) for caption in table("caption")]
        for previous in table.find_all_previous(["h1", "h2", "h3", "h4", "h5", "p"], limit=3):
            context.insert(0, clean_cell(previous.get_text(" ", strip=True)))
        grid.context = [line for line in context if line]
        grids.append(grid)
    text = "\n".join(clean_cell(line) for line in soup.get_text("\n").splitlines() if line.strip())
    return Document(
        grids=grids,
        text=text,
        title_lines=[line for line in text.splitlines()[:20]],
        page_group_text=clean_cell(heading_text),
    )


def _span(cell: Tag, name: str) -> int:
    try:
        return max(1, min(int(str(cell.get(name, "1")).strip() or "1"), MAX_GRID_COLUMNS))
    except ValueError:
        return 1


def _html_grid(table: Tag, where: str) -> Grid:
    placed: dict[tuple[int, int], str] = {}
    merges: list[Merge] = []
    rows = table.find_all("tr")
    if len(rows) > MAX_GRID_ROWS:
        raise InvalidReply("bảng quá lớn", f"{where}: {len(rows)} dòng")
    for r, row in enumerate(rows):
        c = 0
        for cell in row.find_all(["td", "th"], recursive=False):
            while (r, c) in placed:
                c += 1
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            text = clean_cell(cell.get_text(" ", strip=True))
            for dr in range(rowspan):
                for dc in range(colspan):
                    placed[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else ""
            if colspan > 1 or rowspan > 1:
                merges.append(Merge(r, c, r + rowspan - 1, c + colspan - 1))
            c += colspan
    height = max((r for r, _ in placed), default=-1) + 1
    width = max((c for _, c in placed), default=-1) + 1
    cells = [[placed.get((r, c), "") for c in range(width)] for r in range(height)]
    return Grid(
        cells=cells,
        row_labels=[f"dòng {r + 1} của bảng" for r in range(height)],
        where=where,
        widths=[width] * height,
        merges=merges,
    )
