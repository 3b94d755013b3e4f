"""When the applicant can expect a decision: what the service page advertises, counted from submission.

One source of truth: the definition's `processing_time` is what the public page promises (the days of the option
answered when they differ by a choice, `processing_time.by`),
so the applicant's own page counts the same number of working days. A state's `sla_working_days` (the
deadline of one step, in the staff queue) is a part of it, never the whole.
"""

from __future__ import annotations

from datetime import UTC, datetime

from portal.domain.catalogue import Service
from portal.domain.workflow.calendar import load_calendar


def expected_decision(service: Service, application) -> datetime | None:
    """None while there is nothing to wait for: a draft, an ended case, or the applicant's own turn."""
    if application.submitted_at is None or application.state in ("draft", "withdrawn"):
        return None
    state = service.workflow.states.get(application.state) if service.workflow else None
    if state is None or state.terminal or state.actor == "applicant":
        return None
    submitted = application.submitted_at
    if submitted.tzinfo is None:
        submitted = submitted.replace(tzinfo=UTC)  # stored in UTC without a zone
    return load_calendar().add_working_days(submitted, service.working_days_for(application.answers))
