"""Sending a notification: the inbox row now, email and SMS by jobs after commit."""

from __future__ import annotations

from portal.data import notifications
from portal.domain.notify.jobs import deliver
from portal.domain.notify.messages import MESSAGES
from portal.jobs.outbox import schedule

CHANNELS = ("email", "sms")


def notify(person, message: str, params: dict, link: str | None = None, channels=CHANNELS):
    """Queue `message` for `person` in the caller's transaction. Email and SMS go only where the
    person has an address or number; the inbox always gets it. A kiosk guest gets nothing (None)."""
    if message not in MESSAGES:
        raise KeyError(f"unknown notification message {message!r}")
    if getattr(person, "is_guest", False):
        return None  # a kiosk guest has no contact and no inbox to read: they follow it on /track (issue 14)
    if getattr(person, "closed_at", None) is not None:
        return None  # a closed account reads nothing any more (portal.domain.personal_data.closing)
    reachable = [c for c in channels if (c == "email" and person.email) or (c == "sms" and person.phone)]
    notification = notifications.add(person.id, message, params, link, reachable)
    for delivery in notification.deliveries:
        schedule(deliver, delivery.id, job_id=f"deliver-{delivery.id}")
    return notification
