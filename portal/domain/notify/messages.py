"""The portal's own notification messages, in the recipient's language.

Each message has a subject (email and inbox title), a body (email and inbox) and a short SMS
text. Parameters are plain values or bilingual `{km, en}` texts, picked for the recipient.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.domain.i18n.formatting import number, pick


@dataclass(frozen=True)
class Message:
    subject: object
    body: object
    sms: object


MESSAGES = {
    "document_issued": Message(
        subject=_l("Your document is ready: %(document)s"),
        body=_l("Your %(document)s has been issued. You can download it from My documents. "
                "Anyone you show it to can check it by scanning its QR code."),
        sms=_l("One Window: your %(document)s is ready. Download it from My documents."),
    ),
    "document_revoked": Message(
        subject=_l("Your %(document)s has been revoked"),
        body=_l("The office that issued your %(document)s has revoked it: it is no longer valid, and anyone who "
                "checks its QR code is told so. Reason: %(category)s. In the office's words: %(reason)s"),
        # The office's words stay out of SMS, as for case messages.
        sms=_l("One Window: your %(document)s has been revoked and is no longer valid. See My documents."),
    ),
    "document_replaced": Message(
        subject=_l("A corrected %(document)s was issued to you"),
        body=_l("The office that issued your %(document)s has issued a corrected one. Download it from My "
                "documents and use it from now on: the earlier one is no longer valid, and anyone who checks its "
                "QR code is told that a newer version replaced it."),
        sms=_l("One Window: a corrected %(document)s was issued to you. The earlier one is no longer valid."),
    ),
    "application_received": Message(
        subject=_l("We received your application %(reference)s"),
        body=_l("Your application for %(service)s was submitted. Its reference is %(reference)s. "
                "Your receipt is in My documents, and you can follow the application in My applications."),
        sms=_l("One Window: application %(reference)s received. Keep this reference."),
    ),
    # Sent when the payment's receipt is issued (portal.payments.receipts), so that it is there to download.
    "payment_received": Message(
        subject=_l("Payment received for your application %(reference)s"),
        body=_l("We received your payment of %(amount)s for your application %(reference)s for %(service)s. "
                "%(balance)s Your receipt is in My documents; anyone you show it to can check it by scanning "
                "its QR code."),
        sms=_l("One Window: we received %(amount)s for application %(reference)s. Your receipt is in My documents."),
    ),
    "status_changed": Message(
        subject=_l("Application %(reference)s: %(status)s"),
        body=_l("The status of your application %(reference)s for %(service)s is now: %(status)s."),
        sms=_l("One Window: application %(reference)s is now: %(status)s."),
    ),
    "case_message": Message(
        subject=_l("A message about your application %(reference)s"),
        body=_l("%(agency)s wrote to you about your application %(reference)s:\n\n%(message)s"),
        # The clerk's words stay out of SMS: a phone screen is the least private place they could go.
        sms=_l("One Window: %(agency)s sent you a message about application %(reference)s. Read it in Messages."),
    ),
    "cases_escalated": Message(
        subject=_l("%(agency)s: %(breached)s overdue and %(due_soon)s soon due case(s)"),
        body=_l("These cases at %(agency)s need attention. Overdue: %(breached_list)s. "
                "Due within a day: %(due_soon_list)s. Open the case queue to act on them."),
        sms=_l("One Window: %(agency)s has %(breached)s overdue and %(due_soon)s soon due case(s)."),
    ),
    # ASVS 2.2.3: the person hears of every change to how they sign in, wherever it was made from.
    "password_changed": Message(
        subject=_l("The password of your One Window account was changed"),
        body=_l("The password of your One Window account was just changed, and every other place where "
                "you were signed in was signed out. If you did not do this, choose a new password now with "
                "\"I forgot my password\" on the sign-in page. Staff should also tell an administrator."),
        sms=_l("One Window: your password was changed. If this was not you, reset it now with "
               "\"I forgot my password\"."),
    ),
    "authenticator_changed": Message(
        subject=_l("A new authenticator app was set up for your One Window account"),
        body=_l("A new authenticator app was just set up for your One Window account; the codes of the "
                "old one no longer work, and every other place where you were signed in was signed out. "
                "If you did not do this, tell an administrator now."),
        sms=_l("One Window: a new authenticator app was set up for your account. If this was not you, "
               "tell an administrator now."),
    ),
    # No business name anywhere here: it is text the inviter typed, and official email and SMS must not
    # carry it to someone who never asked for it. The account page shows it (portal.domain.organisations.invitations).
    "business_invitation": Message(
        subject=_l("You are invited to join a business"),
        body=_l("A business on One Window invited you to become one of its members, so that you can apply for "
                "services on its behalf. Sign in and open My account to see which business it is and to accept "
                "or decline. Nothing changes unless you accept; if you did not expect this, decline it or "
                "let it expire."),
        sms=_l("One Window: a business invited you to join it. Sign in to My account to accept or decline."),
    ),
    "data_export_ready": Message(
        subject=_l("Your data is ready to download"),
        body=_l("The archive of everything One Window holds about you, which you asked for, is ready. Sign in "
                "and open My account, then Download my data, within a day: after that it is removed, and you "
                "can ask for a new one. If you did not ask for it, change your password."),
        sms=_l("One Window: your data is ready. Sign in, My account, Download my data, within a day."),
    ),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms: str


def _in_locale(value, locale: str):
    """Bilingual texts picked and counts written in the recipient's digits (Khmer digits in Khmer)."""
    if isinstance(value, dict):
        return pick(value, locale)
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value, locale)
    return value


def render(message: str, params: dict, locale: str) -> Rendered:
    template = MESSAGES[message]
    values = {k: _in_locale(v, locale) for k, v in params.items()}
    with force_locale(locale):
        return Rendered(
            subject=str(template.subject) % values,
            body=str(template.body) % values,
            sms=str(template.sms) % values,
        )
