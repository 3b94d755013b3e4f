"""Payment receipts: every payment recorded asks a worker for a bilingual receipt PDF
(`templates/pdf/payment_receipt.html`) in the document store, with the verifiable QR code, and the
applicant is told by inbox, email and SMS when it is issued ("payment_received"). A reversed payment's
receipt is revoked, or, when it was not issued yet, never issued. The caller commits.

What the receipt says is fixed when the payment is recorded: the office, the amounts, and what remained
due right after it (the case is locked, so a payment recorded at the same moment comes after it)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.data import agencies as agency_data
from portal.data import document_requests, organisations, people
from portal.data import documents as document_data
from portal.data import payments as payment_data
from portal.domain.applications import naming
from portal.domain.catalogue import Service, get_catalogue
from portal.domain.i18n.formatting import date_time
from portal.domain.rendering import lifecycle
from portal.domain.rendering.jobs import ANNOUNCEMENT
from portal.domain.workflow.engine import SUPERVISOR
from portal.jobs import names
from portal.jobs.outbox import schedule
from portal.payments import account
from portal.payments.money import shown

TEMPLATE = "payment_receipt.html"
OUTPUT_ID = "payment-receipt"
TITLE = {"km": "បង្កាន់ដៃបង់ប្រាក់", "en": "Payment receipt"}
LANGUAGES = ("km", "en")
METHODS = {
    "counter_cash": {"km": "សាច់ប្រាក់ នៅបញ្ជរ", "en": "Cash at the counter"},
    "counter_transfer": {"km": "ផ្ទេរប្រាក់តាមធនាគារ", "en": "Bank transfer"},
    "khqr": {"km": "KHQR", "en": "KHQR"},
}
STILL_DUE = _l("%(amount)s is still due.")
PAID_IN_FULL = _l("It is now paid in full.")
STILL_TO_BE_ASSESSED = _l("Other fees are still to be assessed.")


def ask_for(service: Service, application, payment):
    """The receipt of a payment recorded now: a document request and its issuing job, in the caller's
    transaction, linked from the payment. Asked once: a payment that has one gets the same one back."""
    if payment.receipt_request_id is not None:
        return document_requests.lock(payment.receipt_request_id)
    applicant = people.get_by_id(application.applicant_person_id)
    organisation = organisations.get_by_id(application.organisation_id) if application.organisation_id else None
    slug = payment.recorded_agency or account.receiving_agency(service, application)
    agency = get_catalogue().agency(slug)
    row = agency_data.get_by_slug(slug)
    name = naming.subject_names(service, application)
    payer = name.first or applicant.display_name
    context = {
        "reference": application.reference, "service_km": service.title["km"], "service_en": service.title["en"],
        "agency_km": agency.name["km"] if agency else "", "agency_en": agency.name["en"] if agency else "",
        "payer": payer, "payer_latin": name.latin if name.latin != payer else "",
        "receipt_id": payment.public_id, "cashier_receipt": payment.receipt_number or "",
        "provider_reference": payment.provider_reference or "", "khqr": payment.method == "khqr",
        **_each_language("amount", lambda locale: shown(payment.amount_minor, payment.currency, locale)),
        **_each_language("method", lambda locale: METHODS[payment.method][locale]),
        **_each_language("paid_at", lambda locale: date_time(payment.recorded_at, locale=locale)),
        **_after(service, application),
    }
    context[ANNOUNCEMENT] = {
        "message": "payment_received", "link": f"/applications/{application.public_id}",
        "params": {"reference": application.reference, "service": service.title,
                   "amount": {locale: context[f"amount_{locale}"] for locale in LANGUAGES},
                   "balance": _balance_sentence(context)},
    }
    request = document_requests.add(
        template=TEMPLATE, context=context, kind="receipt", output_id=OUTPUT_ID,
        file_name=f"payment-receipt-{application.reference}-{payment.public_id[:8]}",
        title_km=TITLE["km"], title_en=TITLE["en"], holder_name=payer,
        # The person who applied keeps the receipt of what they paid; a business's members see it too.
        owner_person_id=applicant.id, owner_organisation_id=organisation.id if organisation else None,
        agency_id=row.id if row else None, application_id=application.id,
    )
    payment_data.link_receipt(payment, request.id)
    schedule(names.ISSUE_DOCUMENT, request.id, job_id=f"payment-receipt-{payment.public_id}")
    return request


def withdraw(application, payment, person) -> None:
    """After `payment` was reversed by `person` (a supervisor of the office holding the case): its receipt is
    revoked with the reversal as the reason, so that /verify says it is no longer valid; a receipt not issued
    yet is cancelled. A worker issuing it right now is waited for (the request's lock), then revoked."""
    if payment.receipt_request_id is None:
        return
    request = document_requests.lock(payment.receipt_request_id)
    if request is None:
        return
    if request.document_id is None:
        payment_data.link_receipt(payment, None)
        document_requests.cancel(request)
        return
    document = document_data.get_by_id(request.document_id)
    if document.status != "active":
        return  # revoked by hand already, or replaced: nothing more to withdraw
    reason = (payment.reversal_reason or "").strip()
    if len(reason) > lifecycle.MAX_REASON:
        reason = reason[:lifecycle.MAX_REASON - 1] + "…"
    lifecycle.revoke(document, category=lifecycle.PAYMENT_REVERSED, reason=reason, actor=person,
                     actor_role=f"{application.current_agency}.{SUPERVISOR}")


def issued(payments) -> dict[int, object]:
    """Payment id -> its receipt (the stored document), for those of `payments` whose receipt was issued."""
    by_request = document_requests.documents_of([p.receipt_request_id for p in payments if p.receipt_request_id])
    return {p.id: by_request[p.receipt_request_id] for p in payments if p.receipt_request_id in by_request}


def _each_language(key: str, value) -> dict[str, str]:
    return {f"{key}_{locale}": value(locale) for locale in LANGUAGES}


def _after(service: Service, application) -> dict:
    """What remains due right after the payment (each currency), or nothing: "paid in full"; and a refund
    owed when it paid more than was owed."""
    found = account.account(service, application)
    due = found.due if found else {}
    refund = found.refund_owed if found else {}

    def amounts(by_currency, locale):
        return " / ".join(shown(amount, currency, locale) for currency, amount in by_currency.items())

    return {
        # A fee still to be assessed is not paid: the receipt never says "paid in full" before it is.
        "paid_in_full": found is None or found.settled,
        "to_be_assessed": bool(found and found.assessment.to_be_assessed),
        **_each_language("due", lambda locale: amounts(due, locale)),
        **_each_language("refund", lambda locale: amounts(refund, locale)),
    }


def _balance_sentence(context: dict) -> dict[str, str]:
    found = {}
    for locale in LANGUAGES:
        with force_locale(locale):
            if context["paid_in_full"]:
                found[locale] = str(PAID_IN_FULL)
            elif context[f"due_{locale}"]:
                found[locale] = str(STILL_DUE) % {"amount": context[f"due_{locale}"]}
                if context.get("to_be_assessed"):
                    found[locale] += " " + str(STILL_TO_BE_ASSESSED)
            else:
                found[locale] = str(STILL_TO_BE_ASSESSED)
    return found
