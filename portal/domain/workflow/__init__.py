"""The workflow engine and Cambodian working-day arithmetic: plain Python, no Flask, no database."""

from portal.domain.workflow.calendar import (
    HolidayCalendarError,
    WorkingCalendar,
    add_working_days,
    is_working_day,
    load_calendar,
    working_days_between,
)
from portal.domain.workflow.engine import (
    Actor,
    Blocked,
    Decision,
    Event,
    NotAllowed,
    Notification,
    RequestInfo,
    Snapshot,
    WorkflowError,
    assignment_actions,
    available_actions,
    blocked_actions,
    decide,
    hand_over_missing,
    queue_agency,
    state_of,
    submit,
)

__all__ = [
    "Actor", "Blocked", "Decision", "Event", "HolidayCalendarError", "NotAllowed", "Notification", "RequestInfo",
    "Snapshot", "WorkflowError", "WorkingCalendar", "add_working_days", "assignment_actions", "available_actions",
    "blocked_actions", "decide", "hand_over_missing", "is_working_day", "load_calendar", "queue_agency", "state_of",
    "submit", "working_days_between",
]
