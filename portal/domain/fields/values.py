"""The names a definition's expressions see: the answers (numbers as numbers, as each field's kind
types them), the facts the caller knows (paid, documents_checked, applicant kind, ...) and the
computed values, worked out from both."""

from __future__ import annotations

from typing import Any

from portal.domain import clock
from portal.domain.definition_dates import TODAY
from portal.domain.fields.kinds.base import ServiceSpec
from portal.domain.fields.kinds.walk import typed_answers


def expression_values(service: ServiceSpec, answers: dict, facts: dict | None = None) -> dict[str, Any]:
    values = typed_answers(service.all_fields(), answers)
    values[TODAY] = clock.today().isoformat()
    values.update(facts or {})
    for computed in service.computed:
        values[computed.id] = computed.expression.evaluate(values)
    return values
