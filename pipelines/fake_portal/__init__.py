"""A local fake of the portal's current API, serving a generated national dataset.

Real HTTP on the loopback interface, the real reply format, a settable clock (open
periods grow daily, closed months get revised once) and scripted faults. It is the
embedded default for the demo and for integration tests.
"""

from pipelines.fake_portal.dataset import FIRST_MONTH, GROUP_MAX, GROUPS, Dataset
from pipelines.fake_portal.faults import KINDS as FAULT_KINDS
from pipelines.fake_portal.faults import Fault, FaultPlan
from pipelines.fake_portal.responses import API_PREFIX, ENDPOINTS, SERVICE_RESULTS
from pipelines.fake_portal.server import FakePortal, serve

__all__ = [
    "API_PREFIX",
    "ENDPOINTS",
    "FAULT_KINDS",
    "FIRST_MONTH",
    "GROUPS",
    "GROUP_MAX",
    "SERVICE_RESULTS",
    "Dataset",
    "FakePortal",
    "Fault",
    "FaultPlan",
    "serve",
]
