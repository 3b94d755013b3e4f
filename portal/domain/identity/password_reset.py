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

import base64
import hashlib
import hmac
import time

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


# The token of a text message is short, so that the message fits in two SMS parts in Khmer too:
# `<public id>.<seconds since the epoch, base 36>.<96 bits of HMAC>`, about 46 characters where the
# signed JSON of `make_token` takes some 150. It says and checks the same: who, since when, and the
# fingerprint of the password hash (so it works once), signed with the secret key.
SHORT_MAC_CHARACTERS = 16  # of base64url: 96 bits


def _short_mac(secret_key: str, public_id: str, issued: str, fingerprint: str) -> str:
    message = f"{SALT}|{public_id}|{issued}|{fingerprint}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:SHORT_MAC_CHARACTERS]


def make_short_token(secret_key: str, person, now: float | None = None) -> str:
    issued = _base36(int(now if now is not None else time.time()))
    mac = _short_mac(secret_key, person.public_id, issued, _fingerprint(person.password_hash))
    return f"{person.public_id}.{issued}.{mac}"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text or "0"


def _person_for_short_token(secret_key: str, token: str):
    public_id, issued, mac = token.split(".")
    try:
        age = time.time() - int(issued, 36)
    except ValueError:
        return None
    if not 0 <= age <= VALID_SECONDS:
        return None
    person = people.get_by_public_id(public_id)
    if person is None or not person.is_active:
        return None
    expected = _short_mac(secret_key, public_id, issued, _fingerprint(person.password_hash))
    return person if hmac.compare_digest(mac, expected) else None


def person_for_token(secret_key: str, token: str):
    """The active person the token (long or short) was made for, or None if it is forged, expired or
    already used."""
    if not token or len(token) > 500:
        return None
    if token.count(".") == 2 and len(token) < 80:
        return _person_for_short_token(secret_key, token)
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


def short_reset_link(secret_key: str, person) -> str:
    """`<portal>/r#<short token>`: `/r` leads on to the reset page, and the fragment goes with it."""
    return external_url("accounts.short_reset") + "#" + make_short_token(secret_key, person)


def reset_sms(link: str) -> str:
    """Within two SMS parts in Khmer (134 UCS-2 characters) with the link of `short_reset_link`."""
    return _("One Window: new password: %(link)s (1 hour). Not you? Ignore this.", link=link)


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
            send_sms(person.phone, reset_sms(short_reset_link(current_app.config["SECRET_KEY"], person)))
    completion.mark_done()
    db.session.commit()
