"""Progress of a capture run for the ``dvc766`` user.

A national capture with the polite delay between requests takes minutes. While
``capture`` or ``backfill`` runs, the user sees a progress bar on a terminal (periods ×
provinces done, replies received, retries, time left at the current pace) and, when the
output is not a terminal (a log file, cron, CI), one plain line per province capture.

``pipelines.capturing.capture_period`` logs each recorded capture and the number of
provinces of each period at DEBUG on ``pipelines.capturing.progress``; the CLI runs Dagster
in the same process (``pipelines.runner``), so :class:`CaptureProgress`, a logging handler
on that logger, sees them as they happen.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from pipelines.capturing import progress_log

_STATUS = {"complete": "đầy đủ"}


class CaptureProgress(logging.Handler):
    """Counts a run's captures from the capture's progress records and shows them: a
    ``rich`` bar when ``console`` is a terminal, else one line per province capture.

    ``periods`` is how many periods the run captures; ``provinces``, when known (the
    provinces asked for), how many per period, until each period's national list says.
    """

    def __init__(self, console: Console, *, periods: int, provinces: int | None) -> None:
        super().__init__(logging.DEBUG)
        self.console = console
        self.periods = max(periods, 1)
        self.estimate = provinces or None
        self.roots: list[int] = []
        self.done = 0
        self.replies = 0
        self.retries = 0
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    @property
    def total(self) -> int | None:
        """Province captures the run will make, as far as known."""
        per_period = self.roots[-1] if self.roots else self.estimate
        if per_period is None:
            return None
        return sum(self.roots) + (self.periods - len(self.roots)) * per_period

    def emit(self, record: logging.LogRecord) -> None:
        """Take one progress record of ``pipelines.capturing``."""
        try:
            roots = getattr(record, "capture_roots", None)
            if roots is not None:
                self.roots.append(int(roots))
                self._show(None)
            recorded = getattr(record, "capture_recorded", None)
            if recorded is not None:
                self._recorded(*recorded)
        except Exception:  # a display problem must never stop a capture
            self.handleError(record)

    def _recorded(self, period: Any, province: Mapping | None, rec: Any, attempts: tuple) -> None:
        replies = sum(1 for a in attempts if a.outcome == "ok")
        retries = sum(1 for a in attempts if a.attempt > 1)
        self.replies += replies
        self.retries += retries
        if province is None:  # the national ranking: counted in replies, not in the bar
            self._show(None)
            return
        self.done += 1
        status = _STATUS.get(rec.status, "chưa đầy đủ")
        if rec.status == "complete" and not rec.is_new:
            status += ", không đổi"
        what = f"{period} {province.get('unit_code', '')} {province.get('unit_name', '')}"
        detail = f"{replies} phản hồi" + (f", {retries} lần thử lại" if retries else "")
        self._show(f"{' '.join(what.split())}: {status}", detail)

    def _show(self, line: str | None, detail: str = "") -> None:
        """Move the bar, or print ``line`` (a province capture) with ``detail``."""
        total = self.total
        if self.bar is not None and self.task is not None:
            self.bar.update(
                self.task,
                total=total,
                completed=self.done,
                replies=self.replies,
                retries=self.retries,
                last=line.split(":")[0] if line else "",
            )
            return
        if line is None:
            return
        left = self._time_left(total)
        self.console.print(
            f"[{self.done}/{total or '?'}] {line} ({detail}){left}",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )

    def _time_left(self, total: int | None) -> str:
        """``, còn khoảng 0:02:10`` at the pace so far, when it can be told."""
        if not total or not self.done or self.done >= total:
            return ""
        pace = (time.monotonic() - self.started) / self.done
        return f", còn khoảng {timedelta(seconds=round(pace * (total - self.done)))}"

    @contextmanager
    def bar_on_terminal(self) -> Iterator[None]:
        """Show a live bar while the block runs, when the console is a terminal."""
        if not self.console.is_terminal:
            yield
            return
        with _own_terminal(self.console) as terminal:
            self.bar = self._new_bar(terminal)
            self.task = self.bar.add_task(
                "capture", total=self.total, replies=0, retries=0, last="danh sách tỉnh …"
            )
            with self.bar, _log_lines_above(self.bar):
                yield

    @staticmethod
    def _new_bar(terminal: Console) -> Progress:
        """The bar: captures done of the total, replies, retries, time left, the last one."""
        return Progress(
            TextColumn("Thu thập"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("tỉnh·kỳ · {task.fields[replies]} phản hồi"),
            TextColumn("· {task.fields[retries]} thử lại · còn"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[last]}"),
            console=terminal,
            transient=False,
        )


@contextmanager
def _own_terminal(console: Console) -> Iterator[Console]:
    """A console writing to a duplicate of ``console``'s terminal descriptor.

    While a step runs, Dagster sends the process's stderr (descriptor 2) into the step's
    compute log and copies it to the terminal later: a bar drawn there would lag and fill
    the log with frames. A duplicate descriptor reaches the terminal directly."""
    try:
        fd = os.dup(console.file.fileno())
    except (AttributeError, OSError, ValueError):
        yield console
        return
    with open(fd, "w", encoding="utf-8", errors="replace") as stream:
        yield Console(file=stream, force_terminal=True, stderr=True)


@contextmanager
def _log_lines_above(bar: Progress) -> Iterator[None]:
    """Send what the root logger's handlers write to the terminal through the live bar's
    redirected stderr, so it prints above the bar instead of across it."""
    terminal = bar.console.file  # the real stream (rich unwraps its own proxy)
    moved = [
        handler
        for handler in logging.getLogger().handlers
        if type(handler) is logging.StreamHandler and handler.stream in (terminal, sys.__stderr__)
    ]
    originals = [handler.stream for handler in moved]
    for handler in moved:
        handler.setStream(sys.stderr)  # rich's proxy while the bar is live
    try:
        yield
    finally:
        for handler, stream in zip(moved, originals, strict=True):
            handler.setStream(stream)


@contextmanager
def capture_progress(
    console: Console, *, periods: int, provinces: int | None = None
) -> Iterator[CaptureProgress]:
    """Show the progress of the capture run started inside the block (see the module)."""
    handler = CaptureProgress(console, periods=periods, provinces=provinces)
    level, propagate = progress_log.level, progress_log.propagate
    progress_log.addHandler(handler)
    progress_log.setLevel(logging.DEBUG)
    progress_log.propagate = False
    try:
        with handler.bar_on_terminal():
            yield handler
    finally:
        progress_log.removeHandler(handler)
        progress_log.setLevel(level)
        progress_log.propagate = propagate
