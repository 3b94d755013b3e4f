"""What time and what day it is. Dates that people see or that decide something (a due date, an issue
date, a date of birth that must be in the past, "today" in a document) are Cambodia's, whatever the
server's time zone; instants are stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CAMBODIA = ZoneInfo("Asia/Phnom_Penh")


def now() -> datetime:
    """This instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Cambodia."""
    return datetime.now(CAMBODIA).date()
