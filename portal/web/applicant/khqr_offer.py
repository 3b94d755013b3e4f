"""Whether an application is offered payment by KHQR: the application page's "Pay by KHQR" and the payment
pages (portal/web/applicant/khqr_payment.py) ask the same question."""

from __future__ import annotations

from flask import current_app

from portal.domain.workflow import engine


def khqr_settings():
    """`portal.config.KhqrSettings`, or None: KHQR is not offered (production without a Bakong account)."""
    return current_app.config["PORTAL_SETTINGS"].khqr


def in_progress(service, application) -> bool:
    """Submitted and not yet closed: a rejected or withdrawn application is not asked to pay any more."""
    if application.reference is None or application.submitted_at is None or application.state == engine.WITHDRAWN:
        return False
    state = service.workflow.states.get(application.state) if service.workflow else None
    return state is not None and not state.terminal


def offered(service, application, found) -> bool:
    """Something is due (`found`: its `portal.payments.account.Account`), the application is in progress, and
    KHQR is configured."""
    return bool(found and found.due and in_progress(service, application) and khqr_settings() is not None)
