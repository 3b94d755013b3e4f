"""The names a definition's expressions see (see `portal.domain.fields.values`, where they are
worked out beside the field kinds that type the answers: the step form needs them too, and the
fields package must not import this one), and, for a submitted application, the staff-entered data."""

from __future__ import annotations

from typing import Any

from portal.domain.catalogue.staff_steps import typed_fields
from portal.domain.expression_contexts import NOTHING, STAFF_DATA, Knows, Use
from portal.domain.fields.kinds.walk import typed_answers
from portal.domain.fields.values import expression_values, values_for


def case_values(use: Use, service, application, knows: Knows = NOTHING) -> dict:
    """The values the expressions of `use` are evaluated on for an application: its answers, what `use` sees
    (`values_for`) and, where `use` reads the case's staff steps (expression_contexts.STAFF_DATA), the staff
    data, typed like answers; the computed values are worked out from all of them."""
    staff = staff_values(service, application.staff_data) if use in STAFF_DATA else {}
    return values_for(use, service, application.answers or {}, knows, staff)


def staff_values(service, staff_data: dict | None) -> dict[str, Any]:
    """Staff fields typed as their kinds type answers (numbers as numbers), assigned numbers as texts."""
    saved = dict(staff_data or {})
    values = typed_answers(typed_fields(service), saved)
    for step in service.staff_steps:
        for sequence in step.sequences:
            values[sequence.id] = saved.get(sequence.id)
    return values


__all__ = ["case_values", "expression_values", "staff_values", "values_for"]
