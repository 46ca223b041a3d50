"""A local fake of the portal (current and legacy API), serving a generated national
dataset: a test double and the demo's portal, not part of the product (not in the wheel).

Real HTTP on the loopback interface, the real reply format, a settable clock (open
periods grow daily, closed months get revised once) and scripted faults. It is the
embedded default for the demo and for integration tests.

Modules, by job: ``reference`` and ``legacy_reference`` (the generated provinces,
departments, districts and communes), ``simulation`` and ``legacy_simulation`` (counts
and scores over time, revisions), ``scoring`` (group and indicator formulas),
``current_api`` and ``legacy_api`` (request handling), ``methodology`` (a new
methodology version from a given day: a seventh group, rescaled maxima), ``faults``,
``reply`` and ``server``.
"""

from fake_portal.current_api import API_PREFIX, ENDPOINTS, SERVICE_RESULTS
from fake_portal.faults import KINDS as FAULT_KINDS
from fake_portal.faults import Fault, FaultPlan
from fake_portal.methodology import MethodologyChange
from fake_portal.scoring import GROUP_MAX, GROUPS
from fake_portal.server import FakePortal, serve
from fake_portal.simulation import FIRST_MONTH, Dataset

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
    "MethodologyChange",
    "serve",
]
