"""The applicant's name as the application gives it.

Staff and documents name the person the application is about, in the words of the application: an
account may have no name at all (signed up with a phone number), and a profile name can be older than
what was typed in the form. The first top-level Khmer-name and Latin-name answers are that name; the
profile's names are the fallback. A phone number or an email address is never a name.
"""

from __future__ import annotations

from typing import NamedTuple

from portal.domain.catalogue import Service
from portal.domain.fields.kinds import kind_of
from portal.domain.fields.kinds.names import KhmerNameKind, LatinNameKind


class Name(NamedTuple):
    km: str
    latin: str

    @property
    def first(self) -> str:
        """One name for one line: the Khmer one when there is one."""
        return self.km or self.latin


def name_from_answers(service: Service, answers: dict, person=None) -> Name:
    """The applicant's Khmer and Latin names from `answers`, each falling back to `person`'s profile."""
    found = {KhmerNameKind: "", LatinNameKind: ""}
    for field in service.all_fields():
        value = answers.get(field.id)
        kind = type(kind_of(field))
        if kind in found and not found[kind] and isinstance(value, str) and value.strip():
            found[kind] = value.strip()
    return Name(
        km=found[KhmerNameKind] or (getattr(person, "name_km", None) or ""),
        latin=found[LatinNameKind] or (getattr(person, "name_latin", None) or ""),
    )
