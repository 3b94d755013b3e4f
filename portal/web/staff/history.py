"""The case's history as staff read it: what the records (paid, claimed, handed over...) are called,
and what the applicant changed after a request for more information."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.domain.applications import case_records, display, staff_data


def record_label(action: str) -> str | None:
    """A staff record's name in the reader's language; None for a workflow step (its label is the definition's)."""
    labels = {
        case_records.FACT_ACTIONS["paid"]: _("Marked as paid"),
        case_records.FACT_ACTIONS["documents_checked"]: _("Documents marked as checked"),
        case_records.CLAIM: _("Claimed the case"),
        case_records.RELEASE: _("Released the case"),
        case_records.ASSIGN: _("Assigned the case"),
        case_records.HAND_OVER: _("Checked, ready for decision"),
        case_records.PAYMENT_RECORDED: _("Payment recorded"),
        case_records.PAYMENT_REVERSED: _("Payment reversed"),
        case_records.REASSESSED: _("Fees reassessed after the answers changed"),
        staff_data.SAVED: _("Staff step saved"),
        staff_data.NUMBERED: _("Number assigned"),
    }
    return labels.get(action, _("Recorded") if action.startswith(case_records.PREFIX) else None)


def answer_changes(service, events, locale: str) -> dict[int, list[tuple]]:
    """Event id -> [(field label, old value shown, new value shown)] for each step that carried the
    applicant's changes (`details.changes`, written by `transitions.apply`)."""
    found = {}
    for event in events:
        changes = (event.details or {}).get("changes") or {}
        rows = []
        for field_id, (old, new) in changes.items():
            field = service.field(field_id)
            if field is None:  # a definition that no longer has it: show the id rather than nothing
                rows.append(({"km": field_id, "en": field_id}, str(old or ""), str(new or "")))
            else:
                rows.append((field.label, display.display(field, old, locale), display.display(field, new, locale)))
        if rows:
            found[event.id] = rows
    return found
