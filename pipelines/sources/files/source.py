"""Files people already have (letters, saved portal pages, Excel/CSV exports) as sources:
validate, load, then match the units they name. One source per kind of file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from pipelines.sources.files.parse import FILE_SOURCES, parse_file
from pipelines.sources.ranges import check_parsed_ranges
from warehouse.load_core import load_parsed
from warehouse.records import CaptureBundle, FetchedReply, InvalidReply, StoredReply
from warehouse.sources import ValidationContext, judge_each
from warehouse.unit_matching import resolve_file_units

PARSER_VERSION = "files/1"


@dataclass(frozen=True)
class FileEndpoint:
    """A file's one "endpoint": its format (``letter``, ``html``, ``xlsx``, ``csv``…)."""

    name: str
    group_code: str | None = None


class FileSource:
    """A kind of file (``file_letter``, ``file_html``, ``file_table``)."""

    parser_version = PARSER_VERSION

    def __init__(self, source_id: str) -> None:
        if source_id not in FILE_SOURCES:
            raise ValueError(f"not a file source: {source_id!r}")
        self.id = source_id

    def validate(
        self, bundle: CaptureBundle, context: ValidationContext
    ) -> list[InvalidReply | None]:
        """The file reads into core rows, with scores in range."""

        def judge(fetched: FetchedReply) -> None:
            assert fetched.reply is not None
            parsed = parse_file(fetched.endpoint.name, fetched.reply.content, bundle.root_unit_id)
            check_parsed_ranges(parsed, context.methodology)

        return judge_each(bundle, judge)

    def load(self, con: duckdb.DuckDBPyConnection, replies: Sequence[StoredReply]) -> dict:
        """Core rows of the files, parsed in Python."""
        return load_parsed(
            con, replies, lambda r: parse_file(r.endpoint, r.content, r.root_unit_id)
        )

    def after_load(self, con: duckdb.DuckDBPyConnection, capture_ids: list[str]) -> Any:
        """Match the units the files name (re-normalisations included)."""
        return resolve_file_units(con, capture_ids)


FILE_SOURCE_OBJECTS: tuple[FileSource, ...] = tuple(FileSource(s) for s in FILE_SOURCES)
