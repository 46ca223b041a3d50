"""The portal's legacy API (``POST /jsp/rest.jsp``, 2022 – at least 12/2025): history from
before the current API, half-years, districts until 30/6/2025.

Importing the package registers its parser for the ``portal_legacy`` raw source with
``warehouse.load_core`` (normalisation and capture validation use it).
"""

from pipelines.sources.legacy import parse as parse  # registers the parser
