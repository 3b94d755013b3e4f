"""KHQR payment requests and their confirmation.

A request asks, by one dynamic KHQR string, for what an application still owes in one currency (its bill
number is the application's reference; it expires after `KHQR_REQUEST_MINUTES`). At most one request per
application and currency is open: asking again gives the same one while it is valid and asks for the
amount due; otherwise the old one is closed (expired, or superseded when the amount due changed, e.g. after
a counter payment or a reassessment) and a new one made.

A provider tells us a request was paid by a signed callback or by answering a status poll; both end in
`confirm`, which records the payment in the ledger once (Bakong's transaction hash is the provider
reference) or refuses it with a reason. What refused confirmations are kept for (the finance office's
unmatched and late list) is the callers' (`portal.payments.callbacks`, `portal.payments.polling`).
The caller commits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from portal.config import KhqrSettings
from portal.data import payment_requests as request_data
from portal.data import payments as payment_data
from portal.domain.applications import case_records
from portal.domain.catalogue import Service
from portal.payments import account, assessments, khqr, receipts

PROVIDER_ROLE = "provider.khqr"  # the actor of a payment no person recorded (case events, audit)
# A request about to expire is not handed out again: the person needs time to open their bank app.
FRESH_FOR_AT_LEAST = timedelta(minutes=2)

ACCEPTED, DUPLICATE, REFUSED = "accepted", "duplicate", "refused"
# Why a confirmation is refused (PaymentCallback.reason).
WRONG_AMOUNT, WRONG_CURRENCY, EXPIRED_REQUEST, REFERENCE_USED = (
    "wrong_amount", "wrong_currency", "expired_request", "reference_used")


class NotPayable(Exception):
    """KHQR is not offered, or the application is not submitted: there is nothing to pay by KHQR yet."""


@dataclass(frozen=True)
class Confirmation:
    outcome: str  # accepted, duplicate or refused
    reason: str | None = None  # why refused
    payment: object | None = None  # the ledger's row (accepted, duplicate)


def payee(settings: KhqrSettings) -> khqr.Payee:
    return khqr.Payee(
        bakong_account_id=settings.account_id, merchant_name=settings.merchant_name,
        merchant_city=settings.merchant_city, merchant_id=settings.merchant_id,
        acquiring_bank=settings.acquiring_bank, merchant_name_km=settings.merchant_name_km,
        merchant_city_km=settings.merchant_city_km)


def md5_of(khqr_string: str) -> str:
    """Bakong knows a payment by the MD5 of the string that was paid (its check_transaction_by_md5)."""
    return hashlib.md5(khqr_string.encode("utf-8"), usedforsecurity=False).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _naive_utc(moment: datetime) -> datetime:
    return _aware(moment).astimezone(UTC).replace(tzinfo=None)


def request_payment(service: Service, application, currency: str, *, settings: KhqrSettings | None,
                    now: datetime):
    """The open request for what is due now in `currency` (made if needed), or None when nothing is due
    in it. Raises NotPayable when KHQR is not configured or the application is not submitted."""
    if settings is None or application.reference is None:
        raise NotPayable
    payment_data.lock_case(application.id)
    if payment_data.latest_assessment(application.id) is None:
        assessments.freeze(service, application)  # a case from before payments: what it owes is fixed now
    found = account.account(service, application)
    due = found.due.get(currency) if found is not None else None
    now_utc = _naive_utc(now)
    current = request_data.open_for(application.id, currency)
    if current is not None:
        if current.expires_at <= now_utc + FRESH_FOR_AT_LEAST:
            request_data.close(current, request_data.EXPIRED)
        elif current.amount_minor != due:
            request_data.close(current, request_data.SUPERSEDED)
        else:
            return current
    if not due:
        return None
    created = _aware(now).astimezone(UTC)
    expires = created + timedelta(minutes=settings.request_minutes)
    string = khqr.payment_request(payee(settings), currency=currency, amount=due,
                                  bill_number=application.reference, created=created, expires=expires)
    return request_data.add(application.id, currency=currency, amount_minor=due, bill_number=application.reference,
                            khqr=string, md5=md5_of(string), created_at=_naive_utc(created),
                            expires_at=_naive_utc(expires))


def confirm(service: Service, application, request, *, amount_minor: int, currency: str,
            provider_reference: str, paid_at: datetime) -> Confirmation:
    """The provider says `request` was paid (`provider_reference`: its transaction hash). Records the
    payment once, or refuses when it does not match the request; changes nothing when refused.
    The caller holds the request's lock (`portal.data.payment_requests.lock`)."""
    if currency != request.currency:
        return Confirmation(REFUSED, WRONG_CURRENCY)
    if amount_minor != request.amount_minor:
        return Confirmation(REFUSED, WRONG_AMOUNT)
    if _naive_utc(paid_at) > request.expires_at:
        return Confirmation(REFUSED, EXPIRED_REQUEST)
    payment_data.lock_case(application.id)
    payment, recorded = payment_data.add(
        application.id, amount_minor=amount_minor, currency=currency, method="khqr",
        provider_reference=provider_reference, receipt_number=None, recorded_by_id=None,
        recorded_agency=account.receiving_agency(service, application))
    if payment.application_id != application.id:
        return Confirmation(REFUSED, REFERENCE_USED)
    if not recorded:
        return Confirmation(DUPLICATE, payment=payment)
    # A superseded request paid before it expired is money received all the same: it counts (an
    # overpayment then shows as a refund owed). A request paid twice by two transactions counts twice.
    if request.state != request_data.PAID:
        request_data.close(request, request_data.PAID, payment.id)
    case_records.record(application, None, case_records.PAYMENT_RECORDED, {
        "payment": payment.public_id, "amount_minor": amount_minor, "currency": currency, "method": "khqr",
        "request": request.public_id}, actor_role=PROVIDER_ROLE)
    account.sync_paid(service, application)
    receipts.ask_for(service, application, payment)
    return Confirmation(ACCEPTED, payment=payment)
