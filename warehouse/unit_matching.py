"""Match the units named in files (letters, spreadsheets, saved pages) to known units.

Files carry no portal ids, only names as an officer typed them ("Sở Lao động, TB&XH",
"UBND huyện Hướng Hoá", "Ban QL Khu kinh tế") and sometimes a code. A name is matched
against the units of the same province and level, valid on the file's date: the units
the warehouse has seen (``core.units``) and the reference list of units that no longer
exist on the portal (``core.reference_units``: the 63 pre-2025 provinces, districts …).

In order: by code; by the exact name (NFC, case and spacing aside); by the normalised name
(tone placement, abbreviations, prefixes such as "UBND", kind words such as "huyện",
suffixes such as " - Tỉnh Phú Thọ"); by a fuzzy comparison of the folded names, accepted
only above a threshold, with a clear margin over the next candidate, and logged. Nothing
is guessed silently: every name lands in ``core.unit_match_review`` with its candidates
and status (matched, ambiguous, unmatched), and a name that is not matched keeps a stable
id of its own (``unmatched:<sha>``) so its values are never dropped.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from difflib import SequenceMatcher
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from warehouse.connection import transaction
from warehouse.periods import Period
from warehouse.sql_files import read_sql
from warehouse.vietnamese import clean_cell, fold, place_tones

log = logging.getLogger(__name__)

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
UNMATCHED_PREFIX = "unmatched:"
FUZZY_THRESHOLD = 0.88  # a fuzzy candidate below this is never accepted
FUZZY_MARGIN = 0.05  # … nor when another candidate scores within this of it
REVIEW_FLOOR = 0.5  # candidates listed for review from this score up
NATIONAL_ROOT = "VN"

# Abbreviations officers write, longest first; matched as whole words, any case.
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("LĐ-TB&XH", "Lao động - Thương binh và Xã hội"),
    ("LĐ-TBXH", "Lao động - Thương binh và Xã hội"),
    ("LĐTB&XH", "Lao động - Thương binh và Xã hội"),
    ("LĐTBXH", "Lao động - Thương binh và Xã hội"),
    ("TB&XH", "Thương binh và Xã hội"),
    ("TB-XH", "Thương binh và Xã hội"),
    ("TBXH", "Thương binh và Xã hội"),
    ("NN&PTNT", "Nông nghiệp và Phát triển nông thôn"),
    ("NN-PTNT", "Nông nghiệp và Phát triển nông thôn"),
    ("NNPTNT", "Nông nghiệp và Phát triển nông thôn"),
    ("PTNT", "Phát triển nông thôn"),
    ("KH&CN", "Khoa học và Công nghệ"),
    ("KHCN", "Khoa học và Công nghệ"),
    ("KH&ĐT", "Kế hoạch và Đầu tư"),
    ("KHĐT", "Kế hoạch và Đầu tư"),
    ("VH,TT&DL", "Văn hóa, Thể thao và Du lịch"),
    ("VH, TT&DL", "Văn hóa, Thể thao và Du lịch"),
    ("VH-TT&DL", "Văn hóa, Thể thao và Du lịch"),
    ("VHTT&DL", "Văn hóa, Thể thao và Du lịch"),
    ("VHTTDL", "Văn hóa, Thể thao và Du lịch"),
    ("TN&MT", "Tài nguyên và Môi trường"),
    ("TNMT", "Tài nguyên và Môi trường"),
    ("TT&TT", "Thông tin và Truyền thông"),
    ("GD&ĐT", "Giáo dục và Đào tạo"),
    ("GDĐT", "Giáo dục và Đào tạo"),
    ("GTVT", "Giao thông vận tải"),
    ("LĐ", "Lao động"),
    ("UBND", "Ủy ban nhân dân"),
    ("HĐND", "Hội đồng nhân dân"),
    ("BQL", "Ban Quản lý"),
    ("QL", "Quản lý"),
    ("KKT", "Khu kinh tế"),
    ("KCN", "Khu công nghiệp"),
    ("VP", "Văn phòng"),
    ("TP.HCM", "Thành phố Hồ Chí Minh"),
    ("TPHCM", "Thành phố Hồ Chí Minh"),
    ("HCM", "Hồ Chí Minh"),
    ("TX.", "Thị xã "),
    ("TX", "Thị xã"),
    ("TP.", "Thành phố "),
    ("TP", "Thành phố"),
    ("TT.", "Thị trấn "),
)
_ABBREVIATION_PATTERNS = tuple(
    (re.compile(rf"(?<![\w&]){re.escape(short)}(?![\w&])", re.IGNORECASE), long)
    for short, long in ABBREVIATIONS
)
# Kind words that open a unit's name, longest first (the level is matched separately).
_KINDS = tuple(
    place_tones(k)
    for k in (
        "huyện đảo",
        "thành phố",
        "thị xã",
        "thị trấn",
        "đặc khu",
        "huyện",
        "quận",
        "phường",
        "tỉnh",
        "xã",
        "sở",
    )
)
_PEOPLES_COMMITTEE = place_tones("ủy ban nhân dân")
_SUFFIX = re.compile(r"\s+[-–]\s+(?:tỉnh|thành phố|tp\.?)\s+\S.*$", re.IGNORECASE)
_TRAILING = tuple(place_tones(t) for t in ("cấp tỉnh", "tỉnh", "thành phố"))


@dataclass(frozen=True)
class NormalisedName:
    """A unit name reduced for comparison: its kind word (huyện, xã, sở …) and the rest."""

    kind: str | None
    core: str

    @property
    def text(self) -> str:
        """Kind and core, as stored in the review table."""
        return f"{self.kind} {self.core}" if self.kind else self.core

    @property
    def folded(self) -> str:
        """The core without diacritics: the key of the fuzzy comparison."""
        return fold(self.core)


def exact_key(name: str) -> str:
    """NFC, case-folded, single-spaced: two names with this key are the same text."""
    return clean_cell(name).casefold()


def normalise_unit_name(name: str) -> NormalisedName:
    """Reduce a unit name: NFC, new-style tone placement, lower case, abbreviations
    expanded, punctuation dropped, "UBND" and a " - Tỉnh X" suffix removed, a trailing
    "tỉnh" removed, and the kind word ("huyện", "thị xã", "sở" …) split off."""
    text = _SUFFIX.sub("", clean_cell(name))
    for pattern, long in _ABBREVIATION_PATTERNS:
        text = pattern.sub(long, text)
    text = place_tones(text.replace("&", " và ")).lower()
    text = " ".join(re.sub(r"[^\w\s]", " ", text).split())
    if text.startswith(_PEOPLES_COMMITTEE + " "):
        text = text[len(_PEOPLES_COMMITTEE) + 1 :]
    for trailing in _TRAILING:
        if text.endswith(" " + trailing):
            text = text[: -len(trailing) - 1]
            break
    folded = fold(text)
    for kind in _KINDS:  # also when written without diacritics ("Huyen Dinh Quan")
        if folded.startswith(fold(kind) + " "):
            words = len(kind.split())
            return NormalisedName(kind, " ".join(text.split()[words:]))
    return NormalisedName(None, text)


def unmatched_id(scope: str, name: str) -> str:
    """The stable id of a name that is not matched: a hash of the normalised name and
    the province (or ``VN`` for provinces)."""
    key = f"{scope}|{normalise_unit_name(name).text}"
    return UNMATCHED_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass
class Candidate:
    """A unit a name may refer to, with every name it is known by."""

    unit_id: str
    unit_code: str | None
    unit_level: str
    names: list[str] = field(default_factory=list)
    gso_code: str | None = None


@dataclass(frozen=True)
class MatchResult:
    """The decision for one name."""

    status: str  # matched | ambiguous | unmatched
    method: str | None  # code | exact_name | normalised_name | fuzzy (None: nothing matched)
    unit_id: str | None  # the matched unit
    score: float | None
    candidates: tuple[tuple[str, str, float], ...]  # (unit_id, name, score), best first


def _listed(hits: Sequence[tuple[Candidate, float]]) -> tuple[tuple[str, str, float], ...]:
    ordered = sorted(hits, key=lambda h: (-h[1], h[0].unit_id))
    return tuple((c.unit_id, c.names[0] if c.names else c.unit_id, round(s, 4)) for c, s in ordered)


def province_suffixes(province_names: Iterable[str]) -> tuple[str, ...]:
    """The trailing qualifiers that name a province in a unit's name, folded: " tinh
    quang tri", " thanh pho quang tri", " tp quang tri" … for each of its names."""
    places = {fold(normalise_unit_name(n).core).casefold() for n in province_names}
    return tuple(
        f" {qualifier} {place}"
        for place in sorted(places - {""})
        for qualifier in ("tinh", "thanh pho", "tp", "tp.")
    )


def without_province(name: str, suffixes: Sequence[str]) -> str:
    """``name`` without a trailing qualifier of :func:`province_suffixes`: "Sở Tư pháp
    tỉnh Quảng Trị" in a letter of Quảng Trị is its "Sở Tư pháp"; any other name as it is."""
    folded = fold(clean_cell(name)).casefold()
    for suffix in suffixes:
        if folded.endswith(suffix) and len(folded) > len(suffix):
            words = clean_cell(name).split()
            return " ".join(words[: -len(suffix.split())]).rstrip(" ,-–")
    return name


def match_unit(
    name: str,
    code: str | None,
    candidates: Sequence[Candidate],
    suffixes: Sequence[str] = (),
) -> MatchResult:
    """Match one name (and code) against ``candidates``: code, exact name, normalised name
    (also without a trailing qualifier naming the file's province, ``suffixes`` of
    :func:`province_suffixes`), then fuzzy; ambiguity at any step stops there (never a
    silent pick)."""
    if code:
        hits = [c for c in candidates if c.unit_code and c.unit_code.casefold() == code.casefold()]
        if hits:
            return _decide(hits, "code", 1.0)
    key = exact_key(name)
    hits = [c for c in candidates if any(exact_key(n) == key for n in c.names)]
    if hits:
        return _decide(hits, "exact_name", 1.0)
    given = normalise_unit_name(without_province(name, suffixes))
    scored: list[tuple[Candidate, NormalisedName]] = [
        (c, normalise_unit_name(n)) for c in candidates for n in c.names
    ]
    hits = _unique(
        c for c, n in scored if n.core == given.core and _kinds_agree(given.kind, n.kind)
    )
    if len(hits) > 1 and given.kind:
        same_kind = _unique(c for c, n in scored if n.core == given.core and n.kind == given.kind)
        hits = same_kind or hits
    if hits:
        return _decide(hits, "normalised_name", 1.0)
    best: dict[str, tuple[Candidate, float]] = {}
    for candidate, normalised in scored:
        score = _similarity(given, normalised)
        if score > best.get(candidate.unit_id, (candidate, -1.0))[1]:
            best[candidate.unit_id] = (candidate, score)
    ranked = sorted(best.values(), key=lambda h: -h[1])
    listed = _listed([h for h in ranked if h[1] >= REVIEW_FLOOR][:5])
    if not ranked or ranked[0][1] < FUZZY_THRESHOLD:
        return MatchResult("unmatched", None, None, ranked[0][1] if ranked else None, listed)
    top, top_score = ranked[0]
    if len(ranked) > 1 and ranked[1][1] > top_score - FUZZY_MARGIN:
        return MatchResult("ambiguous", "fuzzy", None, top_score, listed)
    return MatchResult("matched", "fuzzy", top.unit_id, top_score, listed)


def _unique(candidates: Iterable[Candidate]) -> list[Candidate]:
    seen: dict[str, Candidate] = {}
    for candidate in candidates:
        seen.setdefault(candidate.unit_id, candidate)
    return list(seen.values())


def _kinds_agree(given: str | None, known: str | None) -> bool:
    return given is None or known is None or given == known


def _similarity(given: NormalisedName, known: NormalisedName) -> float:
    if not given.folded or not known.folded:
        return 0.0
    if given.folded == known.folded:  # only diacritics differ
        score = 0.99
    else:
        score = SequenceMatcher(None, given.folded, known.folded).ratio()
    if not _kinds_agree(given.kind, known.kind):
        score -= 0.1
    return score


def _decide(hits: list[Candidate], method: str, score: float) -> MatchResult:
    hits = _unique(hits)
    listed = _listed([(c, score) for c in hits])
    if len(hits) == 1:
        return MatchResult("matched", method, hits[0].unit_id, score, listed)
    return MatchResult("ambiguous", method, None, score, listed)


# --- candidates from the warehouse ------------------------------------------------------


def reference_day(period_type: str, period_start: date, captured_at: datetime | None) -> date:
    """The day a file's units must exist on: its cut-off, or the period's last day when
    the cut-off is later (or unknown)."""
    end = Period(period_type, period_start).end  # type: ignore[arg-type]
    if captured_at is None:
        return end
    return min(captured_at.astimezone(TIMEZONE).date(), end)


def load_candidates(
    con: duckdb.DuckDBPyConnection, *, root: str, level: str | None, on: date
) -> list[Candidate]:
    """Units a name in a file of province ``root`` (``VN`` for provinces) may refer to:
    units of that province (and level) seen in core or listed as reference, existing on
    ``on`` by the reference list's dates, each under its canonical id on ``on``
    (``core.unit_identities``: a legacy-API province and its pre-merger reference unit are
    one candidate). Unmatched ids are never candidates."""
    rows = con.execute(
        """
        WITH known AS (   -- under their canonical ids on the day (core.unit_identities)
            SELECT coalesce(i.unit_id, u.unit_id) AS unit_id, u.unit_code, u.unit_name,
                   u.unit_level, coalesce(ip.unit_id, u.province_unit_id) AS province_unit_id,
                   NULL AS gso_code
            FROM core.units AS u
            LEFT JOIN core.unit_identities AS i
                ON i.source_unit_id = u.unit_id
                AND (i.valid_from IS NULL OR i.valid_from <= $on)
                AND (i.valid_to IS NULL OR $on <= i.valid_to)
            LEFT JOIN core.unit_identities AS ip
                ON ip.source_unit_id = u.province_unit_id
                AND (ip.valid_from IS NULL OR ip.valid_from <= $on)
                AND (ip.valid_to IS NULL OR $on <= ip.valid_to)
            WHERE u.unit_id NOT LIKE 'unmatched:%'
            UNION ALL
            SELECT r.unit_id, r.unit_code, n.name, r.unit_level, r.province_unit_id, r.gso_code
            FROM core.reference_units AS r,
                 unnest(list_prepend(r.unit_name, coalesce(r.aliases, []))) AS n(name)
        ),
        validity AS (
            SELECT unit_id, valid_from, valid_to FROM core.reference_units
        )
        SELECT k.unit_id, k.unit_code, k.unit_name, k.unit_level, k.gso_code
        FROM known AS k
        LEFT JOIN validity AS v USING (unit_id)
        WHERE (v.valid_from IS NULL OR v.valid_from <= $on)
          AND (v.valid_to IS NULL OR $on <= v.valid_to)
          AND CASE WHEN $root = 'VN' OR $level = 'province'
                   THEN k.unit_level = 'province'
                   ELSE k.province_unit_id = $root AND k.unit_id <> $root
                        AND ($level IS NULL OR $level = 'unknown' OR k.unit_level = $level)
              END
        ORDER BY k.unit_id, k.unit_name
        """,
        {"on": on, "root": root, "level": level},
    ).fetchall()
    candidates: dict[str, Candidate] = {}
    for unit_id, unit_code, unit_name, unit_level, gso_code in rows:
        candidate = candidates.setdefault(unit_id, Candidate(unit_id, unit_code, unit_level))
        candidate.unit_code = candidate.unit_code or unit_code
        candidate.gso_code = candidate.gso_code or gso_code
        if unit_name and unit_name not in candidate.names:
            candidate.names.append(unit_name)
    return list(candidates.values())


class ProvinceNotFound(ValueError):
    """No single province fits what a file or the user said."""


def resolve_province(con: duckdb.DuckDBPyConnection, hint: str, *, on: date) -> Candidate:
    """The province ``hint`` designates on ``on``: a unit id, an agency code (H50), a GSO
    code (45) or a name ("Quảng Trị", "UBND tỉnh Quảng Trị", "TP HCM")."""
    provinces = load_candidates(con, root=NATIONAL_ROOT, level="province", on=on)
    text = clean_cell(hint)
    by_id = [p for p in provinces if p.unit_id == text]
    if by_id:
        return by_id[0]
    if re.fullmatch(r"\d{1,2}", text):
        hits = [p for p in provinces if p.gso_code == text.zfill(2)]
        if len(hits) == 1:
            return hits[0]
    result = match_unit(text, text if re.fullmatch(r"H\d{2}", text, re.I) else None, provinces)
    if result.status == "matched" and result.method != "fuzzy":
        return next(p for p in provinces if p.unit_id == result.unit_id)
    names = ", ".join(f"{n} ({u})" for u, n, _ in result.candidates[:4]) or "không có"
    raise ProvinceNotFound(
        f"không xác định được tỉnh '{hint}' vào ngày {on.isoformat()} "
        f"({_STATUS_VI.get(result.status, result.status)}; ứng viên: {names})"
    )


_STATUS_VI = {"ambiguous": "nhiều tỉnh khớp", "unmatched": "không tỉnh nào khớp"}


# --- resolving the units of file captures ----------------------------------------------


@dataclass
class MatchSummary:
    """How the names of some file captures were matched."""

    matched: int = 0
    ambiguous: int = 0
    unmatched: int = 0
    by_method: dict[str, int] = field(default_factory=dict)

    def add(self, status: str, method: str | None) -> None:
        """Count one decision."""
        setattr(self, status, getattr(self, status) + 1)
        if status == "matched" and method:
            self.by_method[method] = self.by_method.get(method, 0) + 1


_CORE_TABLES = ("unit_sightings", "group_scores", "metric_values", "group_parameters",
                "reported_totals")  # fmt: skip


def resolve_file_units(con: duckdb.DuckDBPyConnection, capture_ids: Sequence[str]) -> MatchSummary:
    """Match the provisional (``unmatched:``) units of freshly normalised file captures,
    re-point their core rows at the matched units, record every decision in
    ``core.unit_match_review``, derive group points from rates where the methodology says
    how (``methodology.rate_to_points``), and refresh ``core.units`` — one transaction.

    Call it right after ``normalise_captures`` on the same captures (the parser gives
    every named unit its provisional id; this decides what it is)."""
    ids = list(capture_ids)
    summary = MatchSummary()
    if not ids:
        return summary
    pending = con.execute(
        """
        SELECT s.response_id, s.capture_id, s.unit_id, s.unit_name, s.unit_code, s.unit_level,
               r.root_unit_id, r.period_type, r.period_start, r.captured_at
        FROM core.unit_sightings AS s
        JOIN raw.responses AS r USING (response_id)
        WHERE list_contains(?, s.capture_id) AND s.unit_id LIKE 'unmatched:%'
        ORDER BY s.response_id, s.unit_name
        """,
        [ids],
    ).fetchall()
    now = datetime.now(UTC)
    review: list[dict] = []
    cache: dict[tuple[str, str, date], list[Candidate]] = {}
    suffixes: dict[str, tuple[str, ...]] = {}  # per root: its names as trailing qualifiers
    for response_id, capture_id, provisional, name, code, level, root, ptype, pstart, at in pending:
        scope = NATIONAL_ROOT if level == "province" else root
        on = reference_day(ptype, pstart, at)
        key = (scope, level, on)
        if key not in cache:
            cache[key] = load_candidates(con, root=scope, level=level, on=on)
        if root not in suffixes:
            suffixes[root] = province_suffixes(_names_of(con, root))
        result = match_unit(name, code, cache[key], suffixes[root])
        review.append(
            {
                "capture_id": capture_id,
                "response_id": response_id,
                "province_unit_id": scope,
                "unit_level": level,
                "name_given": name,
                "code_given": code,
                "name_normalised": normalise_unit_name(name).text,
                "provisional_unit_id": provisional,
                "unit_id": result.unit_id if result.status == "matched" else provisional,
                "status": result.status,
                "method": result.method,
                "score": result.score,
                "candidates": [
                    {"unit_id": u, "unit_name": n, "score": s} for u, n, s in result.candidates
                ],
                "note": None,
                "matched_at": now,
            }
        )
    taken = con.execute(
        """
        SELECT DISTINCT response_id, unit_id FROM core.unit_sightings
        WHERE list_contains(?, capture_id) AND unit_id NOT LIKE 'unmatched:%'
        """,
        [ids],
    ).fetchall()
    _separate_collisions(review, {(r, u) for r, u in taken})
    for row in review:
        summary.add(row["status"], row["method"])
        if row["method"] == "fuzzy" and row["status"] == "matched":
            log.warning(
                "fuzzy match: %r → %s (score %.3f, capture %s)",
                row["name_given"],
                row["unit_id"],
                row["score"],
                row["capture_id"],
            )
    with transaction(con):
        con.execute(
            "DELETE FROM core.unit_match_review WHERE list_contains(?, capture_id)", [ids]
        ).fetchall()
        if review:
            frame = pl.DataFrame(review, schema=_REVIEW_SCHEMA)
            con.register("match_review", frame)
            try:
                con.execute(
                    "INSERT INTO core.unit_match_review BY NAME SELECT * FROM match_review"
                ).fetchall()
                _repoint(con)
            finally:
                con.unregister("match_review")
        _name_roots(con, ids)
        con.execute(read_sql("core/derive_rate_points.sql"), [ids]).fetchall()
        con.execute(read_sql("core/units_refresh.sql")).fetchall()
    return summary


def _names_of(con: duckdb.DuckDBPyConnection, unit_id: str) -> list[str]:
    """Every name a unit is known by (core.units, the reference list and its aliases)."""
    rows = con.execute(
        """SELECT unit_name FROM core.units WHERE unit_id = $id
           UNION
           SELECT unnest(list_prepend(unit_name, coalesce(aliases, [])))
           FROM core.reference_units WHERE unit_id = $id""",
        {"id": unit_id},
    ).fetchall()
    return sorted({name for (name,) in rows if name})


def _separate_collisions(review: list[dict], taken: set[tuple[str, str]]) -> None:
    """Two names of one reply matched to the same unit, or a name matched to a unit the
    reply already names by id (its province), stay apart, for review."""
    by_target: dict[tuple[str, str], list[dict]] = {}
    for row in review:
        if row["status"] == "matched":
            by_target.setdefault((row["response_id"], row["unit_id"]), []).append(row)
    for key, rows in by_target.items():
        target = key[1]
        if len(rows) < 2 and key not in taken:
            continue
        others = ", ".join(repr(r["name_given"]) for r in rows)
        if key in taken:
            others += f" và đơn vị gốc {target}"
        for row in rows:
            row["status"] = "ambiguous"
            row["unit_id"] = row["provisional_unit_id"]
            row["note"] = f"{others} cùng khớp {target}: giữ riêng để duyệt"


def _repoint(con: duckdb.DuckDBPyConnection) -> None:
    """Point the core rows of matched names at their unit."""
    for table in _CORE_TABLES:
        # ``table`` comes from the fixed _CORE_TABLES allowlist, never from input.
        con.execute(
            f"""
            UPDATE core.{table} AS t SET unit_id = m.unit_id
            FROM match_review AS m
            WHERE t.response_id = m.response_id AND t.unit_id = m.provisional_unit_id
              AND m.unit_id <> m.provisional_unit_id
            """  # noqa: S608
        ).fetchall()
    con.execute(
        """
        UPDATE core.unit_sightings AS t SET province_unit_id = m.unit_id
        FROM match_review AS m
        WHERE t.response_id = m.response_id AND t.province_unit_id = m.provisional_unit_id
          AND m.unit_id <> m.provisional_unit_id
        """
    ).fetchall()
    # A name matched to a unit of the reference list takes its code (H50), which files
    # rarely give: reports and charts find provinces by code.
    con.execute(
        """
        UPDATE core.unit_sightings AS t SET unit_code = r.unit_code
        FROM match_review AS m, core.reference_units AS r
        WHERE t.response_id = m.response_id AND t.unit_id = m.unit_id
          AND m.unit_id <> m.provisional_unit_id AND r.unit_id = m.unit_id
          AND t.unit_code IS NULL AND r.unit_code IS NOT NULL
        """
    ).fetchall()


def _name_roots(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """Give a file's own province (the root of its stated scores) its canonical name and
    code, from the reference list or else the latest sighting from another capture: the
    file names it only in passing ("UBND TỈNH QUẢNG TRỊ")."""
    con.execute(
        """
        UPDATE core.unit_sightings AS s
        SET unit_name = coalesce(
                (SELECT r.unit_name FROM core.reference_units AS r WHERE r.unit_id = s.unit_id),
                (SELECT arg_max(o.unit_name, o.captured_at) FROM core.unit_sightings AS o
                 WHERE o.unit_id = s.unit_id AND NOT list_contains(?, o.capture_id)),
                s.unit_name),
            unit_code = coalesce(
                s.unit_code,
                (SELECT r.unit_code FROM core.reference_units AS r WHERE r.unit_id = s.unit_id))
        FROM raw.responses AS resp
        WHERE s.response_id = resp.response_id AND s.unit_id = resp.root_unit_id
          AND list_contains(?, s.capture_id)
        """,
        [ids, ids],
    ).fetchall()


_REVIEW_SCHEMA = {
    "capture_id": pl.String,
    "response_id": pl.String,
    "province_unit_id": pl.String,
    "unit_level": pl.String,
    "name_given": pl.String,
    "code_given": pl.String,
    "name_normalised": pl.String,
    "provisional_unit_id": pl.String,
    "unit_id": pl.String,
    "status": pl.String,
    "method": pl.String,
    "score": pl.Float64,
    "candidates": pl.List(
        pl.Struct({"unit_id": pl.String, "unit_name": pl.String, "score": pl.Float64})
    ),
    "note": pl.String,
    "matched_at": pl.Datetime("us", "UTC"),
}
