"""What staff write on a case besides decisions: internal notes for colleagues (in any office that can
open the case) and messages to the applicant, which reach the applicant's inbox, email and SMS.

The text a clerk writes is personal to the case, so it goes in the database and the applicant's
notification only; the SMS says that a message is waiting, not what it says."""

from __future__ import annotations

from portal.data import case_notes, people
from portal.domain.applications.labels import agency_name
from portal.domain.notify.service import notify

MAX_NOTE = 2000
INTERNAL, MESSAGE = case_notes.INTERNAL, case_notes.MESSAGE
KINDS = (INTERNAL, MESSAGE)


def office_of(person, application) -> str:
    """The office a staff member writes for on this case: the one holding it now, else the one it is
    routed to, else their first (by their staff roles only: being an administrator too changes nothing)."""
    theirs = sorted({role.agency.slug for role in person.staff_roles})
    preferred = [a for a in (application.current_agency, application.routed_agency) if a in theirs]
    return (preferred or theirs)[0]


def may_message_applicant(application, person) -> bool:
    """Only the office that holds the case now speaks to the applicant about it, so the applicant never
    gets instructions from an office that has already passed the case on."""
    return bool(application.current_agency) and any(
        role.agency.slug == application.current_agency for role in person.staff_roles)


def write(application, author, kind: str, body: str):
    """Add a note or message (the caller checked the author may open the case); messages notify the
    applicant in the caller's transaction."""
    agency = office_of(author, application)
    note = case_notes.add(application.id, kind, author.id, agency, body.strip())
    if kind == MESSAGE:
        notify(people.get_by_id(application.applicant_person_id), "case_message", {
            "reference": application.reference or "",
            "agency": agency_name(agency),
            "message": note.body,
        }, link=f"/applications/{application.public_id}")
    return note


def for_staff(application):
    return case_notes.for_staff(application.id)


def for_applicant(application):
    return case_notes.messages_for_applicant(application.id)
