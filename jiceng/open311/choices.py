"""The fixed vocabulary of GeoReport v2 and how jiceng's words map onto it."""

from jiceng.cases.choices import DONE_STATUSES, Status

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
OPEN, CLOSED = "open", "closed"

# A merged duplicate is closed for its caller: the work goes on under the original.
CLOSED_STATUSES = {*DONE_STATUSES, Status.MERGED}

# The default window of GET requests (spec: 90 days or 1000 requests, whichever is fewer).
WINDOW_DAYS = 90
MAX_REQUESTS = 1000
# GET servicerequestupdates without dates: the last day's updates, at most this many.
UPDATES_WINDOW_HOURS = 24
MAX_UPDATES = 1000
MAX_DESCRIPTION = 4000


def public_status(status: str) -> str:
    """jiceng's eleven states → the spec's two."""
    return CLOSED if status in CLOSED_STATUSES else OPEN
