"""The provinces a valid ``service-results`` reply lists, and unit names as stored.

The capture asks the national ranking first and then each province it lists; names are
NFC with their white space collapsed, as the SQL loader (``load.py``) stores them.
"""

from __future__ import annotations

import unicodedata

from pipelines.sources.portal.validate import decode_envelope, validate_national_reply


def normalise_name(name: str) -> str:
    """NFC-normalise a unit name and collapse its white space."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def list_provinces(content: bytes) -> list[dict[str, str]]:
    """The provinces a valid ``service-results`` reply lists: id, code and name."""
    data = decode_envelope(content)
    validate_national_reply(data)
    return [
        {
            "unit_id": item["departmentId"],
            "unit_code": str(item.get("departmentCode") or ""),
            "unit_name": normalise_name(item["departmentName"]),
        }
        for item in data["evaluation"]
    ]
