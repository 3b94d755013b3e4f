"""What an application owes: the fees of its pinned definition applied to its answers, itemised, in
minor units. Frozen at submission (assessment 1); after a later step that changed the answers (a request
for information answered), assessed again, and a new assessment is frozen only when the amounts differ.
The latest assessment is what is owed; the ledger's balance says what of it is still due."""

from __future__ import annotations

from dataclasses import dataclass

from portal.data import payments as payment_data
from portal.domain.applications import case_records
from portal.domain.applications.fees import fee_values, lines_for
from portal.domain.catalogue import Service
from portal.payments.money import to_minor

SUBMITTED, ANSWERS_CHANGED = "submitted", "answers_changed"


@dataclass(frozen=True)
class Line:
    fee: str
    label: dict
    quantity: int
    amounts: dict[str, int]  # currency -> minor units, quantity included
    waived_by: dict | None = None  # the waiver's label
    explanation: tuple[dict, ...] = ()  # a computed fee's working, {km, en} sentences
    pending: bool = False  # to be assessed: no amounts yet, and the application is not paid until it is

    def as_json(self) -> dict:
        found = {"fee": self.fee, "label": self.label, "quantity": self.quantity, "amounts": self.amounts,
                 "waived_by": self.waived_by}
        # Only computed fees have these: a fixed fee's frozen line stays as it always was.
        if self.explanation:
            found["explanation"] = list(self.explanation)
        if self.pending:
            found["pending"] = True
        return found


@dataclass(frozen=True)
class Assessment:
    lines: tuple[Line, ...]
    totals: dict[str, int]  # currency -> minor units owed, waived fees out
    number: int | None = None  # None: computed now, not frozen (a draft, or a case from before payments)

    @property
    def to_be_assessed(self) -> tuple[Line, ...]:
        """The fees not worked out yet (a value they need is not known): until there are none, the
        application is not paid, whatever was paid towards the others."""
        return tuple(line for line in self.lines if line.pending and line.waived_by is None)


def charges_fees(service: Service) -> bool:
    """A service whose definition has no fee never shows anything about payment."""
    return bool(service.fees)


def assess(service: Service, application) -> Assessment:
    lines = []
    for line in lines_for(service, fee_values(service, application)):
        amounts = {currency: to_minor(amount, currency) for currency, amount in line.amounts.items()}
        waiver = dict(line.waived_by.label) if line.waived_by is not None else None
        lines.append(Line(line.fee.id, dict(line.fee.label), line.quantity, amounts, waiver,
                          tuple(line.explanation), line.pending))
    totals: dict[str, int] = {}
    for line in lines:
        if line.waived_by is None:
            for currency, amount in line.amounts.items():
                totals[currency] = totals.get(currency, 0) + amount
    return Assessment(tuple(lines), totals)


def _from_row(row) -> Assessment:
    lines = tuple(Line(d["fee"], d["label"], d["quantity"], {c: int(a) for c, a in d["amounts"].items()},
                       d.get("waived_by"), tuple(d.get("explanation", ())), bool(d.get("pending")))
                  for d in row.lines)
    return Assessment(lines, {c: int(a) for c, a in row.totals.items()}, row.number)


def owed(service: Service, application) -> Assessment:
    """The latest frozen assessment; for a draft (or a case submitted before payments were built) the
    fees as the answers stand now."""
    row = payment_data.latest_assessment(application.id) if application.id else None
    return _from_row(row) if row is not None else assess(service, application)


def freeze(service: Service, application, reason: str = SUBMITTED) -> Assessment | None:
    """Freeze what the answers owe now if it differs from the latest frozen assessment (or none is frozen
    yet); the new Assessment, or None when nothing changed. The caller commits."""
    current = assess(service, application)
    latest = payment_data.latest_assessment(application.id)
    if latest is not None and {c: int(a) for c, a in latest.totals.items()} == current.totals \
            and _pending_fees(_from_row(latest)) == _pending_fees(current):
        return None
    number = latest.number + 1 if latest is not None else 1
    # The first frozen assessment is the submission's, whoever's step froze it.
    reason = reason if latest is not None else SUBMITTED
    row = payment_data.add_assessment(application.id, number, reason, current.totals,
                                      [line.as_json() for line in current.lines])
    return _from_row(row) if row is not None else None


def _pending_fees(assessment: Assessment) -> set[str]:
    # A fee worked out now that was to be assessed (or the other way) is a new assessment even when the
    # totals happen to be equal.
    return {line.fee for line in assessment.to_be_assessed}


def reassess(service: Service, application, person) -> Assessment | None:
    """After a step that may have changed the answers: freeze a new assessment when what they owe
    changed, as a case event (staff see the fees reassessed, was and now) and an audit entry."""
    payment_data.lock_case(application.id)
    before = payment_data.latest_assessment(application.id)
    if before is None:
        # Not submitted, or submitted before payments were built: its first payment freezes it.
        return None
    was = {c: int(a) for c, a in before.totals.items()}
    new = freeze(service, application, ANSWERS_CHANGED)
    if new is not None:
        case_records.record(application, person, case_records.REASSESSED, {"was": was, "now": new.totals})
    return new
