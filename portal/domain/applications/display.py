"""Answers as a person reads them, in their language: option labels, money, dates, places."""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.catalogue import Field, Service
from portal.domain.catalogue.model import DocumentRequirement
from portal.domain.expression_contexts import DOCUMENTS, FORMS
from portal.domain.fields.kinds import kind_of


def display(field: Field, value, locale: str) -> str:
    return kind_of(field).show(value, locale)


def summary(service: Service, steps, answers: dict, locale: str) -> list[tuple]:
    """[(step, [(field, shown value)])] for the fields shown on each step."""
    from portal.domain.applications.values import values_for

    values = values_for(FORMS, service, answers)
    result = []
    for step in steps:
        rows = [(f, display(f, answers.get(f.id), locale)) for f in step.fields
                if kind_of(f).in_summary and (f.show_when is None or f.show_when.is_true(values))]
        result.append((step, rows))
    return result


def unanswered(value) -> bool:
    """Nothing typed, nothing picked, a box left unticked. A zero is an answer: `0 in (..., False)` is true
    in Python (0 == False), which once refused "0 years at this address" as missing."""
    return value is None or value is False or (isinstance(value, str | list | dict) and not value)


def missing(service: Service, steps, answers: dict, attached: set[str]) -> list[tuple]:
    """What must still be given before submitting: [(step or None, label)]."""
    from portal.domain.applications.values import values_for

    values = values_for(FORMS, service, answers)
    gaps = []
    for step in steps:
        for field in step.fields:
            shown = field.show_when is None or field.show_when.is_true(values)
            required = field.required or (field.required_when is not None and field.required_when.is_true(values))
            if shown and required and unanswered(answers.get(field.id)):
                gaps.append((step, field.label))
    for needed in documents_needed(service, answers):
        if needed.required and needed.requirement.id not in attached:
            gaps.append((None, needed.requirement.label))
    return gaps


@dataclass(frozen=True)
class NeededDocument:
    requirement: DocumentRequirement
    required: bool  # False: optional


def documents_needed(service: Service, answers: dict) -> list[NeededDocument]:
    """The documents these answers call for, in the definition's order. A document required only when a
    condition holds is not asked for while it does not (no purchases, no purchase journal); one with
    no condition at all is optional."""
    from portal.domain.applications.values import values_for

    values = values_for(DOCUMENTS, service, answers)
    needed = []
    for requirement in service.documents:
        if requirement.required:
            needed.append(NeededDocument(requirement, True))
        elif requirement.required_when is None:
            needed.append(NeededDocument(requirement, False))
        elif requirement.required_when.is_true(values):
            needed.append(NeededDocument(requirement, True))
    return needed


def computed_values(service: Service, answers: dict, locale: str) -> list[tuple]:
    """[(computed, shown value)] for each value the definition works out from these answers (the tax due,
    say), as the person reads it: what a definition says it works out, the applicant sees. A value that
    cannot be worked out yet (an answer is missing) is left out."""
    from decimal import Decimal

    from portal.domain.applications.values import values_for
    from portal.domain.definition_dates import as_date
    from portal.domain.i18n.formatting import date, money, number

    values = values_for(FORMS, service, answers)
    shown = []
    for computed in service.computed:
        value = values.get(computed.id)
        if value is None or value == "" or isinstance(value, bool | list | dict):
            continue
        if isinstance(value, int | float | Decimal):
            text = money(value, computed.currency, locale) if computed.currency else number(value, locale)
        elif as_date(value) is not None:  # a date worked out (`add_months(start_date, 6)`), written out
            text = date(as_date(value), "long", locale)
        else:
            text = str(value)
        shown.append((computed, text))
    return shown
