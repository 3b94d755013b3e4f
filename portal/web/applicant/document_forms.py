from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, ValidationError
from wtforms.validators import InputRequired

ME = "me"


class OwnerField(SelectField):
    """A select whose wrong value gets our message, in the page's language."""

    def pre_validate(self, form):
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(_l("Choose one of the listed owners."))


class UploadForm(FlaskForm):
    file = FileField(_l("File (PDF, JPEG or PNG, up to 10 MB)"), validators=[InputRequired(_l("Choose a file."))])
    owner = OwnerField(_l("Whose document is it?"))

    def set_owner_choices(self, person_label: str, organisations) -> None:
        self.owner.choices = [(ME, person_label)] + [(o.public_id, o.name_km) for o in organisations]
