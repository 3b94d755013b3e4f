"""Address fields: province > district > commune > village selects and a house/street line.

A form declares the five fields under the names in `FIELD_NAMES` (see `portal.web.accounts.
profile_forms.ProfileForm`), then calls `fill_choices` before rendering and `check_address` when
validating. Each list is filled for the place chosen above it, so the cascade works without
JavaScript: the person picks a province, presses "Update the lists" (a submit button named
`refresh`) and gets the districts, and so on. `static/js/address.js` refills the lists as soon as
a choice changes instead, from `/geo/children`.
"""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import ValidationError

from portal.domain.fields.identity import tidy
from portal.domain.geo import places

FIELD_NAMES = (*places.LEVELS, "street")
STREET_MAX = 200

CHOOSE = _l("Choose")
CHOOSE_ABOVE_FIRST = _l("Choose the level above first")
MISSING = {
    "province": _l("Choose the province or capital"),
    "district": _l("Choose the district, municipality or khan"),
    "commune": _l("Choose the commune or sangkat"),
    "village": _l("Choose the village"),
}
INVALID = {
    "province": _l("Choose a province or capital from the list"),
    "district": _l("Choose a district from the list for the chosen province; "
                   "if you changed the province, press “Update the lists” first"),
    "commune": _l("Choose a commune from the list for the chosen district; "
                  "if you changed the district, press “Update the lists” first"),
    "village": _l("Choose a village from the list for the chosen commune; "
                  "if you changed the commune, press “Update the lists” first"),
}
STREET_TOO_LONG = _l("The house number and street must be 200 characters or fewer")
STREET_CHARACTERS = _l("The house number and street can use letters, digits, spaces and punctuation, "
                       "but not emoji or other symbols")


class PlaceSelectField(SelectField):
    """One level of an address. Its choices depend on the level above, so the levels are checked
    together, as a chain, by `check_address`; one level alone is never "not a valid choice"."""

    def __init__(self, label=None, level: str = "province", **kwargs) -> None:
        render_kw = {"data-geo-level": level, **kwargs.pop("render_kw", {})}
        super().__init__(label, choices=[], validate_choice=False, render_kw=render_kw, **kwargs)
        self.level = level

    def process_data(self, value) -> None:
        self.data = value or ""

    def process_formdata(self, valuelist) -> None:
        if valuelist:
            self.data = str(valuelist[0]).strip()


def clean_street(text: object) -> str | None:
    """The house/street line, white space tidied; Khmer welcome, emoji and control characters not."""
    line = tidy(text)
    if not line:
        return None
    if len(line) > STREET_MAX:
        raise ValidationError(STREET_TOO_LONG)
    if any(unicodedata.category(c)[0] == "C" or unicodedata.category(c) == "So" for c in line):
        raise ValidationError(STREET_CHARACTERS)
    return line


class StreetField(StringField):
    def pre_validate(self, form) -> None:
        self.data = clean_street(self.data)


def fill_choices(form, locale: str) -> None:
    """Give each level the places inside the one chosen above it, named in `locale`; a level
    whose parent is not chosen (or not valid) gets an empty list."""
    parent: str | None = None
    for level in places.LEVELS:
        field = form[level]
        options = places.children(level, parent) if level == "province" or parent else ()
        placeholder = CHOOSE if options else CHOOSE_ABOVE_FIRST
        # The script keeps the first option and changes its text as lists fill and empty.
        field.render_kw = {**(field.render_kw or {}), "data-placeholder": str(CHOOSE),
                           "data-placeholder-empty": str(CHOOSE_ABOVE_FIRST)}
        field.choices = [SelectChoice("", placeholder)] + [
            SelectChoice(place.code, place.name(locale)) for place in places.sorted_by_name(options, locale)
        ]
        parent = field.data if places.get(level, field.data, parent) else None


def address_started(form) -> bool:
    return any(form[name].data for name in FIELD_NAMES)


def check_address(form) -> bool:
    """An address is optional, but once started it must be complete and each level must lie in
    the one above. Adds an error to the first level that is wrong (the ones below it depend on
    it); True when the address is fine or empty."""
    if not address_started(form):
        return True
    found = places.problem(*(form[level].data for level in places.LEVELS))
    if found is None:
        return True
    level, kind = found
    form[level].errors.append(MISSING[level] if kind == "missing" else INVALID[level])
    return False


def address_values(form) -> dict[str, str | None]:
    """The checked address as the profile stores it: codes (village key) and the street line."""
    if not address_started(form):
        return dict.fromkeys(("province_code", "district_code", "commune_code", "village_code", "street"))
    values = {f"{level}_code": form[level].data for level in places.LEVELS}
    values["street"] = form.street.data
    return values
