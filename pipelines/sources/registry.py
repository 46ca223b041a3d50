"""The one registry of sources: every source of data the warehouse records, by id.

Adding a source is a folder under ``pipelines/sources/`` with a class implementing
``warehouse.sources.Source`` (and ``FetchingSource`` when it is fetched over HTTP), and
one line here."""

from __future__ import annotations

from pipelines.sources.files.source import FILE_SOURCE_OBJECTS
from pipelines.sources.legacy.source import LegacySource
from pipelines.sources.portal.source import PortalSource
from warehouse.sources import FetchingSource, Source

PORTAL = PortalSource()
LEGACY = LegacySource()

SOURCES: dict[str, Source] = {
    source.id: source for source in (PORTAL, LEGACY, *FILE_SOURCE_OBJECTS)
}
"""Every source by its id (``raw.captures.source``)."""

FETCHING: dict[str, FetchingSource] = {"current": PORTAL, "legacy": LEGACY}
"""The sources a capture run can fetch, by the name the CLI and the run config use."""
