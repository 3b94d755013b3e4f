"""What staff record on a case besides workflow steps: payments, documents checked, claimed, released,
assigned, handed over for a decision. "Paid" and "documents checked" unlock approval, so each is a fact
someone answers for: an event in the case's history (who, when, for which office) and an audit entry.

These events keep the case in its state (from = to) and are staff-only: the applicant's history shows
workflow steps alone. Callers commit."""

from __future__ import annotations

from portal.data import queues
from portal.domain import audit
from portal.domain.workflow import engine

# Not a valid id in a definition (ids are letters, digits and _), so never a definition's action.
PREFIX = "case:"
FACT_ACTIONS = {"paid": "case:paid", "documents_checked": "case:documents_checked"}
CLAIM, RELEASE, ASSIGN, HAND_OVER = "case:claim", "case:release", "case:assign", "case:hand_over"
ASSIGNMENT_ACTIONS = {"claim": CLAIM, "release": RELEASE, "assign": ASSIGN}
# Written by `portal.payments`: money received, a payment reversed, the fees reassessed after a change.
PAYMENT_RECORDED, PAYMENT_REVERSED, REASSESSED = "case:payment", "case:payment_reversed", "case:reassessed"


class NotReady(Exception):
    """The case cannot be handed over yet: `missing` lists the facts to mark first."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__("facts missing")
        self.missing = missing


def is_record(event) -> bool:
    return event.action.startswith(PREFIX)


def record(application, person, action: str, details: dict | None = None, *, actor_role: str | None = None) -> None:
    """A staff record (or the payments domain's) on the case: an event that keeps its state, and an audit entry.
    `person` is None for what no person did (a payment provider's confirmation): `actor_role` then says who."""
    from portal.data import applications as application_data

    agencies = {application.current_agency} if application.current_agency else None
    role = actor_role or audit.role_of(person, agencies)
    application_data.add_event(application, actor_id=person.id if person is not None else None, actor_role=role,
                               action=action,
                               from_state=application.state, to_state=application.state, details=details)
    agency = role.split(".")[0] if person is not None else application.current_agency
    audit.record(audit.CASE_RECORDED, actor=person, actor_role=role, subject_type="application",
                 subject_id=application.public_id, application=application,
                 details={"action": action, "agency": agency, "state": application.state,
                          **(details or {})})


def mark_fact(application, person, fact: str, seen_state: str) -> bool:
    """Mark `fact` (paid, documents_checked) if the case is still in `seen_state` and it is not yet
    marked; False when it was (nothing is written twice). `paid` is not marked: the payments ledger sets
    it (portal.payments.account.sync_paid)."""
    if fact == "paid":
        raise ValueError("paid follows the payments ledger")
    if not queues.mark_fact(application, fact, seen_state):
        return False
    record(application, person, FACT_ACTIONS[fact])
    return True


def set_assignee(application, person, what: str, assignee) -> bool:
    """`what` is claim, release or assign (to `assignee`, a Person, or None); compare and set against the
    assignee the case has now: False when someone changed it first."""
    if not queues.set_assignee(application, application.assignee_id, assignee.id if assignee else None):
        return False
    record(application, person, ASSIGNMENT_ACTIONS[what],
            {"assignee": assignee.public_id} if what == "assign" and assignee is not None else None)
    return True


def hand_over(service, application, person, actor, snapshot, seen_state: str) -> bool:
    """The clerk's "checked, ready for decision". Raises `NotReady` while a fact the decision needs is not
    marked, `engine.NotAllowed` when this person cannot hand it over; False when it already was, or the
    case moved meanwhile."""
    missing = engine.hand_over_missing(service, snapshot, actor, handed_over=application.ready_for_decision)
    if missing is None:
        raise engine.NotAllowed("not_available", "no hand-over in this state for this person")
    if missing:
        raise NotReady(missing)
    if not queues.mark_fact(application, "ready_for_decision", seen_state):
        return False
    record(application, person, HAND_OVER)
    return True
