"""Forms of registration, signing in, password reset and change, and setting up an authenticator app."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, StopValidation

from portal.domain.fields.contact import ContactField
from portal.domain.fields.password import NewPassword, NotTooLong
from portal.domain.identity.totp import normalise_code

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


AUTHENTICATOR_CODE_MISSING = _l("Enter the 6-digit code from your authenticator app")


class CodeField(StringField):
    """Six digits, Latin or Khmer, spaces allowed; `code` holds the six Latin digits once valid."""

    code: str | None = None

    def __init__(self, label=None, validators=None, missing=AUTHENTICATOR_CODE_MISSING, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.missing = missing

    def pre_validate(self, form) -> None:
        self.code = normalise_code(self.data)
        if not (self.data or "").strip():
            raise StopValidation(str(self.missing))
        if self.code is None:
            raise StopValidation(str(_l("The code must be 6 digits, like 123456")))


class CodeForm(FlaskForm):
    code = CodeField(_l("Security code"))


class RegistrationCodeForm(FlaskForm):
    code = CodeField(_l("Code"), missing=_l("Enter the 6-digit code from the message we sent you"))


class ForgotPasswordForm(FlaskForm):
    contact = ContactField(CONTACT_LABEL)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[NewPassword()])
    confirm = _password_confirmation(_l("Confirm new password"))


class MessageLinkField(StringField):
    """A link from a message (password reset, enrolment), or just its token, as pasted or as the page's
    script sends it from the link's fragment; `token` holds the token once the field is valid."""

    token: str | None = None

    def pre_validate(self, form) -> None:
        text = "".join((self.data or "").split())
        if not text:
            raise StopValidation(str(_l("Paste the whole link from your message")))
        # A pasted link: the token is what follows '#' (older messages: the last part of the path).
        self.token = text.split("#")[-1].rstrip("/").rsplit("/", 1)[-1]
        if not self.token or len(self.token) > 500:
            raise StopValidation(str(_l("Paste the whole link from your message")))


class MessageLinkForm(FlaskForm):
    link = MessageLinkField(_l("The link from your message"))
class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[
        InputRequired(message=_l("Enter your current password")),
        NotTooLong(),
    ])
    password = PasswordField(_l("New password"), validators=[NewPassword()])
    confirm = _password_confirmation(_l("Confirm new password"))


class ReplaceAuthenticatorForm(FlaskForm):
    current_code = CodeField(_l("Code from your current app"))
    new_code = CodeField(_l("Code from the new app"))


class CloseAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[
        InputRequired(message=_l("Enter your password to close your account")),
        NotTooLong(),
    ])
    understood = BooleanField(_l("I understand that my account cannot be opened again"), validators=[
        InputRequired(message=_l("Tick the box to say you understand that this cannot be undone")),
    ])
