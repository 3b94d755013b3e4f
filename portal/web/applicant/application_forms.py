from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, ValidationError
from wtforms.validators import InputRequired

ME = "me"


class ChoiceField(SelectField):
    """A select whose forged value gets our message, in the page's language."""

    def pre_validate(self, form):
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(_l("Choose one of the options."))


class StartForm(FlaskForm):
    applicant = ChoiceField(_l("Who is applying?"))


class AttachForm(FlaskForm):
    requirement = ChoiceField(_l("Which document is this?"))
    existing = ChoiceField(_l("Choose from My documents"), validate_choice=False)
    file = FileField(_l("Or upload a new file"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and not self.existing.data and not (self.file.data and self.file.data.filename):
            self.file.errors = [str(_l("Choose a document from My documents or upload a file."))]
            return False
        return ok


class SubmitForm(FlaskForm):
    declaration = BooleanField(
        _l("I declare that the information I have given is true and complete, and that the documents are genuine."),
        validators=[InputRequired(_l("You must confirm the declaration to submit."))],
    )


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token: for one-button actions."""
