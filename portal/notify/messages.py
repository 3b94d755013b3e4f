"""The portal's own notification messages, in the recipient's language.

Each message has a subject (email and inbox title), a body (email and inbox) and a short SMS
text. Parameters are plain values or bilingual `{km, en}` texts, picked for the recipient.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.i18n.formatting import pick


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
    "application_received": Message(
        subject=_l("We received your application %(reference)s"),
        body=_l("Your application for %(service)s was submitted. Its reference is %(reference)s. "
                "Your receipt is in My documents, and you can follow the application in My applications."),
        sms=_l("One Window: application %(reference)s received. Keep this reference."),
    ),
    "status_changed": Message(
        subject=_l("Application %(reference)s: %(status)s"),
        body=_l("The status of your application %(reference)s for %(service)s is now: %(status)s."),
        sms=_l("One Window: application %(reference)s is now: %(status)s."),
    ),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms: str


def render(message: str, params: dict, locale: str) -> Rendered:
    template = MESSAGES[message]
    values = {k: pick(v, locale) if isinstance(v, dict) else v for k, v in params.items()}
    with force_locale(locale):
        return Rendered(
            subject=str(template.subject) % values,
            body=str(template.body) % values,
            sms=str(template.sms) % values,
        )
