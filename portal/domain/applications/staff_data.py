"""What staff fill in on a case (a definition's `staff_steps`) and the numbers the portal assigns (`sequence`
fields): saving a step, taking the numbers in a decision's transaction, and the values rules see.

`staff_data` is kept beside the answers (`applications.staff_data`), as the step form makes it (the same
JSON as answers), with the assigned numbers as texts. Every save is a case record (who, when, which step:
never the values) and so an audit entry; callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.data import applications as application_data
from portal.data import number_sequences
from portal.domain import clock
from portal.domain.applications import case_records
from portal.domain.applications.display import display, unanswered
from portal.domain.catalogue.model import Text
from portal.domain.catalogue.staff_steps import StaffStep, sequences_on, typed_fields
from portal.domain.fields.kinds import kind_of

SAVED = "case:staff_data"  # the case record of a save
NUMBERED = "case:numbered"  # the case record of a number the portal took


class Stale(Exception):
    """Someone saved the staff data (or moved the case) since the form was shown; nothing was written."""


def save_step(service, application, person, step: StaffStep, values: dict, *, acted_as: str,
              seen_version: int, seen_state: str) -> None:
    """Store `values` (the step form's answers) if nobody changed the staff data or the case's state since the
    form was shown; raises Stale otherwise. A case record names the step, not the values."""
    assigned = {s.id for s in step.sequences}
    merged = {**(application.staff_data or {}), **{k: v for k, v in values.items() if k not in assigned}}
    if not application_data.set_staff_data(application, seen_version, merged, seen_state):
        raise Stale
    case_records.record(application, person, SAVED, {"step": step.id}, actor_role=acted_as)


def assign_numbers(service, application, action: str, office: str | None, person) -> None:
    """Take the numbers the definition assigns on `action` (in the decision's transaction: rolled back with
    it), for the office that decides. A number once taken is never taken again for the same application."""
    wanted = [s for s in sequences_on(service, action) if unanswered((application.staff_data or {}).get(s.id))]
    if not wanted or office is None:
        return
    year = clock.now().astimezone(clock.CAMBODIA).year
    data = dict(application.staff_data or {})
    for sequence in wanted:
        data[sequence.id] = sequence.number(year, number_sequences.take_next(sequence.sequence, office, year))
    if not application_data.set_staff_data(application, application.staff_data_version, data):
        raise Stale
    for sequence in wanted:
        case_records.record(application, person, NUMBERED, {"field": sequence.id})


@dataclass(frozen=True)
class Shown:
    label: Text
    value: str  # as the reader reads it


def rows(service, staff_data: dict | None, locale: str, *, step: StaffStep | None = None,
         applicant: bool = False, numbers_only: bool = False) -> list[Shown]:
    """What is filled in, as people read it: one step's (or every step's) fields and numbers in the
    definition's order; for the applicant only those the definition shows them."""
    saved = dict(staff_data or {})
    found = []
    for each in ([step] if step is not None else service.staff_steps):
        for field in () if numbers_only else each.fields:
            if (not applicant or field.id in each.shown) and kind_of(field).in_summary \
                    and not unanswered(saved.get(field.id)):
                found.append(Shown(field.label, display(field, saved.get(field.id), locale)))
        for sequence in each.sequences:
            if (not applicant or sequence.id in each.shown) and saved.get(sequence.id):
                found.append(Shown(sequence.label, str(saved[sequence.id])))
    return found


@dataclass(frozen=True)
class _FormService:
    """The service as a staff step's form sees it: its fields and the staff fields, so that a staff field's
    `show_when` may name answers and other staff fields alike (portal.domain.fields.builder)."""

    service: Any

    @property
    def computed(self):
        return self.service.computed

    def all_fields(self):
        return [*self.service.all_fields(), *typed_fields(self.service)]


def form_service(service) -> _FormService:
    return _FormService(service)
