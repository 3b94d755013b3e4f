"""Who an application is about, by the name the application itself gives.

Staff work from the application, not from the account behind it: an account may carry only a phone
number, and a person may apply for a business or a vehicle's owner. The definition's `name_fields`
say which answers name the subject; without answers to them, the business or the profile does."""

from __future__ import annotations

from portal.data import organisations, people
from portal.domain.catalogue import Service

MAX_LENGTH = 200  # the column's width, and a document's holder name's


def subject_name(service: Service, application) -> str | None:
    """The answers to the service's `name_fields` that are shown (a business owner's name is not asked
    when the owner is a person), joined by a space; else the business's or the profile's names."""
    from portal.domain.applications.journey import visible_steps
    from portal.domain.applications.values import expression_values

    answers = application.answers or {}
    values = expression_values(service, answers)
    shown = {f.id for step in visible_steps(service, answers) for f in step.fields
             if f.show_when is None or f.show_when.is_true(values)}
    given = [answers[f].strip() for f in service.name_fields
             if f in shown and isinstance(answers.get(f), str) and answers[f].strip()]
    if not given:
        given = _profile_names(application)
    return " ".join(dict.fromkeys(given))[:MAX_LENGTH] or None


def _profile_names(application) -> list[str]:
    if application.organisation_id:
        organisation = organisations.get_by_id(application.organisation_id)
        return [n for n in (organisation.name_km, organisation.name_en) if n] if organisation else []
    person = people.get_by_id(application.applicant_person_id)
    return [n for n in (person.name_km, person.name_latin) if n] if person else []
