"""Forms of the admin's kiosk pages: centres and kiosks (portal.domain.kiosks)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from portal.domain import kiosks
from portal.domain.geo import places
from portal.domain.identity.contacts import ContactError, parse_contact

CENTRE_KIND_LABELS = {"tech_center": _l("Community Tech Center"), "post_office": _l("Post office"),
                      "commune_hall": _l("Commune hall")}
PRINTER_LABELS = {"a4": _l("A4 printer"), "thermal80": _l("80 mm receipt printer")}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PlaceFields:
    """Province, district and commune by their codes, as addresses store them."""

    province = SelectField(_l("Province"), validate_choice=False,
                           validators=[InputRequired(message=_l("Choose a province"))])
    district = StringField(_l("District code"), filters=[_strip],
                           validators=[InputRequired(message=_l("Enter the district code"))])
    commune = StringField(_l("Commune code"), filters=[_strip],
                          validators=[InputRequired(message=_l("Enter the commune code"))])

    def set_provinces(self, locale: str) -> None:
        self.province.choices = [("", _l("Choose a province"))] + [
            (p.code, p.name(locale)) for p in places.sorted_by_name(places.children("province"), locale)]

    def validate_commune(self, field) -> None:
        if not kiosks.place_is_valid(self.province.data, self.district.data, field.data):
            raise ValidationError(_("This commune is not in that district and province; check the codes"))


class CentreForm(PlaceFields, FlaskForm):
    slug = StringField(_l("Short name for addresses"), filters=[_strip],
                       validators=[InputRequired(message=_l("Enter a short name"))])
    name_km = StringField(_l("Name in Khmer"), filters=[_strip],
                          validators=[InputRequired(message=_l("Enter the name in Khmer")), Length(max=200)])
    name_en = StringField(_l("Name in English"), filters=[_strip],
                          validators=[InputRequired(message=_l("Enter the name in English")), Length(max=200)])
    kind = SelectField(_l("Kind of centre"), validators=[InputRequired(message=_l("Choose a kind"))])

    def prepare(self, locale: str) -> CentreForm:
        self.set_provinces(locale)
        self.kind.choices = [("", _l("Choose a kind")), *CENTRE_KIND_LABELS.items()]
        return self

    def validate_slug(self, field) -> None:
        if not kiosks.SLUG.match(field.data or ""):
            raise ValidationError(_("Use 3 to 64 small Latin letters, digits and hyphens, like ctc-battambang"))


class KioskForm(PlaceFields, FlaskForm):
    name = StringField(_l("Kiosk name"), filters=[_strip],
                       validators=[InputRequired(message=_l("Enter a name for the kiosk")), Length(max=100)])
    centre = SelectField(_l("Centre"), validate_choice=False, validators=[InputRequired(message=_l("Choose a centre"))])
    printer_kind = SelectField(_l("Printer"), validators=[InputRequired(message=_l("Choose a printer"))])

    def prepare(self, centres, locale: str) -> KioskForm:
        self.set_provinces(locale)
        self.printer_kind.choices = [("", _l("Choose a printer")), *PRINTER_LABELS.items()]
        self.centre.choices = [("", _l("Choose a centre"))] + [
            (c.slug, c.name_en if locale == "en" else c.name_km) for c in centres]
        return self

    def validate_centre(self, field) -> None:
        if field.data not in {value for value, _label in self.centre.choices if value}:
            raise ValidationError(_("Choose a centre from the list"))


class KioskActionForm(FlaskForm):
    kiosk = HiddenField(validators=[InputRequired()])


class OperatorForm(FlaskForm):
    centre = SelectField(_l("Centre"), validate_choice=False, validators=[InputRequired(message=_l("Choose a centre"))])
    contact = StringField(_l("Email address or mobile number"), filters=[_strip],
                          validators=[InputRequired(message=_l("Enter an email address or a mobile number"))])
    name_km = StringField(_l("Name in Khmer"), filters=[_strip], validators=[Length(max=120)])
    name_latin = StringField(_l("Name in Latin letters"), filters=[_strip], validators=[Length(max=120)])

    def prepare(self, centres, locale: str) -> OperatorForm:
        self.centre.choices = [("", _l("Choose a centre"))] + [
            (c.slug, c.name_en if locale == "en" else c.name_km) for c in centres]
        return self

    def validate_centre(self, field) -> None:
        if field.data not in {value for value, _label in self.centre.choices if value}:
            raise ValidationError(_("Choose a centre from the list"))

    def validate_contact(self, field) -> None:
        try:
            self.parsed = parse_contact(field.data)
        except ContactError as error:
            raise ValidationError(error.message) from None


class OperatorActionForm(FlaskForm):
    person = HiddenField(validators=[InputRequired()])
