"""Enrolment of staff and administrators: a one-time link with which the person chooses their own
password and sets up their own authenticator app, so that nobody else ever sees either.

Starting an enrolment stores a random nonce and an expiry (72 hours) on the person. The link's token
is signed (itsdangerous, salt "staff-enrolment") over the person's public id and that nonce; nothing
else about it is stored. A new link replaces the nonce, so the previous link stops working; finishing
the enrolment clears it (`people.claim_enrolment`, one UPDATE), so a link works once. The account is
usable only once both the password and the authenticator are set, in one transaction.

Plain Python called by the web layer and the `flask users` commands; the caller commits.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer

from portal.data import people
from portal.data.db import db, utcnow
from portal.domain.notify import external_url
from portal.domain.notify.email import send_templated_email
from portal.jobs import completion, names
from portal.jobs.outbox import schedule
from portal.jobs.queues import NOTIFICATIONS
from portal.jobs.registry import job

SALT = "staff-enrolment"
VALID = timedelta(hours=72)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def start(person) -> datetime:
    """A new enrolment for `person`, replacing any earlier link; returns when it expires. Sends nothing."""
    expires_at = utcnow() + VALID
    people.set_enrolment(person, secrets.token_urlsafe(16), expires_at)
    return expires_at


def send_link(person) -> datetime:
    """`start`, and email the link to the person after the caller commits."""
    expires_at = start(person)
    schedule(send_enrolment_link, person.id)
    return expires_at


def is_pending(person) -> bool:
    return bool(person.enrolment_nonce) and person.enrolment_expires_at is not None \
        and person.enrolment_expires_at > utcnow()


def link(person) -> str:
    """The enrolment link of the person's current enrolment (absolute, from PORTAL_BASE_URL)."""
    token = _serializer().dumps({"p": person.public_id, "n": person.enrolment_nonce})
    # After '#': browsers never send the fragment, so the token reaches no access log, proxy or Referer.
    return external_url("accounts.enrol_link") + "#" + token


@dataclass(frozen=True)
class Claim:
    """What the web layer keeps in the session once a link was opened: whose enrolment, and which one."""

    person_public_id: str
    nonce: str


def claim_for_token(token: str) -> Claim | None:
    """The enrolment the token names, if it is genuine, current and not expired; else None."""
    if not token or len(token) > 500:
        return None
    try:
        payload = _serializer().loads(token, max_age=int(VALID.total_seconds()))
    except BadData:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), str) or not isinstance(payload.get("n"), str):
        return None
    claim = Claim(payload["p"], payload["n"])
    return claim if person_for(claim) is not None else None


def person_for(claim: Claim):
    """The active person whose current enrolment this is, or None (used, replaced, expired, deactivated)."""
    person = people.get_by_public_id(claim.person_public_id)
    if person is None or not person.is_active or not is_pending(person):
        return None
    if not hmac.compare_digest(person.enrolment_nonce, claim.nonce):
        return None
    return person


def finish(person, claim: Claim, password_hash: str, sealed_secret: str) -> bool:
    """Set the chosen password (already hashed) and authenticator (sealed with `totp.seal`) and end the
    enrolment; False, with nothing written, if the link was used, replaced or expired meanwhile.
    A new password ends any session the person had (an enrolment may replace lost credentials)."""
    if not people.claim_enrolment(person, claim.nonce):
        return False
    people.set_password(person, password_hash)
    people.set_totp_secret(person, sealed_secret)
    return True


@job(NOTIFICATIONS, name=names.SEND_ENROLMENT_LINK)
def send_enrolment_link(person_id: int) -> None:
    """Job (notifications queue): email the person the link of their current enrolment, in their
    language. Takes the person's id; returns nothing, so no link is kept in the job's result. Running
    the same job twice (Redis lost it while it ran) sends once: its outbox row is the guard
    (completion.claim). Two jobs send the same enrolment twice: both links work, once, until it ends."""
    if not completion.claim():
        db.session.rollback()
        return
    person = people.get_by_id(person_id)
    if person is None or not person.is_active or not person.email or not is_pending(person):
        return
    locale = person.locale or "km"
    with force_locale(locale):
        context = {"link": link(person), "email": person.email}
        send_templated_email(person.email, _("Set up your One Window staff account"),
                             "enrolment", context, language=locale)
    completion.mark_done()
    db.session.commit()
