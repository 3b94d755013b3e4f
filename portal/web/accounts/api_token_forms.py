"""The form an owner makes a business's API token with (portal/web/accounts/api_tokens.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from portal.domain import api_tokens
from portal.domain.fields.definition_fields import MultiCheckboxField

# The scopes an owner can choose (api_tokens.API_TOKEN_SCOPES).
SCOPE_LABELS = {
    "read": _l("Read: see the business's applications, their status and issued documents"),
    "file": _l("File: start, answer, attach documents to and submit applications for the business"),
}
LIFETIME_LABELS = {30: _l("30 days"), 90: _l("90 days"), 365: _l("1 year")}


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Name of the software that will use it"), validators=[
        DataRequired(_l("Enter a name, such as the name of your accounting software")),
        Length(max=80, message=_l("Write at most %(max)d characters."))])
    scopes = MultiCheckboxField(_l("What it may do"), required_message=_l("Choose at least one"),
                                invalid_message=_l("Choose among the options listed."))
    lifetime = SelectField(_l("Valid for"), default="90", validate_choice=True, choices=[
        SelectChoice(str(days), LIFETIME_LABELS[days]) for days in api_tokens.LIFETIMES_DAYS])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes.choices = [SelectChoice(scope, label) for scope, label in SCOPE_LABELS.items()]
        self.scopes.required = True
