"""Who an application is about, by the name the application itself gives.

Staff and documents work from the application, not from the account behind it: an account may carry
only a phone number, a profile name can be older than what was typed in the form, and a person may apply
for a business or a vehicle's owner. The definition's `name_fields` say which answers name the subject;
without answers to them, the business or the profile does. A phone number or an email address is never
a name."""

from __future__ import annotations

import re
from typing import NamedTuple

from portal.data import organisations, people
from portal.domain.catalogue import Service

MAX_LENGTH = 200  # the column's width, and a document's holder name's
_KHMER = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]")


class Name(NamedTuple):
    km: str  # in Khmer script
    latin: str  # in Latin letters

    @property
    def first(self) -> str:
        """One name for one line: the Khmer one when there is one."""
        return self.km or self.latin

    def joined(self) -> str:
        return " ".join(dict.fromkeys(n for n in (self.km, self.latin) if n))


def subject_names(service: Service, application) -> Name:
    """The first Khmer and the first Latin answer to the service's `name_fields` among the questions
    shown (a business owner's name is not asked when the owner is a person); else the business's or the
    profile's names."""
    from portal.domain.applications.journey import visible_steps
    from portal.domain.applications.values import values_for
    from portal.domain.expression_contexts import FORMS

    answers = application.answers or {}
    values = values_for(FORMS, service, answers)
    shown = {f.id for step in visible_steps(service, answers) for f in step.fields
             if f.show_when is None or f.show_when.is_true(values)}
    km = latin = ""
    for field_id in service.name_fields:
        value = answers.get(field_id)
        if field_id not in shown or not isinstance(value, str) or not value.strip():
            continue
        if _KHMER.search(value):
            km = km or value.strip()
        else:
            latin = latin or value.strip()
    return Name(km, latin) if km or latin else _profile_names(application)


def subject_name(service: Service, application) -> str | None:
    """The name staff see and search, stored on the application: its Khmer and Latin names in one line."""
    return subject_names(service, application).joined()[:MAX_LENGTH] or None


def _profile_names(application) -> Name:
    if application.organisation_id:
        organisation = organisations.get_by_id(application.organisation_id)
        return Name(organisation.name_km or "", organisation.name_en or "") if organisation else Name("", "")
    person = people.get_by_id(application.applicant_person_id)
    return Name(person.name_km or "", person.name_latin or "") if person else Name("", "")
