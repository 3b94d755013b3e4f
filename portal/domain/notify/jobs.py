"""Delivering notifications by email and SMS."""

from __future__ import annotations

from portal.data import notifications, people
from portal.data.db import db
from portal.domain.notify import external_url
from portal.domain.notify.email import send_email
from portal.domain.notify.messages import render
from portal.domain.notify.sms import count_parts, send_sms
from portal.jobs import names
from portal.jobs.queues import NOTIFICATIONS
from portal.jobs.registry import job


@job(NOTIFICATIONS, name=names.DELIVER_NOTIFICATION)
def deliver(delivery_id: int) -> str:
    """Send one delivery, once. The row is locked while sending and marked sent in the same
    transaction, so a second run of the job (a retry, a duplicate) finds it sent and stops.
    (If the process dies between the provider accepting the message and the commit, the retry
    sends it again: providers give no way to ask whether a message was already accepted.)"""
    delivery = notifications.lock_delivery(delivery_id)
    if delivery is None or delivery.status != "pending":
        db.session.rollback()
        return delivery.status if delivery else "gone"
    notification = delivery.notification
    person = people.get_by_id(notification.person_id)
    locale = person.locale or "km"
    text = render(notification.message, notification.params, locale)
    link = external_url("public.home").rstrip("/") + notification.link if notification.link else None
    if delivery.channel == "email" and person.email:
        body = f"{text.body}\n\n{link}" if link else text.body
        send_email(person.email, text.subject, body)
        notifications.mark_delivered(delivery)
    elif delivery.channel == "sms" and person.phone:
        send_sms(person.phone, text.sms)
        notifications.mark_delivered(delivery, sms_parts=count_parts(text.sms))
    else:
        notifications.mark_delivered(delivery, status="skipped")
    db.session.commit()
    return delivery.status
