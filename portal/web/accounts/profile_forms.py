"""The form for a person's own details: names, national ID, date of birth and address."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from portal.domain.fields.address import PlaceSelectField, StreetField, address_values, check_address
from portal.domain.fields.identity import DateOfBirthField, KhmerNameField, LatinNameField, NationalIdField


class ProfileForm(FlaskForm):
    # Everything is optional for now; services ask for what they need when someone applies.
    name_km = KhmerNameField(_l("Name in Khmer"))
    name_latin = LatinNameField(_l("Name in Latin letters"))
    national_id = NationalIdField(_l("National ID card number"))
    date_of_birth = DateOfBirthField(_l("Date of birth"))
    province = PlaceSelectField(_l("Province or capital"), level="province")
    district = PlaceSelectField(_l("District, municipality or khan"), level="district")
    commune = PlaceSelectField(_l("Commune or sangkat"), level="commune")
    village = PlaceSelectField(_l("Village"), level="village")
    street = StreetField(_l("House number and street (optional)"))

    def validate(self, extra_validators=None) -> bool:
        fields_ok = super().validate(extra_validators)
        return check_address(self) and fields_ok

    def identity_values(self) -> dict:
        return {name: self[name].data for name in ("name_km", "name_latin", "national_id", "date_of_birth")}

    def address_values(self) -> dict:
        return address_values(self)
