"""Notifications and their deliveries. Callers commit."""

from __future__ import annotations

from sqlalchemy import func, select, update

from portal.data.db import db, utcnow
from portal.data.models import Notification, NotificationDelivery


def add(person_id: int, message: str, params: dict, link: str | None, channels: list[str]) -> Notification:
    notification = Notification(person_id=person_id, message=message, params=params, link=link)
    notification.deliveries = [NotificationDelivery(channel=channel) for channel in channels]
    db.session.add(notification)
    db.session.flush()
    return notification


def lock_delivery(delivery_id: int) -> NotificationDelivery | None:
    return db.session.scalar(
        select(NotificationDelivery).where(NotificationDelivery.id == delivery_id).with_for_update()
    )


def mark_delivered(delivery: NotificationDelivery, status: str = "sent", sms_parts: int | None = None) -> None:
    delivery.status = status
    delivery.sent_at = utcnow()
    delivery.sms_parts = sms_parts


def inbox(person_id: int, limit: int = 100) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.person_id == person_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ))


def unread_count(person_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(Notification.person_id == person_id, Notification.read_at.is_(None))
    )


def mark_all_read(person_id: int) -> None:
    db.session.execute(
        update(Notification).where(Notification.person_id == person_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
