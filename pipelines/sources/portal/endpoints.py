"""The current portal API's endpoints and their request bodies (DOMAIN.md §5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from warehouse.periods import Period

API_PREFIX = "/api/v1/reporting/evaluation/"
SOURCE = "portal_api"

Shape = Literal["evaluation", "tree", "national"]


@dataclass(frozen=True)
class Endpoint:
    """One endpoint of the current API."""

    name: str
    group_code: str | None
    shape: Shape
    page_size: int
    uses_date_range: bool = False

    @property
    def paged(self) -> bool:
        """Whether replies carry ``data.pagination`` (the overview-shaped endpoints)."""
        return self.shape == "evaluation"

    @property
    def path(self) -> str:
        """URL path of the endpoint."""
        return API_PREFIX + self.name

    def request_body(
        self, period: Period, root_unit_id: str | None = None, *, page: int = 1
    ) -> dict[str, Any]:
        """The JSON body the portal expects for ``period`` under ``root_unit_id``."""
        if self.shape == "national":
            return {**period.time_fields(), "departmentType": "ADMINISTRATIVE_UNIT"}
        if root_unit_id is None:
            raise ValueError(f"endpoint {self.name} needs a root unit")
        time_fields: dict[str, Any] = (
            period.date_range_fields() if self.uses_date_range else period.time_fields()
        )
        return {
            **time_fields,
            "rootDepartmentId": root_unit_id,
            "currentPage": page,
            "pageSize": self.page_size,
        }


GROUP_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("transparency", "CKMB", "evaluation", 200),
    Endpoint("dvc-progress-tree", "TDGQ", "tree", 100),
    Endpoint("provide-online-tree", "CLGQ", "tree", 200),
    Endpoint("formality-online-payment-tree", "TTTT", "tree", 100),
    Endpoint("handling-satisfaction", "MDHL", "evaluation", 200, uses_date_range=True),
    Endpoint("dossier-digitized", "MDSH", "evaluation", 200),
)
SERVICE_RESULTS = Endpoint("service-results", None, "national", 0)
GROUP_CODES: tuple[str, ...] = ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH")
ENDPOINTS_BY_NAME: dict[str, Endpoint] = {e.name: e for e in (*GROUP_ENDPOINTS, SERVICE_RESULTS)}
NATIONAL_ROOT = "VN"

# Numeric parameters the replies carry beside the scores, by the endpoints that send
# them (as seen in the real replies). Core keeps these; any other field stays in raw.
PARAMETER_FIELDS: tuple[str, ...] = (
    # dvc-progress-tree (TDGQ)
    "totalReceived",
    "totalOnTime",
    "totalOverdue",
    "totalCompleted",
    "avgProcessingDays",
    # provide-online-tree (CLGQ)
    "authorityCount",
    "partialCount",
    "fullCount",
    "onlineDossierCount",
    "onlineServiceTotal",
    "channelOnlineSum",
    "channelDirectSum",
    "channelPostalSum",
    "channelTotalSum",
    "onlineOnTimeSum",
    "onlineOverdueSum",
    # formality-online-payment-tree (TTTT)
    "totalDossierOnlinePaymentSuccess",
    "totalDossierFinancialObligation",
    "totalDossierOnlineFormalityPaymentSuccess",
    "totalFeeDossierFormalityDistinct",
    "totalFeeDossierFormality",
    "totalFeeFormality",
    # handling-satisfaction (MDHL) and the overviews
    "totalPetitions",
    "classifiedPetitions",
    "totalDossiers",
    "averageScore",
)
