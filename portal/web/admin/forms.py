"""Forms of the admin area. The rules themselves live in `portal.domain.staff_accounts.rules`; here each
refusal gets its message in the page's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, ValidationError

from portal.data import people
from portal.domain.catalogue import agency_roles, get_catalogue
from portal.domain.i18n.formatting import digits
from portal.domain.staff_accounts import roles_at, rules
from portal.domain.staff_accounts.errors import InvalidEmail

ROLE_LABELS = {"clerk": _l("Clerk"), "supervisor": _l("Supervisor"), "cashier": _l("Cashier")}


def role_title(role: str, agency_slug: str | None, locale: str) -> str:
    """A role's name in the admin's language: built in, or as the agency declares it (agencies.yaml)."""
    if role in ROLE_LABELS:
        return str(ROLE_LABELS[role])
    declared = agency_roles.of(get_catalogue(), agency_slug).get(role) if agency_slug else None
    return declared.title[locale] if declared else role


def _strip(value):
    return value.strip() if isinstance(value, str) else value


GROUP_LABELS = {
    "central": _l("Ministries and departments"),
    "staffed": _l("Offices already set up"),
    "provinces": _l("Province and capital offices"),
}


class AgencyRoleFields:
    """An agency and a role picked from lists; a value that is not in the list was forged."""

    agency = SelectField(_l("Agency"), validate_choice=False,
                         validators=[InputRequired(message=_l("Choose an agency"))])
    role = SelectField(_l("Role"), validate_choice=False,
                       validators=[InputRequired(message=_l("Choose a role"))])

    def set_agencies(self, groups, locale: str, allowed) -> None:
        """`groups`: the picker's groups (portal.domain.staff_accounts.pickers), shown as <optgroup>s.
        `allowed(slug)`: whether a role may be given there (any office of the country, not only those shown)."""
        choices: dict = {None: [("", _l("Choose an agency"))]}  # None: outside any <optgroup>
        for group in groups:
            label = group.name[locale] if group.name else str(GROUP_LABELS[group.key])
            choices[label] = [(a.slug, a.name[locale]) for a in group.agencies]
        self.agency.choices = choices
        self._allowed_agencies = allowed
        # The built-in roles, then those agencies declare (a technical officer, a governor): whether the
        # chosen agency has the role is checked on submit.
        declared = [(r.id, r.title[locale]) for r in agency_roles.every_declared(get_catalogue()).values()]
        self.role.choices = [("", _l("Choose a role"))] + [(r, ROLE_LABELS[r]) for r in rules.ROLES] + declared

    def validate_agency(self, field) -> None:
        allowed = getattr(self, "_allowed_agencies", None)
        if not field.data or allowed is None or not allowed(field.data):
            raise ValidationError(_("Choose an agency from the list"))

    def validate_role(self, field) -> None:
        if field.data not in {value for value, _label in self.role.choices if value}:
            raise ValidationError(_("Choose a role from the list"))
        if field.data not in roles_at(self.agency.data or ""):
            raise ValidationError(_("The chosen office has no such role: choose one of its roles"))


class NewStaffForm(AgencyRoleFields, FlaskForm):
    email = StringField(_l("Work email address"), filters=[_strip],
                        validators=[InputRequired(message=_l("Enter the staff member's email address"))])
    name_km = StringField(_l("Name in Khmer"),
                          validators=[InputRequired(message=_l("Enter the name in Khmer"))])
    name_latin = StringField(_l("Name in Latin letters"),
                             validators=[InputRequired(message=_l("Enter the name in Latin letters"))])

    def validate_email(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Enter the staff member's email address"))
        if len(field.data) > rules.EMAIL_MAX:
            raise ValidationError(_("The email address must be %(max)s characters or fewer",
                                    max=digits(rules.EMAIL_MAX)))
        try:
            field.data = rules.clean_email(field.data)
        except InvalidEmail:
            raise ValidationError(_("Enter an email address in the correct format, like name@moc.gov.kh")) from None
        if people.email_taken(field.data):
            raise ValidationError(_("An account with this email address already exists"))

    def validate_name_km(self, field) -> None:
        name = rules.normalise_name(field.data)
        if not name:
            raise ValidationError(_("Enter the name in Khmer"))
        if len(name) > rules.NAME_MAX:
            raise ValidationError(_("The name must be %(max)s characters or fewer", max=digits(rules.NAME_MAX)))
        if not rules.is_khmer_name(name):
            raise ValidationError(_("Write the name in Khmer script only, without digits or symbols"))
        field.data = name

    def validate_name_latin(self, field) -> None:
        name = rules.normalise_name(field.data)
        if not name:
            raise ValidationError(_("Enter the name in Latin letters"))
        if len(name) > rules.NAME_MAX:
            raise ValidationError(_("The name must be %(max)s characters or fewer", max=digits(rules.NAME_MAX)))
        if not rules.is_latin_name(name):
            raise ValidationError(_("Write the name in Latin letters only, as in the passport"))
        field.data = name


class AddRoleForm(AgencyRoleFields, FlaskForm):
    pass


class RemoveRoleForm(FlaskForm):
    # Filled in by the page for the role on that row; checked against the roles the person holds.
    agency = HiddenField()
    role = HiddenField()


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels with it."""
