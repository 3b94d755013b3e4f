"""`POST /payments/khqr/callback`: a payment provider says a KHQR request was paid (`portal.payments.callbacks`,
docs/payments-khqr.md). Machine to machine: no CSRF token (the HMAC signature is the credential), no session,
no cookie, JSON in and out, a small body."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request

from portal.data.db import db
from portal.domain import clock
from portal.extensions import csrf, redis_connection
from portal.payments import callbacks
from portal.payments.callback_throttle import CallbackThrottle

blueprint = Blueprint("khqr_callback", __name__)


@blueprint.post("/payments/khqr/callback")
@csrf.exempt
def khqr_callback():
    settings = current_app.config["PORTAL_SETTINGS"].khqr
    if settings is None:
        abort(404)  # KHQR is not offered: nobody may tell us about a KHQR payment
    too_large = request.content_length is not None and request.content_length > callbacks.BODY_LIMIT
    body = None if too_large else request.stream.read(callbacks.BODY_LIMIT + 1)
    if body is not None and len(body) > callbacks.BODY_LIMIT:
        body = None  # chunked, without a length: read no further than the limit
    throttle = CallbackThrottle(redis_connection.client)
    if throttle.blocked(request.remote_addr) and (body is None or not callbacks.is_signed(request.headers, body,
                                                                                        settings)):
        # Too many unsigned callbacks from this address: not written down any more (see callback_throttle).
        response = jsonify({"outcome": "refused", "reason": "too_many"})
        response.status_code = 429
        return response
    received = callbacks.receive(request.headers, body, settings=settings, now=clock.now())
    db.session.commit()
    if received.reason == callbacks.FORGED or body is None:  # unsigned or unread: nobody vouches for it
        throttle.record_forged(request.remote_addr)
    response = jsonify({"outcome": received.outcome, **({"reason": received.reason} if received.reason else {})})
    response.status_code = 413 if body is None else received.status
    response.headers["Cache-Control"] = "no-store"
    return response
