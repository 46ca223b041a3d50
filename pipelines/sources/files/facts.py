"""Facts stated in a letter's running text: the province's group scores ("Chỉ số Công
khai minh bạch: 12,2/18 điểm"), its totals for the letter's period or another it names
("Tổng số điểm năm 2023 … là 67,9/100 điểm", "tháng 10/2023 (đạt 71,5 điểm, xếp hạng
21)", "đứng thứ 43/63 …, đạt 48,13 điểm"), its units per level and band ("Có 02/17 cơ
quan xếp loại Tốt", a band table written as text), the data cut-off ("Thời điểm chốt số
liệu: 16h ngày 23/11/2023", a copy's "date 2024-08" header), the period a table or the
letter is about ("NĂM 2023", "quý II/2024") and which province wrote it.

Only what the text states unambiguously is returned; a label naming a group whose stated
maximum is not that group's maximum ("Công khai, minh bạch: 18/100 điểm" describes the
method, not a score) is skipped. A figure that is stated but cannot be loaded as stated
(a score over its maximum, a rank over its cohort, a count over its level's total) is
returned as a :class:`RejectedFigure` with the reason.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from pipelines.sources.files.tables import GROUP_MAXIMA, group_of, level_of, level_of_name
from warehouse.periods import Period
from warehouse.vietnamese import fold, parse_number

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class StatedScore:
    """A score stated in the text: a group's (``group_code``) or the total (``None``),
    with the period the statement names (``None``: the file's own) and the rank and
    cohort size it states with it ("xếp hạng 21", "đứng thứ 43/63")."""

    group_code: str | None
    score: float
    max_score: float
    label: str
    period: Period | None = None
    rank: int | None = None
    cohort_size: int | None = None


@dataclass(frozen=True)
class StatedBandCount:
    """How many units of a level the text puts in a band ("Có 02/17 cơ quan xếp loại
    Tốt", a row of a band table), with the level's total when it states one."""

    unit_level: str
    band_code: str
    unit_count: int
    level_total: int | None
    text: str


@dataclass(frozen=True)
class RejectedFigure:
    """A figure the text states that cannot be loaded as it is, and why (Vietnamese)."""

    text: str
    reason: str


@dataclass(frozen=True)
class StatedCutoff:
    """A data cut-off stated in the text; ``precision`` 'minute' or 'day' (end of day)."""

    at: datetime
    precision: str
    text: str


_CUTOFF = re.compile(
    r"(chot so lieu|thoi diem danh gia|thoi diem trich xuat|thoi diem xep loai|tinh den|"
    r"den thoi diem|cap nhat den|so lieu (?:tinh )?den)"
    r"[^0-9]{0,40}?"
    r"(?:(?P<hour>\d{1,2})\s*(?:h|gio)\s*(?:(?P<minute>\d{1,2})\s*(?:phut|p)?)?[^0-9]{0,12}?)?"
    r"(?:ngay\s*)?(?P<day>\d{1,2})\s*/\s*(?P<month>\d{1,2})\s*/\s*(?P<year>\d{4})"
)
_DATE_PHRASES = re.compile(
    r"ngay\s*\d{1,2}\s*(?:thang\s*\d{1,2}\s*nam\s*\d{4}|/\s*\d{1,2}(?:\s*/\s*\d{4})?)"
    r"|ngay\s*thang\s*\d{1,2}\s*nam\s*\d{4}"
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


def _aligned(paragraph: str) -> tuple[str, str]:
    """A paragraph in NFC and its folded form (lower case, no diacritics) of the same
    length, so a span found in the folded text quotes the original."""
    text = " ".join(unicodedata.normalize("NFC", paragraph).split())
    folded = "".join(" " if c.isspace() else (fold(c) or " ")[:1] for c in text)
    return text, folded


def _statement_period(
    clause: str, sentence: str, period: Period | None
) -> tuple[Period | None, str | None]:
    """The period a statement names (``None``: the file's own ``period``), looked for in
    its clause, then its sentence; or why it cannot be told."""
    for text in (clause, sentence):
        named = periods_in(text)
        if len(named) > 1:
            labels = ", ".join(p.label for p in named)
            return None, f"không rõ số liệu thuộc kỳ nào ({labels})"
        if named:
            return (None if named[0] == period else named[0]), None
    return None, None


def _sentence_before(folded: str, at: int) -> tuple[str, str]:
    """(the sentence, the clause) of ``folded`` that end at ``at``: from the last full
    stop, then from the last ", " (a decimal comma has no space after it)."""
    sentence = re.split(r"(?<!\d)\.\s+", folded[:at])[-1]
    return sentence, sentence.rsplit(", ", 1)[-1]


_NUMBER = r"\d{1,3}(?:[.,]\d{1,3})?"
# "Công khai, minh bạch đạt 13,2/18 điểm", "là 67,9/100 điểm", "đạt 72,8/100" (folded)
_SCORE = re.compile(
    r"(?P<label>[^:;]{2,160}?)\s*(?P<link>:|\bdat\b|\bla\b)?\s*"
    rf"(?P<score>{_NUMBER})\s*/\s*(?P<max>\d{{1,3}})(?![\d/]|[.,]\d)\s*(?P<points>diem)?"
)
_RANK = r"(?:dung|xep)\s+(?:thu|hang)\s+(?:thu\s+)?(?P<rank>\d{1,3})(?:\s*/\s*(?P<cohort>\d{1,3}))?"
_POINTS = rf"\bdat\s+(?P<score>{_NUMBER})\s*(?:/\s*(?P<max>100)\s*)?diem"
# A total stated with its rank: "(đạt 71,5 điểm, xếp hạng 21)", "đứng thứ 43/63 tỉnh,
# thành phố, đạt 48,13 điểm", "đạt 48,13 điểm, xếp thứ 43/63" (folded).
_RANKED_TOTALS = (
    re.compile(rf"\(\s*{_POINTS}\s*[,;]\s*{_RANK}\s*\)"),
    re.compile(rf"\b{_RANK}\b[^0-9()]{{0,40}}?{_POINTS}"),
    re.compile(rf"{_POINTS}\s*[,;]?\s*(?:va\s+)?{_RANK}"),
)
_TOTAL_LABEL = re.compile(r"\btong\b|\bdiem so\b(?! hoa)")
# Words naming a unit below the province: its figure is not the province's.
_UNIT_WORDS = re.compile(r"\b(?:sở|huyện|thị xã|xã|phường|thị trấn|quận)\b", re.IGNORECASE)


def _vn(value: float) -> str:
    """A number as letters write it (decimal comma)."""
    return f"{value:g}".replace(".", ",")


def _negative(folded: str, at: int) -> bool:
    """Whether the number at ``at`` carries a minus sign: "-3/18", "đạt −3 điểm" (a minus
    or hyphen right before the digits, after a space, a colon or the start; "12-13" is a
    range, not a sign)."""
    return at > 0 and folded[at - 1] in "-−" and (at == 1 or folded[at - 2] in " \t:(")


def _parse_score(text: str) -> float | None:
    try:
        value, _ = parse_number(text)
    except ValueError:
        return None
    return value


def stated_scores(
    text: str, period: Period | None = None, rejected: list[RejectedFigure] | None = None
) -> list[StatedScore]:
    """Group scores and totals (with a rank, and the cohort it is out of, when stated)
    the text states, each under the period its clause or sentence names (``None``: the
    file's ``period``).

    A statement that cannot be loaded as stated (a negative score, a score over its
    maximum, a rank over its cohort, no single period) is added to ``rejected`` with the
    reason; the other statements are kept. A figure stated twice with different values
    (score or rank) is not loaded at all: both statements are rejected, since nothing in
    the text says which one is right.
    """
    scores: dict[tuple[str | None, Period | None], StatedScore] = {}
    quotes: dict[tuple[str | None, Period | None], str] = {}
    contradicted: dict[tuple[str | None, Period | None], StatedScore] = {}
    rejects: list[RejectedFigure] = [] if rejected is None else rejected

    def add(stated: StatedScore, quote: str) -> None:
        key = (stated.group_code, stated.period)
        first = scores.get(key) or contradicted.get(key)
        if first is None:
            scores[key], quotes[key] = stated, quote
        elif first.score != stated.score or (
            None not in (first.rank, stated.rank) and first.rank != stated.rank
        ):
            rejects.append(
                RejectedFigure(quote, f"số liệu nêu lần hai với giá trị khác ({_vn(first.score)})")
            )
            if key in scores:  # the first statement is no more certain than this one
                contradicted[key] = scores.pop(key)
                rejects.append(
                    RejectedFigure(
                        quotes[key], f"số liệu nêu lần hai với giá trị khác ({_vn(stated.score)})"
                    )
                )
        elif key in scores and first.rank is None and stated.rank is not None:
            scores[key] = replace(first, rank=stated.rank, cohort_size=stated.cohort_size)

    for paragraph in _paragraphs(text):
        original, folded = _aligned(paragraph)
        taken: list[tuple[int, int]] = []
        for pattern in _RANKED_TOTALS:
            for match in pattern.finditer(folded):
                span = match.span("score")
                if any(a < span[1] and span[0] < b for a, b in taken):
                    continue
                taken.append(span)
                quote = original[match.start() : match.end()]
                sentence, clause = _sentence_before(folded, match.start())
                if group_of(clause) is not None and match["max"] is None:
                    continue  # a group's rank, its maximum unknown: not a total
                if _UNIT_WORDS.search(original[match.start() - len(clause) : match.start()]):
                    continue  # a department's or a district's figure, not the province's
                stated, reason = _ranked_total(match, quote, sentence, clause, period)
                if stated is None:
                    rejects.append(RejectedFigure(quote, reason or ""))
                else:
                    add(stated, quote)
        for match in _SCORE.finditer(folded):
            span = match.span("score")
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            label = re.split(r"(?<!\d)\.\s+", match["label"])[-1].strip(" -+•*.,()")
            score = _parse_score(match["score"])
            maximum = float(match["max"])
            if score is None:
                continue
            group = group_of(label)
            label_start = match.start("label") + max(match["label"].rfind(label), 0)
            if _UNIT_WORDS.search(original[label_start : match.start("score")]):
                continue  # "Sở Tư pháp đạt 85/100 điểm": a unit's figure, not the province's
            if match["points"] is None and match["link"] is None:
                continue  # "x/y" alone ("75 * 22 / 100"): not a stated score
            if _TOTAL_LABEL.search(label) and maximum == 100:
                group_code: str | None = None
            elif match["points"] is None:
                continue  # "đạt x/y" without "điểm": only a total's "/100" is read
            elif group is not None and maximum == GROUP_MAXIMA[group]:
                group_code = group
            elif group == "CLGQ" and maximum == GROUP_MAXIMA["DVTT"]:
                group_code = "DVTT"
            else:
                continue
            quote = original[label_start : match.end()].strip()
            if _negative(folded, match.start("score")):
                rejects.append(RejectedFigure(quote, f"điểm âm (-{_vn(score)})"))
                continue
            if score > maximum:
                rejects.append(
                    RejectedFigure(quote, f"điểm {_vn(score)} lớn hơn điểm tối đa {_vn(maximum)}")
                )
                continue
            sentence, clause = _sentence_before(folded, match.start("score"))
            named, reason = _statement_period(clause, sentence, period)
            if reason is not None:
                rejects.append(RejectedFigure(quote, reason))
                continue
            add(StatedScore(group_code, score, maximum, label, named), quote)
    return list(scores.values())


def _ranked_total(
    match: re.Match[str], quote: str, sentence: str, clause: str, period: Period | None
) -> tuple[StatedScore | None, str | None]:
    """The total and rank one ``_RANKED_TOTALS`` match states, or why it is rejected."""
    score = _parse_score(match["score"])
    rank = int(match["rank"])
    cohort = int(match["cohort"]) if match["cohort"] else None
    if score is None:
        return None, "điểm không đọc được"
    if _negative(match.string, match.start("score")):
        return None, f"điểm âm (-{_vn(score)})"
    if score > 100:
        return None, f"điểm {_vn(score)} lớn hơn điểm tối đa 100"
    if rank < 1:
        return None, f"thứ hạng {rank} không hợp lệ"
    if cohort is not None and rank > cohort:
        return None, f"thứ hạng {rank} lớn hơn số đơn vị được xếp hạng ({cohort})"
    named, reason = _statement_period(clause, sentence, period)
    if reason is not None:
        return None, reason
    return StatedScore(None, score, 100.0, quote, named, rank, cohort), None


# Band names as letters write them (folded), "Trung bình khá" (another scale) excluded.
BAND_CODES: dict[str, str] = {
    "xuat sac": "XUAT_SAC",
    "tot": "TOT",
    "kha": "KHA",
    "trung binh": "TRUNG_BINH",
    "yeu": "YEU",
}
_BAND = r"(?P<band>xuat sac|tot|kha|trung binh|yeu)\b(?!\s+kha)"
_WHO = r"(?P<who>[a-z ,/&]{0,40}?)"
# "Có 02/17 cơ quan xếp loại Tốt", "Không có UBND cấp huyện xếp loại Yếu", "có 13 địa
# phương được xếp loại tốt", "8 sở được xếp loại tốt" (folded).
_COUNT_OF = re.compile(
    rf"\bco\s+(?P<n>\d{{1,4}})\s*/\s*(?P<total>\d{{1,4}})\s+{_WHO}\s*(?:duoc\s+)?xep loai\s+{_BAND}"
)
_NONE_OF = re.compile(rf"\bkhong co\s+{_WHO}\s*(?:duoc\s+)?xep loai\s+{_BAND}")
_COUNT = re.compile(
    r"(?:^|[^\d/.,])(?P<n>\d{1,4})\s+(?P<who>so|co quan|dia phuong|don vi|ubnd [a-z ,]{0,25}?)"
    rf"\s+(?:duoc\s+)?xep loai\s+{_BAND}"
)
_LEVEL_HEADING = re.compile(r"^[-+*•\s]*(?P<head>[a-z ,/]{3,40}):?\s*$")
# The band table of a letter as running text: "Cấp hành chính Xuất sắc Tốt Khá Trung
# bình Yếu Tổng", then one row per level ("1 Sở, ban, ngành cấp tỉnh 0 02 07 9 0 18").
_BAND_TABLE_HEAD = re.compile(r"xuat sac\s+tot\s+kha\s+trung binh\s+yeu\s+tong\b")
_BAND_TABLE_ROW = re.compile(
    r"(?:^|\s)(?:\d{1,2}\s+)?(?P<label>[a-z][^0-9%]*?)\s+"
    r"(?P<counts>(?:\d{1,4}\s+){5})(?P<total>\d{1,4})(?=\s|$)"
)
_BAND_TABLE_END = re.compile(r"^(ty le|ti le)\b")


def _level_of_who(who: str, sentence: str, heading: str | None) -> str | None:
    """The level counted units are at: named by who they are ("UBND cấp xã", "sở"), by
    their sentence, else by the heading they are listed under."""
    level = level_of(who) or level_of(sentence)
    if level is None and re.match(r"so\b", who.strip()):
        level = "department"
    return level or heading


def stated_band_counts(
    text: str, rejected: list[RejectedFigure] | None = None
) -> list[StatedBandCount]:
    """Units per level and band the text states, in sentences under a level heading
    ("- Cấp huyện:" then "Có 02/11 cơ quan xếp loại Khá.", "Không có … xếp loại Tốt.")
    or as a band table's rows, with the level's total when stated ("02/17", the table's
    "Tổng"). A count over its total, a row whose bands do not add up to its total, a
    level whose counts exceed it or state two totals, or a second different count, goes
    to ``rejected`` with the reason; the other counts are kept."""
    rejects: list[RejectedFigure] = [] if rejected is None else rejected
    found: list[StatedBandCount] = []
    heading: str | None = None
    lines = text.splitlines()
    for index, line in enumerate(lines):
        original, folded = _aligned(line)
        if not folded.strip():
            continue
        if (head := _LEVEL_HEADING.match(folded)) and level_of(head["head"]):
            heading = level_of(head["head"])
            continue
        if _BAND_TABLE_HEAD.search(folded):
            found += _band_table(lines[index + 1 :], rejects)
            continue
        for pattern in (_COUNT_OF, _NONE_OF, _COUNT):
            for match in pattern.finditer(folded):
                quote = original[match.start() : match.end()].strip()
                level = _level_of_who(match["who"], folded, heading)
                if level is None:
                    rejects.append(RejectedFigure(quote, "không xác định được cấp đơn vị"))
                    continue
                count = int(match["n"]) if "n" in match.groupdict() else 0
                total = int(match["total"]) if "total" in match.groupdict() else None
                if total is not None and count > total:
                    rejects.append(
                        RejectedFigure(quote, f"số đơn vị {count} lớn hơn tổng số {total}")
                    )
                    continue
                found.append(StatedBandCount(level, BAND_CODES[match["band"]], count, total, quote))
    return _checked_levels(found, rejects)


def _band_table(lines: list[str], rejects: list[RejectedFigure]) -> list[StatedBandCount]:
    """The rows of a band table written as text, up to its "Tỷ lệ" row (or 20 lines)."""
    block: list[str] = []
    for line in lines[:20]:
        if _BAND_TABLE_END.match(fold(line)):
            break
        block.append(line)
    original, folded = _aligned(" ".join(block))
    found: list[StatedBandCount] = []
    for match in _BAND_TABLE_ROW.finditer(folded):
        label = match["label"].strip()
        if _SUMMARY_TOTAL.match(label):
            continue  # the table's "Tổng số đơn vị" row: the sum of the levels
        quote = original[match.start("label") : match.end()].strip()
        level = level_of(label) or level_of_name(label)
        if level is None:
            rejects.append(RejectedFigure(quote, "không xác định được cấp đơn vị"))
            continue
        counts = [int(n) for n in match["counts"].split()]
        total = int(match["total"])
        if sum(counts) != total:
            rejects.append(
                RejectedFigure(quote, f"tổng các loại ({sum(counts)}) khác cột Tổng ({total})")
            )
            continue
        found += [
            StatedBandCount(level, code, count, total, quote)
            for code, count in zip(BAND_CODES.values(), counts, strict=True)
        ]
    return found


_SUMMARY_TOTAL = re.compile(r"^(tong|cong|toan tinh)\b")


def _checked_levels(
    found: list[StatedBandCount], rejects: list[RejectedFigure]
) -> list[StatedBandCount]:
    """Counts per (level, band) once, each level with one total ("Không có …" counts
    take the level's), its counts adding up to no more than it."""
    by_level: dict[str, dict[str, StatedBandCount]] = {}
    for stated in found:
        bands = by_level.setdefault(stated.unit_level, {})
        first = bands.get(stated.band_code)
        if first is not None and first.unit_count != stated.unit_count:
            rejects.append(
                RejectedFigure(
                    stated.text, f"số liệu nêu lần hai với giá trị khác ({first.unit_count})"
                )
            )
            continue
        bands.setdefault(stated.band_code, stated)
    kept: list[StatedBandCount] = []
    for level, bands in by_level.items():
        totals = {c.level_total for c in bands.values() if c.level_total is not None}
        if len(totals) > 1:
            listed = ", ".join(str(t) for t in sorted(totals))
            rejects += [
                RejectedFigure(c.text, f"cấp {level} nêu nhiều tổng số đơn vị ({listed})")
                for c in bands.values()
            ]
            continue
        total = next(iter(totals), None)
        if total is not None and sum(c.unit_count for c in bands.values()) > total:
            rejects += [
                RejectedFigure(c.text, f"tổng số đơn vị các loại vượt tổng số {total}")
                for c in bands.values()
            ]
            continue
        kept += [
            StatedBandCount(c.unit_level, c.band_code, c.unit_count, total, c.text)
            for c in bands.values()
        ]
    return kept


# A dated copy's header ("date 2024-08" or "date 2024-08-20" before the text).
_DATE_HEADER = re.compile(r"date\s+(?P<year>\d{4})-(?P<month>\d{2})(?:-(?P<day>\d{2}))?\b")


def dated_header(text: str) -> StatedCutoff | None:
    """The date a copy's header gives (``date 2024-08``): a cut-off of precision 'month'
    (end of that month) or 'day', used only when the text states no cut-off itself."""
    match = _DATE_HEADER.match(text.lstrip())
    if match is None:
        return None
    year, month = int(match["year"]), int(match["month"])
    try:
        if match["day"]:
            day, precision = date(year, month, int(match["day"])), "day"
        else:
            day, precision = Period.month(year, month).end, "month"
    except ValueError:
        return None
    return StatedCutoff(datetime.combine(day, time.max, TIMEZONE), precision, match.group(0))


def stated_cutoffs(text: str) -> list[StatedCutoff]:
    """Data cut-offs the text states, in order, without repeats; the date of a copy's
    header (:func:`dated_header`) only when the text states none."""
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
    if not found and (header := dated_header(text)) is not None:
        found.append(header)
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
