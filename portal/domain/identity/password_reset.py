"""Password reset by a link sent to the person's email or phone.

The token is signed (itsdangerous, salt "password-reset") over the person's public id and a
fingerprint of their current password hash, and is valid for an hour. Setting a new password
changes the hash, so a link works only once, and a link sent before any password change stops
working too. Nothing about the token is stored.

The link carries the token after `#`, which browsers never send to a server: it reaches no access
log, proxy log or Referer header. The reset page sends it by POST (its script does so at once; without
JavaScript the person pastes the link), and the session holds it while a new password is chosen.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer

from portal.data import people
from portal.data.db import db
from portal.domain.identity import credentials
from portal.domain.notify import external_url
from portal.domain.notify.email import send_templated_email
from portal.domain.notify.sms import send_sms
from portal.jobs import completion, names
from portal.jobs.queues import NOTIFICATIONS
from portal.jobs.registry import job

SALT = "password-reset"
VALID_SECONDS = 60 * 60


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def make_token(secret_key: str, person) -> str:
    return _serializer(secret_key).dumps({"p": person.public_id, "f": _fingerprint(person.password_hash)})


def person_for_token(secret_key: str, token: str):
    """The active person the token was made for, or None if it is forged, expired or already used."""
    if not token or len(token) > 500:
        return None
    try:
        payload = _serializer(secret_key).loads(token, max_age=VALID_SECONDS)
    except BadData:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), str) \
            or not isinstance(payload.get("f"), str):
        return None
    person = people.get_by_public_id(payload["p"])
    if person is None or not person.is_active:
        return None
    if not hmac.compare_digest(payload["f"], _fingerprint(person.password_hash)):
        return None
    return person


def set_new_password(person, password: str) -> None:
    """The password must already satisfy the policy. Every session of the person ends, including a
    half-finished sign-in, and the person is told. The caller commits."""
    credentials.change_password(person, password)


@job(NOTIFICATIONS, name=names.SEND_RESET_LINK)
def send_reset_link(person_id: int) -> None:
    """Job (notifications queue): send a reset link to the person, by email if they have an email
    address, else by SMS, in the language they chose. Takes the person's id; returns nothing, so no
    link is kept in the job's result. Two requests send two links, each valid on its own; the same job
    run twice (Redis lost it while it ran) sends once: its outbox row is the guard (completion.claim)."""
    if not completion.claim():
        db.session.rollback()
        return
    person = people.get_by_id(person_id)
    if person is None or not person.is_active:
        return
    # In the fragment: browsers never send it, so no server, proxy or Referer sees the token.
    link = external_url("accounts.reset_password") + "#" + make_token(current_app.config["SECRET_KEY"], person)
    locale = person.locale or "km"
    with force_locale(locale):
        if person.email:
            context = {"link": link}
            send_templated_email(person.email, _("Reset your One Window password"),
                                 "password_reset", context, language=locale)
        else:
            send_sms(person.phone, _(
                "One Window: to choose a new password, open %(link)s within 1 hour. "
                "If you did not ask for this, ignore this message.", link=link))
    completion.mark_done()
    db.session.commit()
