"""What a definition says an applicant may not apply for: a period that has not ended yet (`period`),
or the same thing twice (`once_per_applicant`), e.g. the same tax month. Checked when the answers are
saved, so the person hears of it on the page where they gave them, and again at submission."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from portal.data import applications as application_data
from portal.domain import clock
from portal.domain.catalogue import Service
from portal.domain.i18n.formatting import date as format_date
from portal.domain.i18n.formatting import pick


@dataclass(frozen=True)
class Refusal:
    field: str  # the field the message is shown at
    message: str  # in the current language


def refusals(service: Service, application, answers: dict) -> list[Refusal]:
    """Why these answers cannot be applied for, or [] when they can (or are not all given yet)."""
    found = []
    period_ends = _period_end(service, answers)
    if service.period is not None and service.period.must_have_ended and period_ends is not None \
            and period_ends >= clock.today():
        found.append(Refusal(service.period.month or service.period.year, _(
            "This period has not ended yet: you can apply for it from %(date)s.",
            date=format_date(period_ends + timedelta(days=1), "long"))))
    same = _same_answers_before(service, application, answers)
    if same is not None:
        rule = service.once_per_applicant
        found.append(Refusal(rule.fields[-1], _("%(message)s (reference %(reference)s)",
                                                message=pick(rule.message), reference=same.reference)))
    return found


def _period_end(service: Service, answers: dict) -> date | None:
    period = service.period
    if period is None:
        return None
    try:
        year = int(answers.get(period.year))
        month = int(answers.get(period.month)) if period.month else 12
        return date(year, month, calendar.monthrange(year, month)[1])
    except (TypeError, ValueError):
        return None  # not answered yet: nothing to say


def _same_answers_before(service: Service, application, answers: dict):
    rule = service.once_per_applicant
    if rule is None or any(answers.get(f) in (None, "") for f in rule.fields):
        return None
    key = [str(answers[f]) for f in rule.fields]
    for other in application_data.others_of_the_same_applicant(application):
        if other.state not in rule.except_states and [str(other.answers.get(f)) for f in rule.fields] == key:
            return other
    return None
