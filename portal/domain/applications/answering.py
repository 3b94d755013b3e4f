"""Answering one step of an application with answers given as data (the API), checked by the very form the
step's page uses: the same fields, cleaning, messages, conditions, cross-field rules and limits
(`limits.refusals`). The JSON answers are turned into what a browser would post (`builder.posted_answers`),
and nothing about a field is decided here.

The answers start from what the step's page would show (saved answers, and the profile's where the
definition prefills): what is given replaces them field by field, and a field given as null is cleared.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.domain.applications import journey, limits
from portal.domain.catalogue import Service
from portal.domain.fields import builder

REASONS = {
    "unknown": _l("This step has no field with this id: see the service's steps in its description."),
    "shape": _l("This answer is not of the kind this field takes: see the field's type in the service's "
                "description."),
    "invalid": _l("Some answers are not valid."),
    "hidden": _l("This question is not asked, given the other answers: leave it out or send null."),
}


@dataclass(frozen=True)
class Problem:
    pointer: str | None  # JSON Pointer into the answers given ("/owners/0/name_km"); None: the step as a whole
    message: str  # in the current language


def answer_step(service: Service, application, step, given: dict, person, locale: str,
                documents: list[tuple[str, str]]) -> list[Problem]:
    """Check `given` ({field id: JSON value}) as the step's form would, and save the step's answers if they
    pass: [] then, else every problem found (nothing saved). `documents` are the (public id, name) pairs a
    file field may name. Raises `journey.NotEditable` past the draft, unless a clerk opened a field of the
    step again. The caller commits."""
    editable = journey.editable_ids(application)
    if editable is not None and not editable & {f.id for f in step.fields}:
        raise journey.NotEditable
    shown = journey.prefilled(service, step, application, person)
    on_page = {f.id: shown.get(f.id) for f in step.fields}
    posted, wrong = builder.posted_answers(step, {**on_page, **given})
    problems = [Problem(pointer, str(REASONS[reason])) for pointer, reason in wrong.items()]
    form = builder.build_step_form(service, step, shown, locale, documents=documents, posted=posted, csrf=False)
    valid = form.validate()
    problems += [Problem(pointer, str(REASONS["hidden"])) for pointer in builder.hidden_answers(form, given)]
    problems += [Problem(pointer, message) for pointer, message in builder.errors_by_place(form)]
    if problems or not valid:
        return problems or [Problem(None, str(REASONS["invalid"]))]
    answers = builder.step_answers(form, step)
    on_this_step = set(on_page)
    refused = [r for r in limits.refusals(service, application, {**application.answers, **answers})
               if r.field in on_this_step]
    if refused:
        return [Problem(f"/{r.field}", r.message) for r in refused]
    journey.save_answers(application, answers)
    return []
