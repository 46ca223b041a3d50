"""Find the tables of unit scores in a grid: the header (over one or several rows, merged
cells resolved), what each column holds (unit name, code, a group's points or rate, the
total, the rank) and the unit rows, with the administrative level of the units.

Anything that cannot be read without guessing raises ``InvalidReply`` with a reason a
provincial officer can act on: a missing name column, a data column without a header,
merged header cells that cover several data columns, a value that is not a number or
lies outside its range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.sources.files.readers import Grid, Merge
from warehouse.records import InvalidReply
from warehouse.vietnamese import NotANumber, fold, looks_numeric, parse_number

# Maxima of the groups a file may name, used to recognise a stated "x/18 điểm" and to
# check points; the warehouse's methodology tables stay the authority on scoring.
GROUP_MAXIMA: dict[str, float] = {
    "CKMB": 18,
    "TDGQ": 20,
    "CLGQ": 12,
    "TTTT": 10,
    "MDHL": 18,
    "MDSH": 22,
    "DVTT": 22,  # the Decision text's "Cung cấp dịch vụ trực tuyến" = CLGQ + TTTT
}
# Folded keywords of each group, tried in order (payment before "trực tuyến").
_GROUP_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("TTTT", ("thanh toan", "tttt")),
    ("MDHL", ("hai long", "mdhl")),
    ("MDSH", ("so hoa", "mdsh")),
    ("CKMB", ("cong khai", "minh bach", "ckmb")),
    ("TDGQ", ("tien do", "dung han", "giai quyet", "tdgq")),
    ("CLGQ", ("truc tuyen", "dvctt", "clgq")),
)
_NAME_HEADERS = (
    "ten co quan",
    "ten don vi",
    "ten dia phuong",
    "ten so",
    "ten tinh",
    "co quan/ don vi",
    "co quan/don vi",
    "co quan, don vi",
    "don vi",
    "dia phuong",
)
_NAME_HEADER_EXACT = frozenset({"ten", "co quan", "tinh, thanh pho", "tinh/thanh pho", "so, nganh"})
_STT = re.compile(r"^(stt|tt|so tt|so thu tu)\.?$")
_CODE = re.compile(r"^ma( (don vi|co quan|dinh danh|so|dvhc|cq))?$")
_NUMBERING = re.compile(r"^\(?\s*\d{1,2}\s*\)?$|^\([a-z]\)$")
_STATED_MAX = re.compile(r"/\s*(\d+(?:[.,]\d+)?)|toi da\s*:?\s*(\d+(?:[.,]\d+)?)|\((\d+) diem\)")
_SUMMARY_ROW = re.compile(r"^(tong cong|tong|cong|trung binh|binh quan|toan tinh|ca tinh)\b")
_VALUED = frozenset({"group", "total", "rank"})
_ROMAN_OR_LETTER = re.compile(r"^([ivx]+|[a-z])\.?$")

_LEVEL_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("commune", re.compile(r"cap xa|xa, phuong|xa/phuong|ubnd (cac )?xa\b|phuong, xa|dac khu")),
    (
        "district",
        re.compile(r"cap huyen|huyen, thi xa|huyen/thi xa|ubnd (cac )?huyen|quan, huyen"),
    ),
    (
        "department",
        re.compile(r"so, ban, nganh|so ban nganh|so, nganh|cap tinh|co quan chuyen mon"),
    ),
    (
        "province",
        re.compile(r"\d+ tinh, thanh pho|cac tinh, thanh pho|tinh, thanh pho truc thuoc"),
    ),
)


@dataclass
class Column:
    """What one column of a table holds."""

    index: int
    label: str
    role: str  # stt | name | code | group | total | rank | band | other
    group_code: str | None = None
    measure: str | None = None  # points | rate (group columns)
    max_score: float | None = None  # stated in the header ("/18"), else the group's


@dataclass
class UnitRow:
    """One unit of a table: its name (and code) as given and its values by column."""

    label: str
    name: str
    code: str | None
    level: str
    values: dict[int, float | None] = field(default_factory=dict)


@dataclass
class ScoreTable:
    """A table of unit scores read from a file."""

    where: str
    columns: list[Column]
    rows: list[UnitRow]
    context: list[str]
    notes: list[str]

    def column(self, index: int) -> Column:
        """The column at ``index``."""
        return next(c for c in self.columns if c.index == index)


def group_of(folded: str) -> str | None:
    """The group a folded label names, if any."""
    for code, keywords in _GROUP_KEYWORDS:
        if any(re.search(rf"\b{re.escape(k)}\b", folded) for k in keywords):
            return code
    return None


def level_of(folded: str) -> str | None:
    """The administrative level a folded title names, if any."""
    for level, pattern in _LEVEL_PATTERNS:
        if pattern.search(folded):
            return level
    return None


def level_of_name(name: str) -> str | None:
    """The level a unit's own name tells (UBND huyện … → district), if any."""
    f = fold(name)
    f = re.sub(r"^(ubnd|uy ban nhan dan)\s+", "", f)
    if re.match(r"(huyen|thi xa|quan)\b", f):
        return "district"
    if re.match(r"(xa|phuong|thi tran|dac khu)\b", f):
        return "commune"
    if re.match(r"(so|ban|van phong|thanh tra|cong an|bao|dai)\b", f):
        return "department"
    if re.match(r"tinh\b", f):
        return "province"
    return None


def _is_name_header(folded: str) -> bool:
    if not folded or len(folded) > 80:
        return False
    return folded in _NAME_HEADER_EXACT or any(h in folded for h in _NAME_HEADERS)


def _cell(cells: list[list[str]], row: int, col: int) -> str:
    line = cells[row]
    return line[col] if col < len(line) else ""


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def find_tables(grid: Grid, *, page_group: str | None = None) -> list[ScoreTable]:
    """Every table of unit scores in ``grid``, top to bottom."""
    tables: list[ScoreTable] = []
    start = 0
    while True:
        header = _header_start(grid.cells, start)
        if header is None:
            return tables
        table, end = _read_table(grid, header, start, page_group)
        if table is not None:
            tables.append(table)
        start = max(end, header + 1)


def _header_start(cells: list[list[str]], start: int) -> int | None:
    for r in range(start, len(cells)):
        texts = {c for c in cells[r] if c}
        if len(texts) < 2:
            continue
        folded = [fold(c) for c in texts]
        if any(_is_name_header(f) for f in folded):
            return r
        if sum(1 for f in folded if len(f) < 80 and group_of(f)) >= 2:
            return r  # score headers without a name column: reported by _read_table
    return None


def _name_column(cells: list[list[str]], header: int, last: int) -> int | None:
    for r in range(header, min(last, len(cells))):
        for c, text in enumerate(cells[r]):
            if text and _is_name_header(fold(text)):
                return c
    return None


def _plausible_name(text: str) -> bool:
    f = fold(text)
    return bool(text) and not looks_numeric(text) and not _NUMBERING.match(f)


def _numeric_cells(row: list[str], skip: set[int]) -> int:
    return sum(1 for c, text in enumerate(row) if c not in skip and looks_numeric(text))


def _read_table(
    grid: Grid, header: int, start: int, page_group: str | None
) -> tuple[ScoreTable | None, int]:
    cells = grid.cells
    where = grid.where
    name_col = _name_column(cells, header, header + 4)
    if name_col is None:
        raise InvalidReply(
            "bảng thiếu cột tên đơn vị",
            f"{where}, {grid.row_labels[header]}: có cột điểm nhưng không có cột "
            "'Tên cơ quan/đơn vị'",
        )
    stt_cols = {c for c, text in enumerate(cells[header]) if text and _STT.match(fold(text))}
    data = None
    for r in range(header + 1, min(len(cells), header + 7)):
        name = _cell(cells, r, name_col)
        if (
            _plausible_name(name)
            and not _is_name_header(fold(name))
            and _numeric_cells(cells[r], {name_col, *stt_cols}) > 0
        ):
            data = r
            break
    if data is None:
        return None, header + 1
    header_rows = list(range(header, data))
    labels = _labels(grid, header_rows)
    # Rows of the table: until a blank row, a new header or a row that is neither a unit
    # nor a section title.
    end = data
    while end < len(cells):
        row = cells[end]
        if not any(row):
            break
        if end > data and _is_name_header(fold(_cell(cells, end, name_col))):
            break
        end += 1
    body = list(range(data, end))
    _check_merges(grid, header_rows, body, labels)
    columns = _classify(grid, labels, body, name_col, page_group)
    context = [*grid.context, *(" ".join(c for c in cells[r] if c) for r in range(start, header))]
    context = [line for line in context if line]
    level = _table_level(context, " ".join(labels.get(name_col, [])))
    rows = _unit_rows(grid, columns, body, name_col, level)
    if not rows:
        return None, end
    notes = list(grid.notes)
    for r in range(end, min(end + 3, len(cells))):
        line = " ".join(c for c in cells[r] if c)
        if line:
            notes.append(line)
    table = ScoreTable(where=where, columns=columns, rows=rows, context=context, notes=notes)
    return table, end


def _labels(grid: Grid, header_rows: list[int]) -> dict[int, list[str]]:
    """The header cells of every column, top to bottom, merges resolved: a merge over
    several columns in an upper row is a title over all of them; one that reaches the
    bottom header row labels only its first column."""
    cells = grid.cells
    width = max((len(cells[r]) for r in header_rows), default=0)
    last = header_rows[-1]
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for merge in grid.merges or []:
        leaf_merge = merge.first_row <= last <= merge.last_row
        for r in range(merge.first_row, merge.last_row + 1):
            for c in range(merge.first_col, merge.last_col + 1):
                if leaf_merge and c != merge.first_col:
                    owner[(r, c)] = (-1, -1)  # covered, but not labelled
                else:
                    owner[(r, c)] = (merge.first_row, merge.first_col)
        width = max(width, merge.last_col + 1)
    labels: dict[int, list[str]] = {}
    for c in range(width):
        parts: list[str] = []
        for r in header_rows:
            rr, cc = owner.get((r, c), (r, c))
            text = _cell(cells, rr, cc) if rr >= 0 else ""
            if not text and grid.merges is None and r != last:
                text = _inherited(cells, r, c, last)
            if text and not _NUMBERING.match(fold(text)) and text not in parts:
                parts.append(text)
        labels[c] = parts
    return labels


def _inherited(cells: list[list[str]], row: int, col: int, last: int) -> str:
    """Text formats lose merges: an empty upper header cell takes the label on its left
    when both columns have sub-headers below (a group title over several columns)."""
    if not _cell(cells, last, col):
        return ""
    for c in range(col - 1, -1, -1):
        if not _cell(cells, last, c):
            return ""
        text = _cell(cells, row, c)
        if text:
            return text
    return ""


def _has_data(cells: list[list[str]], body: list[int], col: int) -> bool:
    return any(looks_numeric(_cell(cells, r, col)) for r in body)


def _check_merges(
    grid: Grid, header_rows: list[int], body: list[int], labels: dict[int, list[str]]
) -> None:
    cells = grid.cells
    first, last = header_rows[0], header_rows[-1]
    for merge in grid.merges or []:
        span = range(merge.first_col, merge.last_col + 1)
        title = " ".join(labels.get(merge.first_col, [])) or _cell(
            cells, merge.first_row, merge.first_col
        )
        if (
            merge.last_col > merge.first_col
            and merge.first_row >= first
            and merge.first_row <= last <= merge.last_row
        ):
            with_data = [c for c in span if _has_data(cells, body, c)]
            if len(with_data) > 1:
                raise InvalidReply(
                    "ô tiêu đề gộp không phân giải được",
                    f"{grid.where}: '{title}' gộp các cột "
                    f"{_column_name(merge.first_col)}–{_column_name(merge.last_col)} có số "
                    "liệu mà không có tiêu đề riêng cho từng cột",
                )
        in_body = bool(body) and body[0] <= merge.first_row <= body[-1]
        spans = merge.last_col > merge.first_col or merge.last_row > merge.first_row
        if in_body and spans:
            row = cells[merge.first_row]
            outside = [c for c in range(len(row)) if c not in span]
            if any(looks_numeric(row[c]) for c in outside) or any(
                looks_numeric(_cell(cells, merge.first_row, c)) for c in span
            ):
                raise InvalidReply(
                    "ô gộp trong vùng số liệu không phân giải được",
                    f"{grid.where}: ô {_column_name(merge.first_col)}{merge.first_row + 1}:"
                    f"{_column_name(merge.last_col)}{merge.last_row + 1} được gộp",
                )
    for c in range(max((len(cells[r]) for r in body), default=0)):
        if not labels.get(c) and _has_data(cells, body, c):
            raise InvalidReply(
                "cột có số liệu nhưng không có tiêu đề",
                f"{grid.where}: cột {_column_name(c)} (ô tiêu đề gộp hoặc bị thiếu?)",
            )


_SCORE_LABEL = re.compile(r"(tong diem|diem|diem so|so diem|diem dat duoc|ket qua)( \(diem\))?")


def _is_group_page(labels: dict[int, list[str]], name_col: int) -> bool:
    """A page about one group (its title names the group): the table has a score column
    and names at most one group outside its indicator ("Tỷ lệ …") columns."""
    leaves = [fold(parts[-1]) for c, parts in labels.items() if parts and c != name_col]
    if not any(_SCORE_LABEL.fullmatch(leaf) or leaf.startswith("tong diem") for leaf in leaves):
        return False
    named = {group_of(leaf) for leaf in leaves if not leaf.startswith("ty le")} - {None}
    return len(named) <= 1


def _stated_max(folded: str) -> float | None:
    match = _STATED_MAX.search(folded)
    if not match:
        return None
    text = next(g for g in match.groups() if g)
    return float(text.replace(",", "."))


def _classify(
    grid: Grid,
    labels: dict[int, list[str]],
    body: list[int],
    name_col: int,
    page_group: str | None,
) -> list[Column]:
    if page_group is not None and not _is_group_page(labels, name_col):
        page_group = None
    columns: list[Column] = []
    for c, parts in sorted(labels.items()):
        if not parts:
            continue
        label = " ".join(parts)
        f, leaf = fold(label), fold(parts[-1])
        if c == name_col:
            columns.append(Column(c, label, "name"))
        elif _STT.match(leaf):
            columns.append(Column(c, label, "stt"))
        elif _CODE.match(leaf):
            columns.append(Column(c, label, "code"))
        elif "xep hang" in leaf or "thu hang" in leaf:
            columns.append(Column(c, label, "rank"))
        elif "xep loai" in leaf or "phan loai" in leaf:
            columns.append(Column(c, label, "band"))
        elif page_group is not None:  # a group's page: its score, its indicators (kept raw)
            is_score = _SCORE_LABEL.fullmatch(leaf) or re.search(r"\btong\b", leaf)
            role = "group" if is_score else "other"
            columns.append(Column(c, label, role, page_group if is_score else None))
        elif (group := group_of(leaf) or group_of(f)) is not None:
            columns.append(Column(c, label, "group", group))
        elif re.search(r"\btong\b", leaf) or _SCORE_LABEL.fullmatch(leaf):
            columns.append(Column(c, label, "total", max_score=100))
        else:
            columns.append(Column(c, label, "other"))
    groups = [col for col in columns if col.role == "group"]
    has_payment = any(col.group_code == "TTTT" for col in groups)
    seen: dict[tuple[str, str], Column] = {}
    for col in groups:
        f = fold(col.label)
        stated = _stated_max(f)
        if (
            col.group_code == "CLGQ"
            and not has_payment
            and (stated == 22 or (stated is None and "cung cap" in f))
        ):
            col.group_code = "DVTT"
        col.measure = _measure(grid, col, body, f, stated)
        if col.measure == "points":
            col.max_score = stated if stated is not None else GROUP_MAXIMA[col.group_code or ""]
        key = (col.group_code or "", col.measure)
        if key in seen:
            raise InvalidReply(
                "hai cột cùng một nhóm chỉ số",
                f"{grid.where}: '{seen[key].label}' và '{col.label}'",
            )
        seen[key] = col
    if not groups and not any(col.role == "total" for col in columns):
        raise InvalidReply(
            "bảng thiếu cột điểm hoặc tỷ lệ nhóm chỉ số",
            f"{grid.where}: không có cột nào là điểm, tỷ lệ hay tổng điểm",
        )
    return columns


def _measure(grid: Grid, col: Column, body: list[int], folded: str, stated: float | None) -> str:
    has_percent = any(_cell(grid.cells, r, col.index).endswith("%") for r in body)
    if "%" in col.label or "ty le" in folded:
        return "rate"
    if "diem" in folded or stated is not None:
        if has_percent:
            raise InvalidReply(
                "cột điểm có giá trị phần trăm",
                f"{grid.where}: cột '{col.label}' ghi điểm nhưng có ô dạng '%'",
            )
        return "points"
    if has_percent:
        return "rate"
    maximum = GROUP_MAXIMA[col.group_code or ""]
    for r in body:
        try:
            value, _ = parse_number(_cell(grid.cells, r, col.index))
        except NotANumber:
            continue
        if value is not None and value > maximum + 0.005:
            raise InvalidReply(
                "không rõ cột là điểm hay tỷ lệ",
                f"{grid.where}: cột '{col.label}' không ghi đơn vị (điểm hay %) và có giá trị "
                f"{value:g} lớn hơn điểm tối đa {maximum:g} của nhóm",
            )
    return "points"


def _table_level(context: list[str], name_label: str) -> str | None:
    for line in [name_label, *reversed(context)]:
        level = level_of(fold(line))
        if level:
            return level
    return None


def _unit_rows(
    grid: Grid, columns: list[Column], body: list[int], name_col: int, level: str | None
) -> list[UnitRow]:
    cells = grid.cells
    valued = [c for c in columns if c.role in _VALUED]
    code_col = next((c.index for c in columns if c.role == "code"), None)
    stt_col = next((c.index for c in columns if c.role == "stt"), None)
    needed = max(c.index for c in columns if c.role in {"name", "code", *_VALUED}) + 1
    rows: list[UnitRow] = []
    section_level = level
    for r in body:
        name = _cell(cells, r, name_col)
        label = grid.row_labels[r]
        stt = fold(_cell(cells, r, stt_col)) if stt_col is not None else ""
        has_numbers = any(looks_numeric(_cell(cells, r, c.index)) for c in valued)
        if not name or not _plausible_name(name):
            if has_numbers and not name:
                raise InvalidReply(
                    "dòng có số liệu nhưng không có tên đơn vị", f"{grid.where}, {label}"
                )
            continue
        if _SUMMARY_ROW.match(fold(name)):
            continue
        if not has_numbers and (not stt or _ROMAN_OR_LETTER.match(stt)):
            section_level = level_of(fold(name)) or section_level  # "I. Khối sở, ngành"
            continue
        if grid.widths and grid.widths[r] < needed:
            raise InvalidReply(
                "bảng thiếu cột",
                f"{grid.where}, {label}: có {grid.widths[r]} ô nhưng tiêu đề có {needed} cột",
            )
        values: dict[int, float | None] = {}
        for col in valued:
            text = _cell(cells, r, col.index)
            try:
                value, _ = parse_number(text)
            except NotANumber:
                raise InvalidReply(
                    "giá trị không phải là số",
                    f"{grid.where}, {label}, cột '{col.label}': '{text}'",
                ) from None
            _check_range(grid.where, label, col, value, text)
            values[col.index] = value
        code = _cell(cells, r, code_col) if code_col is not None else ""
        rows.append(
            UnitRow(
                label=label,
                name=name,
                code=code or None,
                level=section_level or level_of_name(name) or "unknown",
                values=values,
            )
        )
    if level is None and rows:
        named = [level_of_name(row.name) for row in rows]
        for row, guessed in zip(rows, named, strict=True):
            if row.level == "unknown" and guessed:
                row.level = guessed
    return rows


def _check_range(where: str, label: str, col: Column, value: float | None, text: str) -> None:
    if value is None:
        return
    if col.role == "rank":
        if value < 1 or value != int(value):
            raise InvalidReply(
                "thứ hạng không hợp lệ", f"{where}, {label}, cột '{col.label}': '{text}'"
            )
        return
    upper = 100.0 if col.measure == "rate" or col.role == "total" else (col.max_score or 100.0)
    if value < 0 or value > upper + 0.005:
        raise InvalidReply(
            "giá trị ngoài khoảng",
            f"{where}, {label}, cột '{col.label}': {text} (phải từ 0 đến {upper:g})",
        )


__all__ = ["GROUP_MAXIMA", "Column", "Merge", "ScoreTable", "UnitRow", "find_tables", "group_of"]
