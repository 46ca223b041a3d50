"""The portal's current API (``/api/v1/reporting/evaluation/…``)."""
