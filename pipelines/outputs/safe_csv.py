"""CSV that a spreadsheet opens as data: text that would start a formula is prefixed with
a single quote (the OWASP CSV-injection rule), numbers stay numbers, list, array, map and
struct values are written as JSON text and binary values as hexadecimal text."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import polars as pl

FORMULA_START = r"^[=+\-@\t\r]"
"""Text starting like this is taken for a formula (or a DDE payload) by spreadsheets."""
PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
"""Text that is only a signed number: a spreadsheet reads it as that number, never runs it."""


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _as_json(column: pl.Series) -> pl.Series:
    """A nested column as JSON text (null stays null)."""
    return pl.Series(
        column.name,
        [
            None if value is None else json.dumps(value, ensure_ascii=False, default=_json_default)
            for value in column.to_list()
        ],
        dtype=pl.String,
    )


def neutralise(column: pl.Expr) -> pl.Expr:
    """``column`` (text) with a ``'`` before every value a spreadsheet would run."""
    runs = column.str.contains(FORMULA_START) & ~column.str.contains(PLAIN_NUMBER)
    return pl.when(runs).then(pl.lit("'") + column).otherwise(column)


def safe_csv(frame: pl.DataFrame) -> str:
    """``frame`` as CSV text for spreadsheets: nested values as JSON, no live formulas."""
    columns = []
    for name, dtype in frame.schema.items():
        column = frame.get_column(name)
        if dtype.is_nested():
            column = _as_json(column)
        elif dtype == pl.Binary:
            column = column.bin.encode("hex")
        elif isinstance(dtype, pl.Categorical | pl.Enum):
            column = column.cast(pl.String)
        columns.append(column)
    text = pl.DataFrame(columns)
    return text.with_columns(
        neutralise(pl.col(name)).alias(name)
        for name, dtype in text.schema.items()
        if dtype == pl.String
    ).write_csv()
