"""Post the nightly summary to a chat tool's webhook (simple JSON: ``{"text": …}``).

One attempt per post with a timeout, no retries: a chat message is not worth a retry
storm against a slow server, and a failed post is logged, never fatal to the run.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import httpx

from pipelines.outputs.letter_data import LetterDataError, load_letter_data
from pipelines.outputs.summary import summary_text
from warehouse.connection import connect_reader
from warehouse.periods import Period, period_label

log = logging.getLogger(__name__)


def post_text(url: str, text: str, *, timeout_s: float = 10.0) -> bool:
    """POST ``{"text": text}`` to ``url`` once; True when it answered 2xx. A timeout,
    connection error or error status is logged as a warning and gives False."""
    try:
        reply = httpx.post(url, json={"text": text}, timeout=timeout_s)
        reply.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning("Không gửi được tóm tắt tới webhook %s: %s", url, exc)
        return False
    return True


def nightly_summary(database: Path | str, provinces: tuple[str, ...], period: Period) -> str:
    """The summary text of ``period`` for each of ``provinces`` (codes) from the published
    file, as of now; a province without figures gets one line saying so."""
    parts = []
    cutoff = datetime.now().astimezone()
    with connect_reader(database) as con:
        for code in provinces:
            try:
                parts.append(summary_text(load_letter_data(con, code, period, cutoff)))
            except LetterDataError as exc:
                label = period_label(period.period_type, period.start)
                parts.append(f"{code}: chưa có số liệu {label} ({exc}).")
    return "\n\n".join(parts)
