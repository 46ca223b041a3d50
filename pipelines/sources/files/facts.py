"""Facts stated in a letter's running text: the province's group scores ("Chỉ số Công
khai minh bạch: 12,2/18 điểm"), its total ("Tổng số điểm năm 2023 … là 67,9/100 điểm"),
the data cut-off ("Thời điểm chốt số liệu: 16h ngày 23/11/2023"), the period a table or
the letter is about ("NĂM 2023", "quý II/2024") and which province wrote it.

Only what the text states unambiguously is returned; a label naming a group whose stated
maximum is not that group's maximum ("Công khai, minh bạch: 18/100 điểm" describes the
method, not a score) is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from pipelines.sources.files.tables import GROUP_MAXIMA, group_of
from warehouse.periods import Period
from warehouse.vietnamese import fold, parse_number

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class StatedScore:
    """A score stated in the text: a group's (``group_code``) or the total (``None``)."""

    group_code: str | None
    score: float
    max_score: float
    label: str


@dataclass(frozen=True)
class StatedCutoff:
    """A data cut-off stated in the text; ``precision`` 'minute' or 'day' (end of day)."""

    at: datetime
    precision: str
    text: str


@dataclass
class TextFacts:
    """What the running text of a file states."""

    scores: list[StatedScore] = field(default_factory=list)
    cutoffs: list[StatedCutoff] = field(default_factory=list)
    letterhead_provinces: list[str] = field(default_factory=list)
    mentioned_provinces: list[str] = field(default_factory=list)


_SCORE = re.compile(
    r"(?P<label>[^:;\n]{2,160}?)\s*(?::|\bđạt\b|\blà\b)?\s*"
    r"(?P<score>\d{1,3}(?:[.,]\d{1,3})?)\s*/\s*(?P<max>\d{1,3})\s*điểm",
    re.IGNORECASE,
)
_CUTOFF = re.compile(
    r"(chot so lieu|thoi diem danh gia|thoi diem trich xuat|thoi diem xep loai|tinh den|"
    r"den thoi diem|cap nhat den|so lieu (?:tinh )?den)"
    r"[^0-9]{0,40}?"
    r"(?:(?P<hour>\d{1,2})\s*(?:h|gio)\s*(?:(?P<minute>\d{1,2})\s*(?:phut|p)?)?[^0-9]{0,12}?)?"
    r"(?:ngay\s*)?(?P<day>\d{1,2})\s*/\s*(?P<month>\d{1,2})\s*/\s*(?P<year>\d{4})"
)
_DATE_PHRASES = re.compile(
    r"ngay\s*\d{1,2}\s*(?:thang\s*\d{1,2}\s*nam\s*\d{4}|/\s*\d{1,2}(?:\s*/\s*\d{4})?)"
    r"|\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}"
    r"|\d+ thang dau nam"
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER = re.compile(r"quy\s+(iv|iii|ii|i|[1-4])\s*(?:/|nam|-)\s*(\d{4})")
_HALF = re.compile(r"6 thang (dau|cuoi) nam\s*(\d{4})|nua (dau|cuoi) nam\s*(\d{4})")
_MONTH = re.compile(r"thang\s+(\d{1,2})\s*(?:/|nam|-)\s*(\d{4})")
_YEAR = re.compile(r"\bnam\s+(\d{4})\b")
_LETTERHEAD = re.compile(
    r"^(?:ubnd|uy ban nhan dan)?\s*(?:tinh|thanh pho)\s+(?P<name>[a-z ]{2,30})$"
)
_PLACE_DATE = re.compile(r"^(?P<name>[^\d,]{2,30}),\s*ngay\b")


def periods_in(text: str) -> list[Period]:
    """Distinct periods a text names (quarter, half-year, month, year), dates excluded."""
    folded = _DATE_PHRASES.sub(" ", fold(text))
    found: list[Period] = []

    def add(period: Period) -> None:
        if period not in found:
            found.append(period)

    for match in _QUARTER.finditer(folded):
        number = _ROMAN.get(match.group(1)) or int(match.group(1))
        add(Period.parse(f"{match.group(2)}-Q{number}"))
    folded = _QUARTER.sub(" ", folded)
    for match in _HALF.finditer(folded):
        first = (match.group(1) or match.group(3)) == "dau"
        year = match.group(2) or match.group(4)
        add(Period("half", date(int(year), 1 if first else 7, 1)))
    folded = _HALF.sub(" ", folded)
    for match in _MONTH.finditer(folded):
        month = int(match.group(1))
        if 1 <= month <= 12:
            add(Period.month(int(match.group(2)), month))
    folded = _MONTH.sub(" ", folded)
    for match in _YEAR.finditer(folded):
        year = int(match.group(1))
        if 2000 <= year <= 2100:
            add(Period.parse(str(year)))
    return found


def _paragraphs(text: str) -> list[str]:
    """Running text as paragraphs (lines joined), so a label may wrap."""
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", text) if block.strip()]


def stated_scores(text: str, period: Period | None = None) -> list[StatedScore]:
    """Group scores and totals the text states, the first statement of each winning.

    A statement whose label names a period other than ``period`` (the file's own, when
    it states one) is skipped: "Điểm số tháng 11/2023" in a letter about the year.
    """
    scores: dict[str | None, StatedScore] = {}
    for paragraph in _paragraphs(text):
        for match in _SCORE.finditer(paragraph):
            label = match.group("label").strip(" -+•*.,()")
            folded = fold(label)
            try:
                score, _ = parse_number(match.group("score"))
            except ValueError:
                continue
            maximum = float(match.group("max"))
            if score is None or score > maximum:
                continue
            group = group_of(folded)
            if re.search(r"\btong\b", folded) and maximum == 100:
                group_code: str | None = None
            elif group is not None and maximum == GROUP_MAXIMA[group]:
                group_code = group
            elif group == "CLGQ" and maximum == GROUP_MAXIMA["DVTT"]:
                group_code = "DVTT"
            else:
                continue
            named = periods_in(label)
            if named and (period is None or period not in named):
                continue  # a statement about another (or an unknown) period
            scores.setdefault(group_code, StatedScore(group_code, score, maximum, label))
    return list(scores.values())


def stated_cutoffs(text: str) -> list[StatedCutoff]:
    """Data cut-offs the text states, in order, without repeats."""
    found: list[StatedCutoff] = []
    for match in _CUTOFF.finditer(fold(text)):
        try:
            day = date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            continue
        if match["hour"] is not None and int(match["hour"]) < 24:
            minute = int(match["minute"] or 0)
            at = datetime.combine(day, time(int(match["hour"]), min(minute, 59)), TIMEZONE)
            precision = "minute"
        else:
            at = datetime.combine(day, time.max, TIMEZONE)
            precision = "day"
        if all(c.at != at for c in found):
            found.append(StatedCutoff(at, precision, match.group(0)))
    return found


def province_hints(lines: list[str], text: str) -> tuple[list[str], list[str]]:
    """(names in the letterhead or the place-and-date line, names after "tỉnh"/"thành
    phố" anywhere), as written (title case words), without repeats."""
    head: list[str] = []
    for line in lines[:25]:
        folded = fold(line).strip(" *")
        if m := _LETTERHEAD.match(folded):
            head.append(_original_words(line, len(m.group("name").split())))
        elif m := _PLACE_DATE.match(folded):
            head.append(line.split(",", 1)[0].strip(" *"))
    mentioned: list[str] = []
    for line in text.splitlines():
        words = line.split()
        for index, word in enumerate(words):
            lower = fold(word)
            start = None
            if lower == "tinh":
                start = index + 1
            elif lower == "thanh" and index + 1 < len(words) and fold(words[index + 1]) == "pho":
                start = index + 2
            if start is None:
                continue
            taken = []
            for candidate in words[start : start + 4]:
                cleaned = candidate.strip(".,;:()*\"'")
                if not cleaned or not cleaned[0].isupper():
                    break
                taken.append(cleaned)
                if cleaned != candidate:
                    break
            if taken:
                mentioned.append(" ".join(taken))
    return _unique(head), _unique(mentioned)


def _original_words(line: str, count: int) -> str:
    words = line.strip(" *").split()
    return " ".join(words[-count:])


def _unique(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen
