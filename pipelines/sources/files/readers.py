"""Read files into grids of cells: letters (text, Markdown, TSV), CSV, Excel (.xlsx) and
saved HTML pages. A grid is a table as laid out in the file (header rows included), with
its merged cells when the format has them; ``tables.py`` finds the header and the units.

The .xlsx reader uses only the standard library (an .xlsx file is a zip of XML parts):
sheets, shared strings, number formats (a cell formatted as a percentage holds 0.9422 for
94,22 %) and merged ranges; sizes are capped before anything is decompressed.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from bs4 import BeautifulSoup, Tag

from pipelines.sources.files.vietnamese import clean_cell, decode_text
from pipelines.sources.portal.validate import InvalidReply

MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024
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

_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_BUILTIN_PERCENT_FORMATS = frozenset({9, 10})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element if _local(child.tag) == name]


def _descendants(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [node for node in element.iter() if _local(node.tag) == name]


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (ord(letter) - 64)
    return index - 1


def _cell_ref(ref: str) -> tuple[int, int]:
    match = _CELL_REF.match(ref)
    if not match:
        raise InvalidReply("tệp Excel có ô không đọc được", ref)
    return int(match.group(2)) - 1, _column_index(match.group(1))


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        data = archive.read(name)
    except KeyError:
        return None
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise InvalidReply("tệp Excel hỏng (XML không đọc được)", f"{name}: {exc}") from None


def _text_of(node: ElementTree.Element) -> str:
    """Text of a shared or inline string: its ``t`` runs, without phonetic runs."""
    parts = []
    for child in node.iter():
        if _local(child.tag) == "rPh":
            continue
        if _local(child.tag) == "t" and child.text:
            parts.append(child.text)
    return "".join(parts)


def _format_number(value: float, percent: bool) -> str:
    if percent:
        return f"{round(value * 100, 9)!r}%"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(round(value, 12))


def read_xlsx(content: bytes) -> Document:
    """Every visible sheet of an .xlsx workbook as a grid, with its merged ranges."""
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidReply(
            "định dạng Excel 97-2003 (.xls) không được hỗ trợ", "hãy lưu lại dưới dạng .xlsx"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise InvalidReply("không phải tệp Excel .xlsx hợp lệ", "không đọc được tệp zip") from None
    with archive:
        total = sum(info.file_size for info in archive.infolist())
        if total > MAX_XLSX_UNCOMPRESSED:
            raise InvalidReply(
                "tệp Excel quá lớn khi giải nén", f"{total} byte > {MAX_XLSX_UNCOMPRESSED}"
            )
        workbook = _xml(archive, "xl/workbook.xml")
        if workbook is None:
            raise InvalidReply("không phải tệp Excel .xlsx hợp lệ", "thiếu xl/workbook.xml")
        shared = _xml(archive, "xl/sharedStrings.xml")
        strings = [_text_of(si) for si in _children(shared, "si")] if shared is not None else []
        percent_styles = _percent_styles(_xml(archive, "xl/styles.xml"))
        targets = _sheet_targets(_xml(archive, "xl/_rels/workbook.xml.rels"))
        grids: list[Grid] = []
        for sheet in _descendants(workbook, "sheet"):
            if sheet.get("state") in {"hidden", "veryHidden"}:
                continue
            rel = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
            target = targets.get(rel or "")
            if not target:
                continue
            root = _xml(archive, target)
            if root is not None:
                grids.append(
                    _sheet_grid(root, sheet.get("name") or target, strings, percent_styles)
                )
    text = "\n".join(" ".join(c for c in row if c) for grid in grids for row in grid.cells)
    return Document(grids=grids, text=text, title_lines=[line for line in text.splitlines()[:10]])


def _percent_styles(styles: ElementTree.Element | None) -> set[int]:
    """Indexes of the cell styles (``s`` attribute) whose number format is a percentage."""
    if styles is None:
        return set()
    custom = {
        int(fmt.get("numFmtId", "-1")): fmt.get("formatCode", "")
        for fmt in _descendants(styles, "numFmt")
    }
    cell_xfs = next(iter(_descendants(styles, "cellXfs")), None)
    result: set[int] = set()
    for index, xf in enumerate(_children(cell_xfs, "xf") if cell_xfs is not None else []):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in _BUILTIN_PERCENT_FORMATS or "%" in custom.get(fmt_id, ""):
            result.add(index)
    return result


def _sheet_targets(rels: ElementTree.Element | None) -> dict[str, str]:
    if rels is None:
        return {}
    targets = {}
    for rel in _descendants(rels, "Relationship"):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[rel.get("Id", "")] = target
    return targets


def _sheet_grid(
    root: ElementTree.Element, name: str, strings: list[str], percent_styles: set[int]
) -> Grid:
    values: dict[tuple[int, int], str] = {}
    max_row = max_col = -1
    for cell in _descendants(root, "c"):
        row, col = _cell_ref(cell.get("r", ""))
        if row >= MAX_GRID_ROWS or col >= MAX_GRID_COLUMNS:
            raise InvalidReply(
                "bảng quá lớn", f"trang tính '{name}': ô {cell.get('r')} vượt giới hạn"
            )
        kind = cell.get("t", "n")
        v = next(iter(_children(cell, "v")), None)
        text = ""
        if kind == "s" and v is not None and v.text is not None:
            position = int(v.text)
            text = strings[position] if 0 <= position < len(strings) else ""
        elif kind == "inlineStr":
            inline = next(iter(_children(cell, "is")), None)
            text = _text_of(inline) if inline is not None else ""
        elif kind in {"str", "e"} and v is not None:
            text = v.text or ""
        elif kind == "b" and v is not None:
            text = "TRUE" if v.text == "1" else "FALSE"
        elif v is not None and v.text:
            try:
                number = float(v.text)
            except ValueError:
                text = v.text
            else:
                text = _format_number(number, int(cell.get("s", "0")) in percent_styles)
        text = clean_cell(text)
        if text:
            values[(row, col)] = text
            max_row, max_col = max(max_row, row), max(max_col, col)
    merges: list[Merge] = []
    for merged in _descendants(root, "mergeCell"):
        ref = merged.get("ref", "")
        first, _, last = ref.partition(":")
        r0, c0 = _cell_ref(first)
        r1, c1 = _cell_ref(last or first)
        merges.append(Merge(r0, c0, r1, c1))
        max_row, max_col = max(max_row, r1), max(max_col, c1)
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
