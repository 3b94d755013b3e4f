"""Rows of `api_webhooks` and `api_webhook_deliveries` (portal.domain.webhooks). The caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from portal.data.db import db
from portal.data.models import Webhook, WebhookDelivery


def add(row):
    db.session.add(row)
    db.session.flush()
    return row


def live_of_organisation(organisation_id: int) -> list[Webhook]:
    return list(db.session.scalars(select(Webhook).where(Webhook.organisation_id == organisation_id,
                                                         Webhook.disabled_at.is_(None)).order_by(Webhook.id)))


def of_organisation(organisation_id: int) -> list[Webhook]:
    return list(db.session.scalars(select(Webhook).where(Webhook.organisation_id == organisation_id)
                                   .order_by(Webhook.created_at.desc(), Webhook.id.desc())))


def of_organisation_by_public_id(organisation_id: int, public_id: str) -> Webhook | None:
    return db.session.scalar(select(Webhook).where(Webhook.organisation_id == organisation_id,
                                                   Webhook.public_id == public_id))


def lock_delivery(delivery_id: int) -> WebhookDelivery | None:
    """The delivery, locked until the transaction ends (PostgreSQL): one attempt at a time."""
    return db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update())


def recent_deliveries(webhook_id: int, limit: int = 20) -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
                                   .order_by(WebhookDelivery.id.desc()).limit(limit)))


def remove_deliveries_ended_before(moment: datetime) -> int:
    """Deliveries delivered or given up before `moment`; one still being tried is never among them."""
    ended = func.coalesce(WebhookDelivery.delivered_at, WebhookDelivery.given_up_at)
    return db.session.execute(delete(WebhookDelivery).where(ended < moment)).rowcount
