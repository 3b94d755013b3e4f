"""Which names each kind of expression in a service definition sees, beyond the answers and the
computed values, and where the portal gets each of them when it evaluates one.

One declaration serves both sides: the loader (`portal.domain.catalogue.loader`) refuses an expression
that names something its use does not see, and the runtime (`values_for` in
`portal.domain.fields.values`) builds each use's values from the same `NAMES`, so a rule that loads can
never read a name the portal does not give it (it would silently be false).

To let a use see a name the portal already provides, add the use to that name's line in `NAMES`. A new
name is one more line: the uses that see it and how it is read from what the caller `Knows`. Only names
read from the clock (or from nothing at all) may be seen by `FORMS` and `DOCUMENTS`: those are evaluated
while a form is filled in, where there is no case to read. This module sits beside the domain's packages
(not in the catalogue), because the step form in `portal.domain.fields` builds values too and the
catalogue imports the fields, not the other way round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.domain import clock
from portal.domain.definition_dates import TODAY


@dataclass(frozen=True)
class Use:
    """A kind of expression: where in a definition it is written, and how an error message names it."""

    id: str
    written_in: str  # for messages and docs: "a fee's or a waiver's `when`"


FORMS = Use("forms", "a step's or a field's show_when/required_when, a step's rules and the computed values")
FEES = Use("fees", "a fee's or a waiver's when")
DOCUMENTS = Use("documents", "a document requirement's required_when")
GUARDS = Use("guards", "a transition's guards")
OUTPUTS = Use("outputs", "an output's data")
USES = (FORMS, FEES, DOCUMENTS, GUARDS, OUTPUTS)
# The uses that also see the fields of the definition's staff steps (what staff entered on the case): they
# are evaluated on a submitted case. The loader lets their expressions name staff fields; `case_values` adds
# the staff data to their values.
STAFF_DATA = (FEES, GUARDS, OUTPUTS)


@dataclass(frozen=True)
class Knows:
    """What the caller knows when it evaluates an expression: the application (its database row, read
    only for its attributes) and the name of whom a document is about (worked out by the caller)."""

    application: Any = None
    applicant_name: str | None = None


NOTHING = Knows()


class NotKnown(LookupError):
    """The caller evaluates a use without what one of its names is read from (a programming error)."""


def _case(knows: Knows) -> Any:
    if knows.application is None:
        raise NotKnown("this name is read from the application, and none was given")
    return knows.application


def _applicant(knows: Knows) -> dict[str, str]:
    return {"kind": "organisation" if _case(knows).organisation_id else "person"}


def _applicant_name(knows: Knows) -> str:
    if knows.applicant_name is None:
        raise NotKnown("applicant_name is worked out by the caller, and none was given")
    return knows.applicant_name


@dataclass(frozen=True)
class Name:
    name: str
    seen_by: tuple[Use, ...]
    read: Callable[[Knows], Any]
    means: str  # for docs/services.md


NAMES = (
    Name("paid", (GUARDS,), lambda k: _case(k).paid, "staff have recorded the payment"),
    Name("documents_checked", (GUARDS,), lambda k: _case(k).documents_checked,
         "a clerk has checked the attached documents"),
    Name("applicant", (GUARDS, OUTPUTS), _applicant, "`applicant.kind`: 'person' or 'organisation'"),
    Name("reference", (OUTPUTS,), lambda k: _case(k).reference, "the application's reference"),
    Name("applicant_name", (OUTPUTS,), _applicant_name, "the name of whom the document is about"),
    Name(TODAY, USES, lambda k: clock.today().isoformat(), "today's date in Cambodia, YYYY-MM-DD"),
)


def names_seen(use: Use) -> frozenset[str]:
    """The names `use` sees beyond the answers and the computed values."""
    return frozenset(n.name for n in NAMES if use in n.seen_by)


def facts(use: Use, knows: Knows = NOTHING) -> dict[str, Any]:
    """The value of every name `use` sees, read from what the caller knows."""
    return {n.name: n.read(knows) for n in NAMES if use in n.seen_by}


def described(use: Use) -> str:
    """How an error message says what `use` sees: `in a transition's guards only the answers, the
    computed values and applicant, documents_checked, paid are known`."""
    extra = sorted(names_seen(use))
    known = "the answers and the computed values" if not extra else \
        f"the answers, the computed values and {', '.join(extra)}"
    return f"in {use.written_in} only {known} are known"
