"""Webhooks (issue 17, docs/api.md): a business's software is told when one of the business's applications
changes state, instead of asking again and again.

An owner registers an HTTPS endpoint and gets its signing secret once. Each state change writes one delivery
per live webhook of the business, and an outbox row, in the transaction of the change itself: no change is
told without having happened, none that happened goes untold. A job POSTs the JSON body with

    Webhook-Id: <delivery id>          the same at every attempt: receivers drop what they have seen
    Webhook-Timestamp: <unix seconds>  of this attempt
    Webhook-Key-Id: <the secret's id>  which secret signed (an owner may have several endpoints)
    Webhook-Signature: v1=<hex>        HMAC-SHA256(secret, "<timestamp>.<body>")

and retries with growing waits (RETRY_INTERVALS) until the receiver answers 2xx, then gives up: at least once,
the same Webhook-Id each time. Every attempt's outcome is kept on the delivery, for the owner's page (the kind of
failure only, not the network's details). Deliveries have a queue of their own, which workers take in turn with
the others, and an attempt lasts at most ATTEMPT_SECONDS: a slow receiver delays a sign-in code or a receipt by
one attempt at most. Requests follow no redirect and connect to the very address that was
checked; in production the address must be HTTPS and resolve only to public addresses (none private, loopback,
link-local, or an IPv6 form carrying an IPv4 address): no reaching into our network.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app

from portal.data import organisations
from portal.data import webhooks as webhook_data
from portal.data.db import db, utcnow
from portal.data.models import Webhook, WebhookDelivery
from portal.domain import audit
from portal.jobs import names
from portal.jobs.outbox import schedule
from portal.jobs.queues import DEFAULT, WEBHOOKS
from portal.jobs.registry import job

log = logging.getLogger(__name__)
STATE_CHANGED = "application.state_changed"
RETRY_INTERVALS = (30, 120, 600, 3600, 4 * 3600)  # then the delivery is given up (5 h 42 min after the first)
SOCKET_TIMEOUT_SECONDS = 10  # each connect, send or read
ATTEMPT_SECONDS = 15  # the whole attempt: a receiver cannot hold a worker longer by answering slowly
MAX_PER_BUSINESS = 5
# How long the owner's page lists a delivery after it ended. What it sent (an application's ids and states)
# then goes too: the portal's own copy of an application goes with its retention, not with this log.
DELIVERIES_KEPT_FOR = timedelta(days=30)
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


# IPv6 ranges that carry an IPv4 address inside (NAT64, 6to4, Teredo, IPv4-compatible, IPv4-mapped): a
# private IPv4 address can hide in them, so none of them is an address a receiver may have.
_CARRIERS = tuple(ipaddress.ip_network(net) for net in (
    "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32", "::/96", "::ffff:0:0/96"))


def _public(ip) -> bool:
    if ip.version == 6 and any(ip in network for network in _CARRIERS):
        return False
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class Target:
    """Where one attempt goes: the URL's parts, and the address it resolved to (connected to as such, so that a
    second lookup cannot send it elsewhere)."""

    scheme: str
    host: str
    port: int
    path: str
    ip: str


def check_address(url: str) -> None:
    """Raises AddressRefused unless `url` may be a receiver (see `resolve`). Checked when an endpoint is added;
    outside production the name need not resolve yet (a receiver being set up on a developer's machine)."""
    resolve(url, look_up=_strict())


def resolve(url: str, look_up: bool = True) -> Target | None:
    """HTTPS to a public address (in development and tests, plain HTTP and local receivers are allowed), and
    the address to connect to. Raises AddressRefused. Done again before each attempt (DNS can change)."""
    parts = urlsplit(url or "")
    if parts.scheme != "https" and (_strict() or parts.scheme != "http"):
        raise AddressRefused("scheme")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AddressRefused("host") from None
    if not parts.hostname or parts.username or parts.password or len(url) > 500:
        raise AddressRefused("host")
    if not look_up:
        return None
    try:
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        raise AddressRefused("host") from None
    addresses = [ipaddress.ip_address(address[0].split("%")[0]) for *_rest, address in found]
    if _strict() and not all(_public(ip) for ip in addresses):
        raise AddressRefused("private")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, str(addresses[0]))


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
    parts = urlsplit(url)
    audit.record(WEBHOOK_ADDED, actor=owner, subject_type="organisation", subject_id=organisation.public_id,
                 details={"webhook": webhook.public_id,  # no query string: a receiver may put its own key there
                          "url": f"{parts.scheme}://{parts.netloc}{parts.path}"})
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


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to the address already checked, with the name's certificate and SNI."""

    def __init__(self, target: Target):
        super().__init__(target.host, target.port, timeout=SOCKET_TIMEOUT_SECONDS,
                         context=ssl.create_default_context())
        self._ip = target.ip

    def connect(self):
        raw = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


class _PinnedHTTP(http.client.HTTPConnection):
    """Plain HTTP (development and tests only) to the address already checked."""

    def __init__(self, target: Target):
        super().__init__(target.host, target.port, timeout=SOCKET_TIMEOUT_SECONDS)
        self._ip = target.ip

    def connect(self):
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


def _post(target: Target, webhook: Webhook, delivery: WebhookDelivery) -> int:
    """Send one attempt, within ATTEMPT_SECONDS in all (a receiver that trickles its answer a byte at a time is
    cut off); the receiver's status. Follows no redirect: a 3xx is the answer. Raises OSError (TimeoutError)."""
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": "OneWindow-Webhooks/1",
               "Webhook-Id": delivery.public_id, "Webhook-Timestamp": str(timestamp),
               "Webhook-Key-Id": webhook.secret_id, "Webhook-Signature": "v1=" + sign(webhook.secret, timestamp, body)}
    connection = (_PinnedHTTPS if target.scheme == "https" else _PinnedHTTP)(target)
    outcome: dict = {}

    def send() -> None:
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            outcome["status"] = connection.getresponse().status  # the body is not read: nothing in it counts
        except (OSError, http.client.HTTPException) as error:
            outcome["error"] = error

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    sender.join(ATTEMPT_SECONDS)
    if sender.is_alive():
        with contextlib.suppress(OSError, AttributeError):
            connection.sock.shutdown(socket.SHUT_RDWR)  # unblocks the sender's read
        connection.close()
        raise TimeoutError(f"no answer within {ATTEMPT_SECONDS} s")
    connection.close()
    if "error" in outcome:
        error = outcome["error"]
        raise error if isinstance(error, OSError) else OSError(f"{type(error).__name__}: {error}")
    return outcome["status"]


@job(WEBHOOKS, name=names.DELIVER_WEBHOOK, timeout=60, retry_intervals=RETRY_INTERVALS)
def deliver(delivery_id: int) -> str:
    """One attempt at one delivery. Delivered or given up: nothing more to do (a second run of the job does
    nothing). The attempt is counted and committed before anything is sent, so that even an attempt cut off by
    the job's own timeout leaves its trace; its outcome is committed after. A failure raises, for RQ to retry.
    Delivery is at least once: a receiver that answered 2xx just before the worker died hears it again, with
    the same Webhook-Id."""
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
    delivery.last_status, delivery.last_error = None, "no answer: the attempt was cut off"
    last_chance = delivery.attempts > len(RETRY_INTERVALS)
    if last_chance:
        delivery.given_up_at = utcnow()  # whatever happens now, no other attempt follows
    url, secret_id = webhook.url, webhook.secret_id
    db.session.commit()
    status, error = None, None
    try:
        status = _post(resolve(url), webhook, delivery)
    except AddressRefused as refused:
        error = f"address refused: {refused.reason}"
    except OSError as failed:
        error = _error_text(failed)
    delivery = webhook_data.lock_delivery(delivery_id)
    delivery.last_status = status
    if status is not None and 200 <= status < 300:
        delivery.last_error, delivery.delivered_at, delivery.given_up_at = None, utcnow(), None
        db.session.commit()
        return "delivered"
    delivery.last_error = error or f"the receiver answered {status}"
    db.session.commit()
    log.info("webhook delivery %s to %s failed (attempt %s): %s", delivery.public_id, secret_id,
             delivery.attempts, delivery.last_error)
    raise DeliveryFailed(delivery.last_error)


@job(DEFAULT, timeout=300, retry_intervals=(), name=names.PURGE_WEBHOOK_DELIVERIES)
def purge_deliveries() -> int:
    """The hourly sweep (portal.jobs.cron): deliveries that ended `DELIVERIES_KEPT_FOR` ago are forgotten.
    Idempotent; a delivery still being tried stays whatever its age."""
    removed = webhook_data.remove_deliveries_ended_before(utcnow() - DELIVERIES_KEPT_FOR)
    db.session.commit()
    return removed


def _error_text(error: OSError) -> str:
    """What the owner's page says about a failed attempt: the kind of failure, not the network's details."""
    if isinstance(error, TimeoutError | socket.timeout):
        return "no answer in time"
    if isinstance(error, ssl.SSLError):
        return "the TLS handshake failed"
    if isinstance(error, ConnectionRefusedError | ConnectionResetError):
        return "the connection was refused or reset"
    return "the receiver could not be reached"


def _time(value) -> str:
    return value.isoformat(timespec="seconds") + "Z"


def of_organisation(organisation) -> list[Webhook]:
    return webhook_data.of_organisation(organisation.id)


def find(organisation, public_id: str) -> Webhook | None:
    return webhook_data.of_organisation_by_public_id(organisation.id, public_id) if len(public_id) <= 32 else None


def recent_deliveries(webhook: Webhook) -> list[WebhookDelivery]:
    return webhook_data.recent_deliveries(webhook.id)
