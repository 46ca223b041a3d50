"""The national-scale benchmark. ``uv run python -m bench.run`` prints a table and writes
``bench/results/<date>.md`` and ``.json``. Everything runs on this machine: the local
portal serves the generated national dataset (34 provinces, ~3,900 units) on 127.0.0.1.

Steps: fill the raw store with N national months; rebuild core and marts from it (wall
time, peak memory, rows per second) against the floor for the same bytes (the faster of
DuckDB ``read_text`` and Python ``json.loads`` of every file) and against what writing
its results alone costs (the rebuilt tables copied to a new file); a nightly run over HTTP
(three months re-captured after the portal revised one, derived and published, the night
after a night that changed September: the steady state, not the first night after the
history was filled) split into Dagster overhead, HTTP and work, with 36 and with 6 months
of history; an N-month backfill as one run vs one run per month; analyst queries on the
published file (median latency), and the figures of one provincial letter as of a data
cut-off (``dvc766 report --cutoff``). Every measured step starts with the disk written
back (``os.sync``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT = Path(__file__).resolve().parents[1]
FIRST_MONTH = "2024-01"
FILL_TODAY = date(2027, 1, 10)  # every benchmark month closed, before November's revision
NIGHTLY_TODAY = date(2027, 1, 16)  # November 2026 is revised on this day
DEFAULT_PAUSE_S = 1.25  # mean pause between requests at the default delay (1 s + jitter ≤ 0.5 s)
SHORT_HISTORY = 6  # months of history of the second nightly (nightly_history_ratio)
HISTORY_DAYS_AGO = 2  # the filled history was captured two nights before the nightly
PREVIOUS_NIGHT_MONTHS_BACK = 3  # the night before the nightly re-captured the month this
# many months before the last (September for December), as the portal showed it the day
# before its revision (the 16th, two months later)

LETTER = ("H44", "2026-11", datetime(2027, 1, 20, 16, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
"""The letter measured: a province, a month and a data cut-off after its revision."""


QUERIES = {
    "month_scoreboard": """
        SELECT unit_name, total_score, band, rank, prev_rank, rank_move
        FROM mart.score_changes
        WHERE parent_unit_id = (SELECT unit_id FROM core.units WHERE unit_code = 'H44'
                                AND unit_level = 'province')
          AND unit_level = 'department' AND period_type = 'month'
          AND period_start = DATE '2026-12-01'
        ORDER BY rank""",
    "biggest_movers": """
        SELECT unit_name, unit_level, rank_move, delta_points FROM mart.score_changes
        WHERE period_type = 'month' AND period_start = DATE '2026-12-01' AND comparable
        ORDER BY abs(rank_move) DESC, unit_name LIMIT 10""",
    "band_counts": """
        SELECT unit_level, band, sum(unit_count) AS units FROM mart.band_counts
        WHERE period_type = 'month' AND period_start = DATE '2026-12-01'
          AND parent_unit_id IS NOT NULL
        GROUP BY ALL ORDER BY ALL""",
    "unit_history": """
        SELECT period_start, total_score, rank, band FROM mart.unit_period_scores
        WHERE unit_id = (SELECT unit_id FROM core.units WHERE unit_code = 'H44'
                         AND unit_level = 'province')
          AND period_type = 'month' ORDER BY period_start""",
}


def _step(name: str, *args: str) -> tuple[dict, float]:
    """Run ``bench.steps`` in a child process; return its output and peak RSS in MB."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.steps", name, *args],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read() if process.stdout else ""
    if status != 0:
        raise RuntimeError(f"bench step {name} failed ({status})")
    return json.loads(output.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def _env(work: Path, name: str) -> None:
    os.environ["DVC766_WAREHOUSE"] = str(work / name / "dvc766.duckdb")
    os.environ["DVC766_RAW_STORE"] = str(work / "raw")
    os.environ["DVC766_REQUEST_DELAY"] = "0"


def _portal(today: date, port: int = 18766) -> tuple[subprocess.Popen, str]:
    """The local portal in its own process, as in production (not sharing our GIL)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "fake-portal",
            "--port",
            str(port),
            "--today",
            today.isoformat(),
        ],
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import httpx

    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{url}/__admin/health", timeout=1)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the local portal did not start")


def _previous_night(warehouse, instance, last) -> None:
    """The night before the nightly measured, as in production: some replies changed then
    (a month before ``last`` re-captured as the portal showed it before its revision,
    dated one day ago), and that night's run normalised, derived, published and charted
    them. So the nightly measured clears only that night's moves from
    ``mart.since_yesterday``, not those of the whole filled history (every row of it moved
    on the night it was filled), and the history's first publication and charts are
    done."""
    from bench.fill import fill
    from pipelines.runner import materialize_months

    month = _months_back(last, PREVIOUS_NIGHT_MONTHS_BACK)
    revised = month.next().next().start
    today = date(revised.year, revised.month, 15)
    fill(warehouse, month, 1, today, days_ago=1)
    portal, url = _portal(today, port=18767)
    os.environ["DVC766_PORTAL_URL"] = url
    try:
        result = materialize_months(
            month.start.isoformat(),
            month.start.isoformat(),
            capture_config={"today": today.isoformat()},
            instance=instance,
        )
    finally:
        portal.terminate()
        portal.wait()
    if not result.success:
        raise RuntimeError("the previous night's run failed")


def _settled() -> None:
    """Write every dirty page to disk before a measured step, so that none measures the
    write-back of what the step before it wrote (the fill, a backfill)."""
    os.sync()


def _run_split(result, run_id: str, database: Path, wall: float) -> dict:
    """Split a run's wall time into Dagster overhead, HTTP and work."""
    import duckdb

    steps = 0.0
    for event in result.all_events:
        if event.event_type_value == "STEP_SUCCESS":
            steps += event.event_specific_data.duration_ms / 1000
    with duckdb.connect(str(database), read_only=True) as con:
        http, requests = con.execute(
            "SELECT coalesce(sum(elapsed_ms), 0) / 1000, count(*) FROM ops.fetch_attempts "
            "WHERE run_id = ?",
            [run_id],
        ).fetchone()
    politeness = requests * float(os.environ.get("DVC766_REQUEST_DELAY", "1.0")) * 1.25
    return {
        "wall_s": wall,
        "dagster_overhead_s": max(wall - steps, 0.0),
        "http_s": http,
        "politeness_s": politeness,
        "work_s": max(steps - http - politeness, 0.0),
        "requests": requests,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--work", default=str(PROJECT / "bench" / "work"))
    parser.add_argument(
        "--per-month-months",
        type=int,
        default=6,
        help="months actually run one run per month (the slowest step); the figure for all "
        "months is extrapolated from them (0: skip)",
    )
    parser.add_argument(
        "--results",
        default=str(PROJECT / "bench" / "results"),
        help="folder the dated .md and .json go to",
    )
    args = parser.parse_args()
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.environ["DAGSTER_HOME"] = str(work / "dagster")
    from bench.fill import fill
    from pipelines.resources import WarehouseResource
    from pipelines.runner import local_instance, materialize_months
    from warehouse.periods import Period
    from warehouse.publish import published_path

    figures: dict = {"months": args.months}
    first = Period.parse(FIRST_MONTH)
    last = first
    for _ in range(args.months - 1):
        last = last.next()

    # 1. scale data
    base = work / "base"
    base.mkdir()
    warehouse = WarehouseResource(path=str(base / "dvc766.duckdb"), raw_store_dir=str(work / "raw"))
    t0 = time.perf_counter()
    filled = fill(warehouse, first, args.months, FILL_TODAY, days_ago=HISTORY_DAYS_AGO)
    figures["fill"] = {**filled, "seconds": time.perf_counter() - t0}
    print(
        f"filled {filled['files']} files, {filled['bytes'] / 1e6:.0f} MB "
        f"in {figures['fill']['seconds']:.0f} s",
        flush=True,
    )

    # 2. rebuild vs floor
    _settled()
    rebuilt, peak = _step("rebuild", str(base / "dvc766.duckdb"), str(work / "raw"))
    figures["rebuild"] = {**rebuilt, "peak_rss_mb": peak}
    import duckdb

    with duckdb.connect(str(base / "dvc766.duckdb"), read_only=True) as con:
        paths = [
            str(work / "raw" / p)
            for (p,) in con.execute("SELECT DISTINCT blob_path FROM raw.responses").fetchall()
        ]
    list_file = work / "files.txt"
    list_file.write_text("\n".join(paths))
    read_text, _ = _step("read_text", str(list_file))
    loads, _ = _step("json_loads", str(list_file))
    floor = min(read_text["seconds"], loads["seconds"])
    _settled()
    written, _ = _step("write_floor", str(base / "dvc766.duckdb"), str(work / "copy.duckdb"))
    figures["floor"] = {
        "read_text_s": read_text["seconds"],
        "json_loads_s": loads["seconds"],
        "files": len(paths),
        "write_s": written["seconds"],
        "write_rows": written["rows"],
    }
    print(
        f"rebuild {rebuilt['rebuild_s']:.1f} s (floor {floor:.1f} s), peak {peak:.0f} MB",
        flush=True,
    )

    # 3. backfill: one run vs one run per month, on copies of the filled warehouse
    portal, url = _portal(FILL_TODAY)
    os.environ["DVC766_PORTAL_URL"] = url
    try:
        instance = local_instance()
        backfill = {}
        variants = [("single_run", [(first, last)])]
        per_month = list(_months(first, last))[-args.per_month_months :]
        if args.per_month_months:
            variants.append(("per_month", [(m, m) for m in per_month]))
        for name, ranges in variants:
            shutil.copytree(base, work / name)
            _env(work, name)
            _settled()
            t0 = time.perf_counter()
            for start, end in ranges:
                run_t0 = time.perf_counter()
                result = materialize_months(
                    start.start.isoformat(),
                    end.start.isoformat(),
                    capture_config={"today": FILL_TODAY.isoformat()},
                    instance=instance,
                )
                if not result.success:
                    raise RuntimeError(f"backfill {name} failed")
                if name == "single_run":
                    backfill["single_run_split"] = _run_split(
                        result,
                        result.run_id,
                        work / name / "dvc766.duckdb",
                        time.perf_counter() - run_t0,
                    )
            backfill[name] = time.perf_counter() - t0
            print(f"backfill {name} ({len(ranges)} run(s)): {backfill[name]:.0f} s", flush=True)
        if "per_month" in backfill:
            backfill["per_month_measured_runs"] = len(per_month)
            backfill["per_month_measured_s"] = backfill["per_month"]
            backfill["per_month"] *= args.months / len(per_month)
        figures["backfill"] = backfill
    finally:
        portal.terminate()
        portal.wait()

    # 4. nightly: three months re-captured after November's revision, derived, published
    name = "single_run" if "single_run" in backfill else "base"
    _env(work, name)
    _previous_night(
        WarehouseResource(path=str(work / name / "dvc766.duckdb"), raw_store_dir=str(work / "raw")),
        instance,
        last,
    )
    portal, url = _portal(NIGHTLY_TODAY)
    os.environ["DVC766_PORTAL_URL"] = url
    try:
        nightly_first = last.previous().previous()
        _settled()
        t0 = time.perf_counter()
        result = materialize_months(
            nightly_first.start.isoformat(),
            last.start.isoformat(),
            capture_config={"today": NIGHTLY_TODAY.isoformat()},
            instance=instance,
        )
        wall = time.perf_counter() - t0
        if not result.success:
            raise RuntimeError("nightly run failed")
        figures["nightly"] = _run_split(result, result.run_id, work / name / "dvc766.duckdb", wall)
        print(f"nightly {wall:.1f} s", flush=True)

        # one province, one month, on the same warehouse (what an analyst's capture costs)
        _settled()
        t0 = time.perf_counter()
        result = materialize_months(
            last.start.isoformat(),
            last.start.isoformat(),
            capture_config={"today": NIGHTLY_TODAY.isoformat(), "provinces": ["H44"]},
            instance=instance,
        )
        if not result.success:
            raise RuntimeError("one-province capture failed")
        figures["capture_one_province_s"] = time.perf_counter() - t0
        print(f"one province, one month {figures['capture_one_province_s']:.1f} s", flush=True)

        # the same nightly on a warehouse holding only the last 6 months
        six = work / "six_months"
        six.mkdir()
        short = WarehouseResource(path=str(six / "dvc766.duckdb"), raw_store_dir=str(work / "raw"))
        fill(
            short,
            _months_back(last, SHORT_HISTORY - 1),
            SHORT_HISTORY,
            FILL_TODAY,
            days_ago=HISTORY_DAYS_AGO,
        )
        _step("rebuild", str(six / "dvc766.duckdb"), str(work / "raw"))
        _env(work, "six_months")
        _previous_night(short, instance, last)
        os.environ["DVC766_PORTAL_URL"] = url
        _settled()
        t0 = time.perf_counter()
        result = materialize_months(
            nightly_first.start.isoformat(),
            last.start.isoformat(),
            capture_config={"today": NIGHTLY_TODAY.isoformat()},
            instance=instance,
        )
        wall = time.perf_counter() - t0
        if not result.success:
            raise RuntimeError("nightly run (6 months of history) failed")
        figures["nightly_6"] = _run_split(result, result.run_id, six / "dvc766.duckdb", wall)
        print(f"nightly with {SHORT_HISTORY} months of history {wall:.1f} s", flush=True)
    finally:
        portal.terminate()
        portal.wait()

    # 5. analyst queries on the published file
    published = published_path(work / name / "dvc766.duckdb")
    latencies = {}
    with duckdb.connect(str(published), read_only=True) as con:
        for query_name, sql in QUERIES.items():
            con.execute(sql).fetchall()
            samples = []
            for _ in range(25):
                t0 = time.perf_counter()
                con.execute(sql).fetchall()
                samples.append((time.perf_counter() - t0) * 1000)
            latencies[query_name] = statistics.median(samples)
    figures["query_ms"] = latencies
    figures["letter_s"] = _letter_seconds(published)
    _write(figures, floor, Path(args.results))


def _letter_seconds(published: Path) -> float:
    """Median seconds of the figures of one provincial letter as of a cut-off (what
    ``dvc766 report --cutoff`` and the webhook read) on the published file."""
    from pipelines.outputs.letter_data import load_letter_data
    from warehouse.connection import connect_reader
    from warehouse.periods import Period

    province, period, cutoff = LETTER
    samples = []
    with connect_reader(published) as con:
        for _ in range(5):
            t0 = time.perf_counter()
            load_letter_data(con, province, Period.parse(period), cutoff)
            samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def _months_back(last, count: int):
    """The month ``count`` months before ``last``."""
    current = last
    for _ in range(count):
        current = current.previous()
    return current


def _commit() -> str:
    """The commit measured, ``+dirty`` when the working tree has changes."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=PROJECT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "HEAD") or "unknown"
    return head + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def _months(first, last):
    current = first
    while current <= last:
        yield current
        current = current.next()


def _machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as handle:
        memory_gb = int(handle.readline().split()[1]) / 1024 / 1024
    import dagster
    import duckdb
    import polars

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dagster": dagster.__version__,
        "polars": polars.__version__,
        "os": platform.platform(),
    }


def _write(figures: dict, floor: float, results: Path) -> None:
    rebuild = figures["rebuild"]
    nightly = figures["nightly"]
    nightly_6 = figures["nightly_6"]
    split = figures["backfill"].get("single_run_split", {})
    summary = {
        "date": date.today().isoformat(),
        "commit": _commit(),
        "machine": _machine(),
        "months": figures["months"],
        "raw_files": figures["floor"]["files"],
        "raw_mb": round(figures["fill"]["bytes"] / 1e6, 1),
        "rebuild_s": round(rebuild["rebuild_s"], 2),
        "rebuild_core_s": round(rebuild["core_s"], 2),
        "rebuild_marts_s": round(rebuild["marts_s"], 2),
        "rows_per_s": round(rebuild["core_rows"] / rebuild["core_s"]),
        "floor_s": round(floor, 2),
        "floor_read_text_s": round(figures["floor"]["read_text_s"], 2),
        "floor_json_loads_s": round(figures["floor"]["json_loads_s"], 2),
        "rebuild_over_floor": round(rebuild["rebuild_s"] / floor, 2),
        "write_floor_s": round(figures["floor"]["write_s"], 2),
        "write_floor_rows": figures["floor"]["write_rows"],
        "write_floor_over_floor": round(figures["floor"]["write_s"] / floor, 2),
        "peak_rss_mb": round(rebuild["peak_rss_mb"]),
        "nightly_s": round(nightly["wall_s"], 2),
        "nightly_split_s": {k: round(v, 2) for k, v in nightly.items() if k != "wall_s"},
        "nightly_http_s": round(nightly["http_s"], 2),
        "nightly_over_http": round(nightly["wall_s"] / max(nightly["http_s"], 1e-9), 2),
        "nightly_6_s": round(nightly_6["wall_s"], 2),
        "nightly_6_split_s": {k: round(v, 2) for k, v in nightly_6.items() if k != "wall_s"},
        "nightly_history_ratio": round(nightly["wall_s"] / nightly_6["wall_s"], 2),
        "capture_one_province_s": round(figures["capture_one_province_s"], 2),
        "backfill_single_run_s": round(figures["backfill"].get("single_run", 0), 1),
        "backfill_single_run_split_s": {
            "dagster_overhead_s": round(split.get("dagster_overhead_s", 0), 2),
            "http_s": round(split.get("http_s", 0), 2),
            "politeness_delay_s": round(split.get("politeness_s", 0), 2),
            "work_s": round(split.get("work_s", 0), 2),
            "requests": split.get("requests", 0),
            "politeness_at_default_delay_s": round(split.get("requests", 0) * DEFAULT_PAUSE_S),
        },
        "backfill_per_month_s": round(figures["backfill"].get("per_month", 0), 1),
        "backfill_per_month_note": (
            f"{figures['backfill'].get('per_month_measured_runs', 0)} monthly runs measured "
            f"({round(figures['backfill'].get('per_month_measured_s', 0), 1)} s), "
            f"extrapolated to {figures['months']}"
        ),
        "query_ms": {k: round(v, 2) for k, v in figures["query_ms"].items()},
        "letter_as_of_s": round(figures["letter_s"], 2),
        "fill_s": round(figures["fill"]["seconds"], 1),
    }
    rows = [
        ("raw store", f"{summary['raw_files']} files, {summary['raw_mb']} MB", ""),
        (
            "rebuild core + marts",
            f"{summary['rebuild_s']} s "
            f"(core {summary['rebuild_core_s']} s, marts {summary['rebuild_marts_s']} s)",
            "≤ 2 × floor",
        ),
        (
            "floor (min of read_text, json.loads)",
            f"{summary['floor_s']} s "
            f"(read_text {summary['floor_read_text_s']} s, json.loads "
            f"{summary['floor_json_loads_s']} s)",
            "",
        ),
        ("rebuild ÷ floor", f"{summary['rebuild_over_floor']}", "≤ 2"),
        (
            "writing the rebuild's tables, nothing computed",
            f"{summary['write_floor_s']} s ({summary['write_floor_rows']:,} rows; "
            f"{summary['write_floor_over_floor']} × floor)",
            "",
        ),
        ("peak memory of the rebuild", f"{summary['peak_rss_mb']} MB", "< 2,048 MB"),
        ("core rows per second", f"{summary['rows_per_s']:,}", ""),
        (
            "nightly run (3 months + Q + Y, HTTP, derive, publish)",
            f"{summary['nightly_s']} s " + str(summary["nightly_split_s"]),
            "< 30 s",
        ),
        ("nightly ÷ its HTTP time", f"{summary['nightly_over_http']}", "≤ 2"),
        (
            f"nightly with {SHORT_HISTORY} months of history",
            f"{summary['nightly_6_s']} s " + str(summary["nightly_6_split_s"]),
            "",
        ),
        (
            f"nightly {summary['months']} months ÷ {SHORT_HISTORY} months",
            f"{summary['nightly_history_ratio']}",
            "≤ 1.25",
        ),
        ("capture of one province, one month", f"{summary['capture_one_province_s']} s", ""),
        (
            f"backfill of {summary['months']} months, one run",
            f"{summary['backfill_single_run_s']} s " + str(summary["backfill_single_run_split_s"]),
            "",
        ),
        (
            f"backfill of {summary['months']} months, one run per month",
            f"{summary['backfill_per_month_s']} s",
            "",
        ),
        *((f"query {k} (median)", f"{v} ms", "< 100 ms") for k, v in summary["query_ms"].items()),
        ("figures of one letter as of a cut-off (median)", f"{summary['letter_as_of_s']} s", ""),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{name:<{width}}  {value}  {target}".rstrip() for name, value, target in rows]
    print("\n".join(lines))
    results.mkdir(parents=True, exist_ok=True)
    stem = summary["date"]
    (results / f"{stem}.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    machine = summary["machine"]
    (results / f"{stem}.md").write_text(
        f"# dvc766 benchmark, {stem}\n\nMachine: {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory_gb']} GB; Python {machine['python']}, DuckDB {machine['duckdb']}, "
        f"Dagster {machine['dagster']}, polars {machine['polars']}; {machine['os']}.\n"
        f"Run at {datetime.now().isoformat(timespec='seconds')} with "
        "`uv run python -m bench.run`.\n\n```\n" + "\n".join(lines) + "\n```\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
