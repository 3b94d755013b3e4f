""""Continue on my phone" (issue 14): a short-lived, single-use link, shown as a QR code on a kiosk, that
moves a draft to the person's own phone and ends the kiosk's session.

The link's secret is 256 random bits; only its SHA-256 is stored (`handoff_links.token_digest`), with the
draft, the kiosk, the draft's owner, the kiosk browser's session (`web_sessions.id_digest`), an expiry
(LIFETIME) and when it was used or cancelled. Making a link cancels the draft's earlier open links. Using it
is a compare-and-set (`handoff_links.use`): of two redemptions at once exactly one wins; the winner deletes
the kiosk's session row in the same transaction, so the kiosk is signed out server-side at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from portal.data import handoff_links, people, web_sessions
from portal.data import kiosks as kiosk_data
from portal.data.db import utcnow
from portal.data.models import Application, HandoffLink
from portal.domain import audit

LIFETIME = timedelta(minutes=10)
SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32): 256 bits
OPEN, USED, CANCELLED, EXPIRED = "open", "used", "cancelled", "expired"


class NotUsable(Exception):
    """Unknown, used, expired, cancelled, or its draft is no longer a draft: the person is told the same."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_hand_off(application: Application, person) -> bool:
    """A draft of the person's own (not only one of their business's members' drafts)."""
    return application.state == "draft" and application.applicant_person_id == person.id


def make(application: Application, person, kiosk, kiosk_session_digest: str | None) -> tuple[HandoffLink, str]:
    """A new link for the draft and its secret (shown once as a QR code, never stored)."""
    if not may_hand_off(application, person):
        raise NotUsable()
    now = utcnow()
    handoff_links.cancel_open(now, application_id=application.id)
    secret = secrets.token_urlsafe(32)
    link = HandoffLink(token_digest=digest(secret), application_id=application.id, kiosk_id=kiosk.id,
                       person_id=person.id, kiosk_session_digest=kiosk_session_digest, created_at=now,
                       expires_at=now + LIFETIME)
    handoff_links.add(link)
    _record(person, "link_made", link)
    return link, secret


def state(link: HandoffLink) -> str:
    if link.used_at is not None:
        return USED
    if link.cancelled_at is not None:
        return CANCELLED
    if link.expires_at <= utcnow():
        return EXPIRED
    return OPEN


def usable(secret: str | None) -> HandoffLink:
    """The open link this secret names, for a draft still owned by the person it was made for."""
    if not SECRET.match(secret or ""):
        raise NotUsable()
    link = handoff_links.by_digest(digest(secret))
    if link is None or state(link) != OPEN:
        raise NotUsable()
    if link.application.state != "draft" or link.application.applicant_person_id != link.person_id:
        raise NotUsable()
    return link


def redeem(link: HandoffLink, person) -> None:
    """Use the link for `person` (the draft's owner, signed in on the phone, or the guest it signs in). In
    the caller's transaction: the link is used, the kiosk's session row deleted, the audit entry written.
    Raises NotUsable when another redemption (or a cancel, or the expiry) came first."""
    if person.id != link.person_id:
        raise NotUsable()
    if not handoff_links.use(link.id, utcnow()):
        raise NotUsable()
    if link.kiosk_session_digest:
        web_sessions.remove(handoff_links.store(), link.kiosk_session_digest)
    _record(person, "link_used", link)


def cancel(link: HandoffLink, person) -> bool:
    """Cancel an open link (the kiosk's "Cancel"); False if it was no longer open."""
    if not handoff_links.cancel(link.id, utcnow()):
        return False
    _record(person, "link_cancelled", link)
    return True


def cancel_for_session(kiosk_session_digest: str, person) -> None:
    """The kiosk's session ends ("Finish and clear", its idle limit): the open links of guests' drafts made in
    it stop working, so a QR code photographed from the screen cannot sign anyone in as the guest after the
    person left. A link to an account holder's draft stays for its few minutes: it needs that account's
    sign-in anyway, and the person may still be signing in on their phone while the kiosk clears itself."""
    for link in handoff_links.open_for_session(kiosk_session_digest, utcnow()):
        if owner(link).is_guest:
            cancel(link, person)


def _record(person, change: str, link: HandoffLink) -> None:
    kiosk = kiosk_data.kiosk_by_id(link.kiosk_id)
    role = "kiosk" if person is None else "guest" if getattr(person, "is_guest", False) else None
    audit.record(audit.KIOSK_HANDOFF, actor=person, actor_role=role,
                 subject_type="handoff_link", subject_id=link.public_id, application=link.application_id,
                 details={"change": change, "kiosk": kiosk.public_id})


def for_kiosk_session(public_id: str, kiosk, kiosk_session_digest: str | None) -> HandoffLink | None:
    """The link named by `public_id` if this kiosk's browser session made it; None otherwise."""
    link = handoff_links.by_public_id(public_id)
    if (link is None or kiosk is None or link.kiosk_id != kiosk.id or not kiosk_session_digest
            or link.kiosk_session_digest != kiosk_session_digest):
        return None
    return link


def owner(link: HandoffLink):
    return people.get_by_id(link.person_id)
