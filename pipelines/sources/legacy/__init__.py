"""The portal's legacy API (``POST /jsp/rest.jsp``, 2022 – at least 12/2025): history from
before the current API, half-years, districts until 30/6/2025. ``source.LegacySource``
is its entry in the registry of sources (``pipelines/sources/registry.py``)."""
