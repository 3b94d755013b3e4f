from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, ValidationError
from wtforms.validators import InputRequired, Length

from portal.domain.applications.reference import normalise
from portal.domain.identity.contacts import ContactError, parse_phone
from portal.web.accounts.auth_forms import CodeField


class CitizenPhoneForm(FlaskForm):
    phone = StringField(_l("The citizen's mobile number"), validators=[InputRequired(_l("Enter a mobile number."))],
                        render_kw={"autocomplete": "off", "inputmode": "tel"})

    def validate_phone(self, field) -> None:
        try:
            self.e164 = parse_phone(field.data)
        except ContactError as error:
            raise ValidationError(error.message) from None


class SendCodeForm(FlaskForm):
    pass


class ConsentCodeForm(FlaskForm):
    code = CodeField(_l("Code from the citizen's phone"),
                     missing=_l("Enter the 6-digit code the citizen received"))


class PaperConsentForm(FlaskForm):
    file = FileField(_l("Photo of the signed consent form (PDF, JPEG or PNG, up to 10 MB)"),
                     validators=[InputRequired(_l("Choose a file."))])


class EndForm(FlaskForm):
    pass


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RegisterCitizenForm(CitizenPhoneForm):
    name_km = StringField(_l("The citizen's name in Khmer"), filters=[_strip], validators=[Length(max=120)],
                          render_kw={"autocomplete": "off"})
    name_latin = StringField(_l("The citizen's name in Latin letters"), filters=[_strip],
                             validators=[Length(max=120)], render_kw={"autocomplete": "off"})


class RegistrationCodeForm(FlaskForm):
    code = CodeField(_l("Code from the citizen's phone"),
                     missing=_l("Enter the 6-digit code the citizen received"))


class ReprintForm(FlaskForm):
    reference = StringField(_l("Reference on the receipt or message"),
                            validators=[InputRequired(_l("Enter the application's reference."))],
                            render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})

    def validate_reference(self, field) -> None:
        self.normalised = normalise(field.data or "")
        if self.normalised is None:
            raise ValidationError(_("This is not a reference. It looks like BR-7KQ4-M9XD; check each character."))


class ReprintCodeForm(FlaskForm):
    code = CodeField(_l("Code from the applicant's phone"),
                     missing=_l("Enter the 6-digit code the applicant received"))
