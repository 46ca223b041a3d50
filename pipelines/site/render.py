"""Fill the page templates (Jinja2, autoescaped: names and messages are escaped)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from pipelines.outputs.vietnamese import not_comparable_text, number

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MISSING = "—"
"""How a missing value is shown (never 0)."""


def num(value: float | int | None, decimals: int = 2) -> str:
    """A number as Vietnamese write it (``95,13``); missing → ``—``."""
    return number(value, decimals, dash=MISSING)


def signed(value: float | int | None, decimals: int = 2) -> str:
    """A change with its sign (``+1,3``, ``-0,5``, ``0``); missing → ``—``."""
    if value is None:
        return MISSING
    return ("+" if value > 0 else "") + num(value, decimals)


def vn_time(value: str | None) -> str:
    """An ISO moment in Vietnam time: ``14h55 ngày 06/12/2026``; missing → ``—``."""
    if not value:
        return MISSING
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TIMEZONE)
    moment = moment.astimezone(TIMEZONE)
    return f"{moment.hour}h{moment.minute:02d} ngày {moment:%d/%m/%Y}"


def text(value: Any) -> str:
    """A text value; missing → ``—``."""
    return MISSING if value is None or value == "" else str(value)


def environment() -> jinja2.Environment:
    """The template environment: templates from the package, every value escaped."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pipelines.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        num=num, signed=signed, vn_time=vn_time, text=text, not_comparable=not_comparable_text
    )
    env.globals["MISSING"] = MISSING
    return env


def render(env: jinja2.Environment, template: str, context: dict[str, Any]) -> str:
    """The HTML of ``template`` filled with ``context``."""
    return env.get_template(template).render(**context)
