"""Webhooks (issue 17, docs/api.md): a business's software is told when one of the business's applications
changes state, instead of asking again and again.

An owner registers an HTTPS endpoint and gets its signing secret once. Each state change writes one delivery
per live webhook of the business, and an outbox row, in the transaction of the change itself: no change is
told without having happened, none that happened goes untold. A job POSTs the JSON body with

    Webhook-Id: <delivery id>          the same at every attempt: receivers drop what they have seen
    Webhook-Timestamp: <unix seconds>  of this attempt
    Webhook-Key-Id: <the secret's id>  which secret signed (an owner may have several endpoints)
    Webhook-Signature: v1=<hex>        HMAC-SHA256(secret, "<timestamp>.<body>")

and retries with growing waits (RETRY_INTERVALS) until the receiver answers 2xx, then gives up. Every attempt's
outcome is kept on the delivery, for the owner's page. Requests follow no redirect; in production the address
must be HTTPS and must not resolve to a private, loopback or link-local address (no reaching into our network).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from flask import current_app

from portal.data import organisations
from portal.data import webhooks as webhook_data
from portal.data.db import db, utcnow
from portal.data.models import Webhook, WebhookDelivery
from portal.domain import audit
from portal.jobs import names
from portal.jobs.outbox import schedule
from portal.jobs.queues import NOTIFICATIONS
from portal.jobs.registry import job

STATE_CHANGED = "application.state_changed"
RETRY_INTERVALS = (30, 120, 600, 3600, 4 * 3600)  # then the delivery is given up (5 h 42 min after the first)
TIMEOUT_SECONDS = 10
MAX_PER_BUSINESS = 5
WEBHOOK_ADDED, WEBHOOK_DISABLED = "webhook_added", "webhook_disabled"


class AddressRefused(ValueError):
    """The endpoint cannot be used: `reason` is "scheme", "host", "private" or "too_many"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class DeliveryFailed(Exception):
    """The attempt failed: the job raises it so that RQ tries again later."""


def _strict() -> bool:
    return current_app.config["PORTAL_SETTINGS"].production


def check_address(url: str) -> None:
    """HTTPS to a public address (in development and tests, plain HTTP and local receivers are allowed).
    Raises AddressRefused. Checked when registered and again before each attempt (DNS can change)."""
    parts = urlsplit(url or "")
    if parts.scheme != "https" and (_strict() or parts.scheme != "http"):
        raise AddressRefused("scheme")
    if not parts.hostname or parts.username or parts.password or len(url) > 500:
        raise AddressRefused("host")
    if not _strict():
        return
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise AddressRefused("host") from None
    for *_rest, address in found:
        ip = ipaddress.ip_address(address[0])
        if not ip.is_global:
            raise AddressRefused("private")


def add(organisation, owner, url: str) -> tuple[Webhook, str]:
    """A new endpoint for the business, and its signing secret (shown to the owner once). Caller commits."""
    url = (url or "").strip()
    check_address(url)
    if len(webhook_data.live_of_organisation(organisation.id)) >= MAX_PER_BUSINESS:
        raise AddressRefused("too_many")
    secret = "whsec_" + secrets.token_urlsafe(32)
    webhook = webhook_data.add(Webhook(organisation_id=organisation.id, url=url, secret=secret,
                                       secret_id="whk_" + secrets.token_urlsafe(12),
                                       created_by_person_id=owner.id, created_at=utcnow()))
    audit.record(WEBHOOK_ADDED, actor=owner, subject_type="organisation", subject_id=organisation.public_id,
                 details={"webhook": webhook.public_id, "url": url})
    return webhook, secret


def disable(webhook: Webhook, owner) -> None:
    """No more deliveries to it (idempotent). The caller commits."""
    if webhook.disabled_at is not None:
        return
    webhook.disabled_at = utcnow()
    audit.record(WEBHOOK_DISABLED, actor=owner, subject_type="organisation",
                 subject_id=organisations.get_by_id(webhook.organisation_id).public_id,
                 details={"webhook": webhook.public_id})


def announce_state_change(application, service_slug: str, action: str, from_state: str, to_state: str) -> None:
    """One delivery per live webhook of the application's business, in the caller's transaction."""
    if application.organisation_id is None:
        return
    for webhook in webhook_data.live_of_organisation(application.organisation_id):
        delivery = webhook_data.add(WebhookDelivery(webhook_id=webhook.id, event=STATE_CHANGED, body="",
                                                    created_at=utcnow(), attempts=0))
        delivery.body = json.dumps({
            "id": delivery.public_id, "type": STATE_CHANGED, "created_at": _time(delivery.created_at),
            "data": {"application": application.public_id, "reference": application.reference,
                     "service": service_slug, "action": action, "from_state": from_state, "to_state": to_state},
        }, ensure_ascii=False, separators=(",", ":"))
        schedule(names.DELIVER_WEBHOOK, delivery.id)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is the receiver's answer, not somewhere else to send the event


_opener = urllib.request.build_opener(_NoRedirects)


def _post(webhook: Webhook, delivery: WebhookDelivery) -> int:
    """Send one attempt; the receiver's status (raises OSError when it could not be reached)."""
    body = delivery.body.encode()
    timestamp = int(time.time())
    # The scheme was checked (check_address): http(s) only, never file: or another opener's.
    request = urllib.request.Request(webhook.url, data=body, method="POST", headers={  # noqa: S310
        "Content-Type": "application/json", "User-Agent": "OneWindow-Webhooks/1",
        "Webhook-Id": delivery.public_id, "Webhook-Timestamp": str(timestamp), "Webhook-Key-Id": webhook.secret_id,
        "Webhook-Signature": "v1=" + sign(webhook.secret, timestamp, body)})
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@job(NOTIFICATIONS, name=names.DELIVER_WEBHOOK, retry_intervals=RETRY_INTERVALS)
def deliver(delivery_id: int) -> str:
    """One attempt at one delivery. Delivered or given up: nothing more to do (a second run of the job does
    nothing). Otherwise the attempt is recorded and committed, and a failure raises for RQ to retry."""
    delivery = webhook_data.lock_delivery(delivery_id)
    if delivery is None or delivery.delivered_at is not None or delivery.given_up_at is not None:
        db.session.rollback()
        return "done"
    webhook = delivery.webhook
    if webhook.disabled_at is not None:
        delivery.given_up_at = utcnow()
        delivery.last_error = "the endpoint was disabled"
        db.session.commit()
        return "disabled"
    delivery.attempts += 1
    delivery.last_attempt_at = utcnow()
    delivery.last_status, delivery.last_error = None, None
    try:
        check_address(webhook.url)
        delivery.last_status = _post(webhook, delivery)
    except AddressRefused as refused:
        delivery.last_error = f"address refused: {refused.reason}"
    except (OSError, ValueError) as error:
        delivery.last_error = (type(error).__name__ + ": " + str(error))[:200]
    if delivery.last_status is not None and 200 <= delivery.last_status < 300:
        delivery.delivered_at = utcnow()
        db.session.commit()
        return "delivered"
    if delivery.last_error is None:
        delivery.last_error = f"the receiver answered {delivery.last_status}"
    if delivery.attempts > len(RETRY_INTERVALS):
        delivery.given_up_at = utcnow()
    db.session.commit()
    raise DeliveryFailed(delivery.last_error)


def _time(value) -> str:
    return value.isoformat(timespec="seconds") + "Z"


def of_organisation(organisation) -> list[Webhook]:
    return webhook_data.of_organisation(organisation.id)


def find(organisation, public_id: str) -> Webhook | None:
    return webhook_data.of_organisation_by_public_id(organisation.id, public_id) if len(public_id) <= 32 else None


def recent_deliveries(webhook: Webhook) -> list[WebhookDelivery]:
    return webhook_data.recent_deliveries(webhook.id)
