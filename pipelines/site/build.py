"""Write the site: one folder per period (a shareable link names its period), the JSON
each page shows beside it, and the static assets; only the periods whose data changed.

Layout under the output folder::

    index.html                      the periods
    assets/site.css, site.js        styles (screen, phone, A4 print) and table sorting
    <period>/index.html, index.json national table (2026-10, 2026-Q3, 2026)
    <period>/<province>/index.html  province page (+ index.json)
    <period>/<province>/<unit>.html unit page (+ <unit>.json), the province's own included

``.dvc766-site.json`` remembers the published file's sha256 and each period's
fingerprint (its pages' data and the templates), so a build skips everything when the
published file is unchanged and rewrites only the periods that changed otherwise.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from pipelines.outputs.provisional import cutoff_day
from pipelines.site import charts
from pipelines.site.data import History, PeriodData, Row, Source, period_data
from pipelines.site.render import TIMEZONE, environment, render
from warehouse.connection import connect_reader
from warehouse.periods import Period, period_label

STATE_FILE = ".dvc766-site.json"
_KIND_LABELS = {"month": "Tháng", "quarter": "Quý", "half": "6 tháng", "year": "Năm"}
_LOCAL_LABELS = {"commune": "Xã, phường, đặc khu", "district": "Huyện, thị xã, thành phố"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
Page = tuple[str, str, dict[str, Any], dict[str, Any]]
"""A page: its path under the period folder, its template, the data written as JSON
beside it, and what only the template gets (the charts)."""


@dataclass
class SiteBuild:
    """What a build did."""

    out: Path
    source_sha256: str
    built: list[str] = field(default_factory=list)
    """Periods whose pages were (re)written."""
    skipped: list[str] = field(default_factory=list)
    """Periods whose data had not changed."""
    pages: int = 0
    unchanged: bool = False
    """True when the published file was the one of the last build: nothing was read."""


def file_sha256(path: Path) -> str:
    """The sha256 of a file's content."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def page_name(code: str | None, unit_id: str) -> str:
    """A unit's file stem: its code with anything but letters, digits, ``.``, ``_`` and
    ``-`` replaced (the id when it has no code)."""
    stem = _UNSAFE.sub("_", code or unit_id)
    return stem if stem.strip("._") else _UNSAFE.sub("_", unit_id)


@functools.cache
def _templates_digest() -> str:
    digest = hashlib.sha256()
    for folder in ("templates", "static"):
        for item in sorted(resources.files("pipelines.site").joinpath(folder).iterdir(), key=str):
            digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()


def _provisional(period: Period, flag: bool | None, captured_at: str | None) -> bool | None:
    """The mart's ``is_provisional`` when it has one, else whether the values were taken
    on or before the period's last day (Vietnam time); None when nothing is known."""
    if flag is not None:
        return bool(flag)
    if not captured_at:
        return None
    return cutoff_day(datetime.fromisoformat(captured_at)) <= period.end


def _meta(
    data: PeriodData, cutoff: str | None, captured_at: str | None, flag: bool | None = None
) -> dict[str, Any]:
    moment = captured_at or data.captured_at
    return {
        "period": data.period.label,
        "period_type": data.period.period_type,
        "period_start": data.period.start.isoformat(),
        "period_vi": period_label(data.period.period_type, data.period.start),
        "cutoff": cutoff,
        "captured_at": moment,
        "provisional": _provisional(data.period, flag, moment),
    }


def _groups(data: PeriodData, unit_id: str) -> list[Row]:
    scores = data.group_scores.get(unit_id, {})
    peers = data.mart_rows("peers", unit_id) or [{}]
    medians = peers[0].get("cohort_median_groups") or {}
    cards = []
    for group in data.groups:
        found = scores.get(group["group_code"], {})
        score = found.get("score")
        cards.append(
            {
                **group,
                "score": score,
                "points_lost": None if score is None else round(group["max_score"] - score, 2),
                "rank": found.get("rank"),
                "cohort_size": found.get("cohort_size"),
                "cohort_median": medians.get(group["group_code"]),
            }
        )
    return cards


def _row(unit: Row, href: str) -> Row:
    return {**unit, "href": href}


def _optional(data: PeriodData, unit_id: str) -> dict[str, Any]:
    wit = data.mart_rows("what_it_takes", unit_id)
    if wit is not None:
        # ranked indicators first; the rest (a group scored without indicators has no
        # rank) by group and code, so the page is the same whatever order rows came in
        wit = sorted(
            wit,
            key=lambda r: (
                r.get("indicator_rank") is None,
                r.get("indicator_rank") or 0,
                r.get("group_code") or "",
                r.get("indicator_code") or "",
            ),
        )
    return {
        "since_yesterday_rows": data.mart_rows("since_yesterday", unit_id),
        "peer_rows": data.mart_rows("peers", unit_id),
        "what_it_takes_rows": wit,
    }


def _trend(data: PeriodData, unit_id: str) -> list[dict[str, Any]]:
    series = {
        kind: data.history.series(unit_id, kind, data.period.start)
        for kind in ("month", "quarter", "half", "year")
    }
    return charts.trend_charts(series)


def period_pages(data: PeriodData, cutoff: str | None) -> list[Page]:
    """Every page of a period (see :data:`Page`)."""
    pages = []
    provinces = data.provinces()
    national = []
    for province in provinces:
        folder = page_name(province["unit_code"], province["unit_id"])
        groups = {g["group_code"]: g["score"] for g in _groups(data, province["unit_id"])}
        national.append({**_row(province, f"{folder}/index.html"), "groups": groups})
    pages.append(
        (
            "index.html",
            "national.html",
            {
                "meta": _meta(data, cutoff, None),
                "groups": data.groups,
                "bands": data.bands,
                "provinces": national,
            },
            {},
        )
    )
    for province in provinces:
        folder = page_name(province["unit_code"], province["unit_id"])
        pid = province["unit_id"]
        children = data.children(pid)
        local_level = (
            "district" if any(c["unit_level"] == "district" for c in children) else "commune"
        )
        own = page_name(province["unit_code"], pid)
        listed = {
            level: [
                _row(c, page_name(c["unit_code"], c["unit_id"]) + ".html")
                for c in children
                if c["unit_level"] == level
            ]
            for level in ("department", local_level)
        }
        meta = _meta(data, cutoff, province["captured_at"], province["is_provisional"])
        pages.append(
            (
                f"{folder}/index.html",
                "province.html",
                {
                    "meta": meta,
                    "unit": _row(province, f"{own}.html"),
                    "groups": _groups(data, pid),
                    "departments": listed["department"],
                    "locals": listed[local_level],
                    "local_label": _LOCAL_LABELS[local_level],
                    **_optional(data, pid),
                },
                {"charts": _trend(data, pid)},
            )
        )
        for unit in [province, *children]:
            uid = unit["unit_id"]
            history = data.history.series(uid, data.period.period_type, data.period.start)
            rank_history = [
                {
                    **r,
                    "label": period_label(
                        data.period.period_type, date.fromisoformat(r["period_start"])
                    ),
                }
                for r in history
            ]
            pages.append(
                (
                    f"{folder}/{page_name(unit['unit_code'], uid)}.html",
                    "unit.html",
                    {
                        "meta": _meta(data, cutoff, unit["captured_at"], unit["is_provisional"]),
                        "unit": unit,
                        "province_name": province["unit_name"],
                        "groups": _groups(data, uid),
                        "indicators": data.indicators.get(uid, []),
                        "rank_history": rank_history,
                        **_optional(data, uid),
                    },
                    {
                        "charts": _trend(data, uid),
                        "rank_svg": charts.rank_chart(history, data.period.period_type),
                    },
                )
            )
    return pages


def _serialise(pages: list[Page]) -> tuple[list[str], str]:
    """Each page's data as the JSON written beside it, and the period's fingerprint (the
    templates' digest and every page's path and data)."""
    digest = hashlib.sha256(_templates_digest().encode())
    texts = []
    for path, _, context, _ in pages:
        text = json.dumps(context, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest.update(path.encode() + b"\0" + text.encode() + b"\0")
        texts.append(text)
    return texts, digest.hexdigest()


def _json_name(path: str) -> str:
    return path.removesuffix(".html") + ".json"


def _write_period(
    env: jinja2.Environment, target: Path, pages: list[Page], texts: list[str]
) -> int:
    staging = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    for (path, template, context, extra), text in zip(pages, texts, strict=True):
        file = staging / path
        file.parent.mkdir(parents=True, exist_ok=True)
        json_file = file.with_name(Path(_json_name(path)).name)
        json_file.write_text(text, encoding="utf-8")
        root = "../" * (path.count("/") + 1)
        context = {**context, **extra, "root": root, "data_file": json_file.name}
        file.write_text(render(env, template, context), encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return len(pages)


def _write_assets(out: Path) -> None:
    folder = out / "assets"
    folder.mkdir(parents=True, exist_ok=True)
    for item in resources.files("pipelines.site").joinpath("static").iterdir():
        (folder / item.name).write_bytes(item.read_bytes())


def _write_index(
    env: jinja2.Environment, out: Path, found: list[tuple[Period, bool]], cutoff: str | None
) -> None:
    kinds = []
    for kind, label in _KIND_LABELS.items():
        listed = [
            {"slug": p.label, "label": period_label(p.period_type, p.start), "provisional": open_}
            for p, open_ in reversed(found)
            if p.period_type == kind
        ]
        if listed:
            kinds.append({"label": label, "periods": listed})
    meta = {
        "period": None,
        "period_vi": "tất cả",
        "cutoff": cutoff,
        "captured_at": cutoff,
        "provisional": any(open_ for _, open_ in found),
    }
    cutoffs = sorted((p.name for p in out.glob("chot-*") if p.is_dir()), reverse=True)
    context = {"meta": meta, "kinds": kinds, "cutoffs": cutoffs}
    (out / "index.json").write_text(
        json.dumps(context, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    html = render(env, "index.html", {**context, "root": "", "data_file": "index.json"})
    (out / "index.html").write_text(html, encoding="utf-8")


def cutoff_folder(cutoff: datetime) -> str:
    """The folder of a site as of a data cut-off: ``chot-20261105-1600`` (Vietnam time)."""
    moment = cutoff if cutoff.tzinfo else cutoff.replace(tzinfo=TIMEZONE)
    return f"chot-{moment.astimezone(TIMEZONE):%Y%m%d-%H%M}"


def build_site(
    database: Path | str,
    out: Path | str,
    *,
    only: list[Period] | None = None,
    force: bool = False,
    cutoff: datetime | None = None,
) -> SiteBuild:
    """Build the site of the published file ``database`` into ``out``, or with
    ``cutoff`` the figures as they stood then into ``out/chot-YYYYMMDD-HHMM/``.

    Skips everything when the file's sha256 is the last build's (unless ``force``);
    otherwise reads each period (or those in ``only``) and rewrites the periods whose
    fingerprint changed."""
    database, out = Path(database), Path(out)
    if cutoff is not None:
        out = out / cutoff_folder(cutoff)
    out = out.resolve()
    source = file_sha256(database)
    state_path = out / STATE_FILE
    state = json.loads(state_path.read_text()) if state_path.is_file() else {}
    result = SiteBuild(out=out, source_sha256=source)
    same = state.get("source_sha256") == source and (out / "index.html").is_file()
    covered = (
        state.get("all_periods", False)
        if only is None
        else all((out / p.label).is_dir() for p in only)
    )
    if not force and same and covered:
        result.unchanged = True
        return result
    out.mkdir(parents=True, exist_ok=True)
    env = environment()
    known: dict[str, dict[str, Any]] = dict(state.get("periods", {}))
    with connect_reader(database) as con:
        figures = Source(con, cutoff)
        found = figures.periods()
        stated = cutoff.isoformat() if cutoff else figures.latest_capture()
        history = History(figures)
        for period in found:
            if only is not None and period not in only:
                continue
            data = period_data(figures, period, history)
            pages = period_pages(data, stated if cutoff else data.captured_at)
            texts, fingerprint = _serialise(pages)
            target = out / period.label
            previous = known.get(period.label, {})
            if not force and previous.get("fingerprint") == fingerprint and target.is_dir():
                result.skipped.append(period.label)
                continue
            result.pages += _write_period(env, target, pages, texts)
            known[period.label] = {
                "fingerprint": fingerprint,
                "provisional": bool(pages[0][2]["meta"]["provisional"]),
            }
            result.built.append(period.label)
    index = [
        (p, bool(known.get(p.label, {}).get("provisional")))
        for p in found
        if (out / p.label).is_dir()
    ]
    _write_assets(out)
    _write_index(env, out, index, stated)
    state = {
        "source_sha256": source,
        "all_periods": only is None or (same and state.get("all_periods", False)),
        "periods": known,
    }
    state_path.write_text(json.dumps(state, indent=1))
    return result
