"""Read a stored file into core rows (the parser ``normalise_captures`` calls for the file
sources), and the pieces ingestion needs before recording it: the format, the period
and province the file states, its data cut-off.

Every unit a table names gets a provisional id, ``unmatched:<sha>`` of its normalised
name and province; ``warehouse.unit_matching.resolve_file_units`` then decides what unit
it is. Values are copied as the file gives them: a rate stays a rate
(``core.metric_values``, metric ``<group>_RATE``), points are group scores, a stated total
is a reported total; ``null`` stays ``null``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pipelines.sources.files.facts import (
    RejectedFigure,
    StatedBandCount,
    StatedCutoff,
    StatedScore,
    periods_in,
    province_hints,
    stated_band_counts,
    stated_cutoffs,
    stated_scores,
)
from pipelines.sources.files.readers import (
    Document,
    read_csv,
    read_html,
    read_letter,
    read_xlsx,
)
from pipelines.sources.files.tables import ScoreTable, find_tables, group_of
from warehouse.periods import Period
from warehouse.records import InvalidReply, ParsedReply
from warehouse.unit_matching import NATIONAL_ROOT, unmatched_id
from warehouse.vietnamese import clean_cell, fold

# raw.captures.source of each format: a letter's text, a saved page, a table export.
SOURCE_BY_FORMAT: dict[str, str] = {
    "text": "file_letter",
    "markdown": "file_letter",
    "tsv": "file_letter",
    "html": "file_html",
    "xlsx": "file_table",
    "csv": "file_table",
}
FILE_SOURCES: tuple[str, ...] = ("file_letter", "file_html", "file_table")
CONTENT_TYPES: dict[str, str] = {
    "text": "text/plain",
    "markdown": "text/markdown",
    "tsv": "text/tab-separated-values",
    "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
_EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".htm": "html",
    ".html": "html",
    ".xhtml": "html",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".csv": "csv",
}
_UNSUPPORTED: dict[str, str] = {
    ".xls": "Excel 97-2003 (.xls): hãy lưu lại dưới dạng .xlsx",
    ".doc": "Word (.doc): hãy lưu phụ lục dưới dạng .txt, .md, .xlsx hoặc .csv",
    ".docx": "Word (.docx): hãy lưu phụ lục dưới dạng .txt, .md, .xlsx hoặc .csv",
    ".pdf": "PDF: hãy chép phụ lục ra .txt, .md, .xlsx hoặc .csv",
    ".ods": "OpenDocument (.ods): hãy lưu lại dưới dạng .xlsx",
}


class UnsupportedFormat(InvalidReply):
    """A file whose format dvc766 does not read."""


def detect_format(file_name: str, content: bytes) -> str:
    """The format of a file, by its extension, else by its first bytes."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    if suffix in _UNSUPPORTED:
        raise UnsupportedFormat("định dạng tệp không được hỗ trợ", _UNSUPPORTED[suffix])
    head = content[:512].lstrip().lower()
    if content.startswith(b"PK\x03\x04"):
        return "xlsx"
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedFormat("định dạng tệp không được hỗ trợ", _UNSUPPORTED[".xls"])
    if content.startswith(b"%PDF"):
        raise UnsupportedFormat("định dạng tệp không được hỗ trợ", _UNSUPPORTED[".pdf"])
    if head.startswith((b"<!doctype html", b"<html")) or b"<table" in head:
        return "html"
    return "text"


@dataclass
class FileContent:
    """What a file holds, as read before any unit is matched."""

    format: str
    tables: list[ScoreTable]
    scores: list[StatedScore]
    cutoffs: list[StatedCutoff]
    period: Period | None
    period_note: str
    provinces_in_letterhead: list[str] = field(default_factory=list)
    provinces_mentioned: list[str] = field(default_factory=list)
    band_counts: list[StatedBandCount] = field(default_factory=list)
    rejected: list[RejectedFigure] = field(default_factory=list)
    """Figures the text states that are not loaded, with the reason."""

    @property
    def needs_province(self) -> bool:
        """Whether the rows need a province root (anything but a table of provinces)."""
        return bool(self.scores or self.band_counts) or any(
            row.level != "province" for table in self.tables for row in table.rows
        )


def _read_document(fmt: str, content: bytes) -> Document:
    if not content.strip():
        raise InvalidReply("tệp rỗng", "không có nội dung")
    if fmt == "xlsx":
        return read_xlsx(content)
    if fmt == "csv":
        return read_csv(content)
    if fmt == "html":
        return read_html(content)
    return read_letter(content)


def _page_group(document: Document) -> str | None:
    return group_of(fold(document.page_group_text)) if document.page_group_text else None


def read_file(fmt: str, content: bytes) -> FileContent:
    """Read a file of format ``fmt``; raise ``InvalidReply`` if nothing can be read
    from it without guessing."""
    document = _read_document(fmt, content)
    page_group = _page_group(document)
    tables = [t for grid in document.grids for t in find_tables(grid, page_group=page_group)]
    period, note = _detect_period(document, tables)
    rejected: list[RejectedFigure] = []
    scores: list[StatedScore] = []
    band_counts: list[StatedBandCount] = []
    if fmt in {"text", "markdown", "tsv"}:
        scores = stated_scores(document.text, period, rejected)
        band_counts = stated_band_counts(document.text, rejected)
    if not tables and not scores and not band_counts:
        if rejected:
            raise InvalidReply(
                "không có số liệu hợp lệ trong tệp",
                "; ".join(f"«{r.text}»: {r.reason}" for r in rejected),
            )
        if fmt == "html":
            raise InvalidReply(
                "trang HTML không có bảng điểm đơn vị",
                f"{len(document.grids)} bảng, không bảng nào có cột tên đơn vị và cột điểm",
            )
        raise InvalidReply(
            "không tìm thấy bảng điểm đơn vị hay điểm nhóm chỉ số",
            "cần một bảng có cột 'Tên cơ quan/đơn vị' và cột điểm hoặc tỷ lệ (%)",
        )
    head, mentioned = province_hints(document.title_lines, document.text)
    return FileContent(
        format=fmt,
        tables=tables,
        scores=scores,
        cutoffs=stated_cutoffs(document.text),
        period=period,
        period_note=note,
        provinces_in_letterhead=head,
        provinces_mentioned=mentioned,
        band_counts=band_counts,
        rejected=rejected,
    )


def _detect_period(document: Document, tables: list[ScoreTable]) -> tuple[Period | None, str]:
    """The period the file states: in its tables' titles, else its subject line, else
    anywhere in its text, when exactly one period is named there."""
    subject: list[str] = []
    lines = document.title_lines
    for index, line in enumerate(lines):
        if fold(line).startswith("v/v"):
            subject = lines[index : index + 4]
            break
    tiers = (
        ("tiêu đề bảng", " ".join(line for t in tables for line in t.context)),
        ("trích yếu", " ".join(subject)),
        ("nội dung", document.text),
    )
    for where, text in tiers:
        found = periods_in(text)
        if len(found) == 1:
            return found[0], f"kỳ {found[0].label} theo {where}"
        widest = [p for p in found if all(_within(q, p) for q in found)]
        if widest:  # "năm 2023" with "tháng 10/2023", "tháng 11/2023": the year
            return widest[0], f"kỳ {widest[0].label} theo {where} (gồm các kỳ khác được nêu)"
        if len(found) > 1:
            labels = ", ".join(p.label for p in found)
            return None, f"{where} nêu nhiều kỳ ({labels})"
    return None, "tệp không nêu kỳ báo cáo"


def _within(inner: Period, outer: Period) -> bool:
    """Whether period ``inner`` lies within period ``outer``."""
    return outer.start <= inner.start and inner.end <= outer.end


def to_parsed_reply(content: FileContent, root: str) -> ParsedReply:
    """Core rows of a read file under province ``root`` (``VN`` for a table of
    provinces). Units get provisional ids; a unit or value given twice is an error."""
    if content.needs_province and (not root or root == NATIONAL_ROOT):
        raise InvalidReply(
            "không xác định được tỉnh của tệp", "dùng --province (mã H50, mã GSO 45 hay tên)"
        )
    parsed = ParsedReply()
    seen_units: set[str] = set()
    seen_values: set[tuple[str, str, str]] = set()

    def once(unit_id: str, kind: str, key: str, where: str) -> None:
        if (unit_id, kind, key) in seen_values:
            raise InvalidReply("đơn vị có hai giá trị cho cùng một chỉ số", f"{where} ({key})")
        seen_values.add((unit_id, kind, key))

    for table in content.tables:
        for row in table.rows:
            province_row = row.level == "province"
            scope = NATIONAL_ROOT if province_row else root
            unit_id = unmatched_id(scope, row.name)
            where = f"{table.where}, {row.label}: {row.name}"
            if unit_id not in seen_units:
                seen_units.add(unit_id)
                parsed.unit_sightings.append(
                    {
                        "unit_id": unit_id,
                        "unit_code": row.code,
                        "unit_name": clean_cell(row.name),
                        "unit_type": None,
                        "unit_level": row.level,
                        "parent_unit_id": None if province_row else root,
                        "province_unit_id": unit_id if province_row else root,
                    }
                )
            total: dict[str, Any] = {}
            for column in table.columns:
                if column.index not in row.values:
                    continue
                value = row.values[column.index]
                if column.role == "group" and column.measure == "points":
                    once(unit_id, "group", column.group_code or "", where)
                    parsed.group_scores.append(
                        {
                            "unit_id": unit_id,
                            "group_code": column.group_code,
                            "score": value,
                            "max_score": column.max_score,
                            "ratio": None,
                            "score_delta": None,
                            "is_root": False,
                        }
                    )
                elif column.role == "group":
                    metric = f"{column.group_code}_RATE"
                    once(unit_id, "metric", metric, where)
                    parsed.metric_values.append(_rate_row(unit_id, column, value))
                elif column.role == "total":
                    total["total_score"] = value
                elif column.role == "rank" and value is not None:
                    total["reported_rank"] = int(value)
            if total:
                once(unit_id, "total", "TOTAL", where)
                parsed.reported_totals.append(_total_row(unit_id, total))
    _root_rows(parsed, content, root)
    return parsed


def _rate_row(unit_id: str, column: Any, value: float | None) -> dict[str, Any]:
    return {
        "unit_id": unit_id,
        "group_code": column.group_code,
        "metric_code": f"{column.group_code}_RATE",
        "metric_name": column.label,
        "numerator": None,
        "denominator": None,
        "ratio": value,
        "score": None,
        "max_score": None,
        "data_quality_status": None,
        "data_quality_message": None,
    }


def _total_row(unit_id: str, total: dict[str, Any]) -> dict[str, Any]:
    return {
        "unit_id": unit_id,
        "total_score": total.get("total_score"),
        "total_max_score": 100.0 if total.get("total_score") is not None else None,
        "ratio": None,
        "score_delta": None,
        "reported_rank": total.get("reported_rank"),
        "reported_cohort_size": None,
    }


def _root_rows(parsed: ParsedReply, content: FileContent, root: str) -> None:
    """The province's own figures stated in the text, on the root unit: totals (with the
    rank and cohort stated), group scores, and units per level and band. A figure about
    another period than the file's carries its own period."""
    if not content.scores and not content.band_counts:
        return
    name = (content.provinces_in_letterhead or content.provinces_mentioned or [root])[0]
    parsed.unit_sightings.append(
        {
            "unit_id": root,
            "unit_code": None,
            "unit_name": clean_cell(name),
            "unit_type": None,
            "unit_level": "province",
            "parent_unit_id": None,
            "province_unit_id": root,
        }
    )
    for stated in content.scores:
        own = _own_period(stated.period)
        if stated.group_code is None:
            parsed.reported_totals.append(
                _total_row(root, {"total_score": stated.score, "reported_rank": stated.rank})
                | {"total_max_score": stated.max_score, "reported_cohort_size": stated.cohort_size}
                | own
            )
            continue
        parsed.group_scores.append(
            {
                "unit_id": root,
                "group_code": stated.group_code,
                "score": stated.score,
                "max_score": stated.max_score,
                "ratio": None,
                "score_delta": None,
                "is_root": True,
            }
            | own
        )
    parsed.reported_band_counts.extend(
        {
            "unit_id": root,
            "unit_level": count.unit_level,
            "band_code": count.band_code,
            "unit_count": count.unit_count,
            "level_total": count.level_total,
        }
        for count in content.band_counts
    )


def _own_period(period: Period | None) -> dict[str, Any]:
    """A row's own period, when a figure is about another period than its file's."""
    if period is None:
        return {}
    return {"period_type": period.period_type, "period_start": period.start}


def parse_file(file_format: str, content: bytes, root: str) -> ParsedReply:
    """Read a file's core rows: ``file_format`` is its format (the capture's endpoint).
    Whatever the readers cannot handle is an ``InvalidReply`` (quarantine), not a crash."""
    try:
        return to_parsed_reply(read_file(file_format, content), root)
    except InvalidReply:
        raise
    except Exception as exc:
        raise InvalidReply("không đọc được tệp", f"{type(exc).__name__}: {exc}") from exc
