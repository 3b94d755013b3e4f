"""Forms of registration, signing in and password reset."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, StopValidation

from portal.forms.contact import ContactField
from portal.forms.password import NewPassword, NotTooLong
from portal.identity.totp import normalise_code

CONTACT_LABEL = _l("Email address or mobile phone number")


def _password_confirmation(label):
    return PasswordField(label, validators=[
        InputRequired(message=_l("Enter the password again to confirm it")),
        NotTooLong(),
        EqualTo("password", message=_l("The passwords do not match. Enter the same password twice")),
    ])


class RegisterForm(FlaskForm):
    contact = ContactField(CONTACT_LABEL)
    password = PasswordField(_l("Password"), validators=[NewPassword()])
    confirm = _password_confirmation(_l("Confirm password"))


class SignInForm(FlaskForm):
    contact = ContactField(CONTACT_LABEL)
    password = PasswordField(_l("Password"), validators=[
        InputRequired(message=_l("Enter your password")),
        NotTooLong(),
    ])
    next = HiddenField()


class CodeField(StringField):
    """Six digits, Latin or Khmer, spaces allowed; `code` holds the six Latin digits once valid."""

    code: str | None = None

    def pre_validate(self, form) -> None:
        self.code = normalise_code(self.data)
        if not (self.data or "").strip():
            raise StopValidation(str(_l("Enter the 6-digit code from your authenticator app")))
        if self.code is None:
            raise StopValidation(str(_l("The code must be 6 digits, like 123456")))


class CodeForm(FlaskForm):
    code = CodeField(_l("Security code"))


class ForgotPasswordForm(FlaskForm):
    contact = ContactField(CONTACT_LABEL)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[NewPassword()])
    confirm = _password_confirmation(_l("Confirm new password"))


class ResetLinkField(StringField):
    """The link from a reset message, or just its token, as pasted or as the page's script sends it;
    `token` holds the token once the field is valid."""

    token: str | None = None

    def pre_validate(self, form) -> None:
        text = "".join((self.data or "").split())
        if not text:
            raise StopValidation(str(_l("Paste the whole link from your message")))
        # A pasted link: the token is what follows '#' (older messages: the last part of the path).
        self.token = text.split("#")[-1].rstrip("/").rsplit("/", 1)[-1]
        if not self.token or len(self.token) > 500:
            raise StopValidation(str(_l("Paste the whole link from your message")))


class ResetLinkForm(FlaskForm):
    link = ResetLinkField(_l("The link from your message"))
