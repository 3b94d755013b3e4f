"""The names a definition's expressions see: the answers (numbers as numbers, as each field's kind
types them), the facts the caller knows (paid, documents_checked, applicant kind, ...) and the
computed values, worked out from both."""

from __future__ import annotations

from typing import Any

from portal.domain import expression_contexts
from portal.domain.expression_contexts import NOTHING, Knows, Use
from portal.domain.fields.kinds.base import ServiceSpec
from portal.domain.fields.kinds.walk import typed_answers


def expression_values(service: ServiceSpec, answers: dict, facts: dict | None = None) -> dict[str, Any]:
    values = typed_answers(service.all_fields(), answers)
    values.update(facts or {})
    for computed in service.computed:
        values[computed.id] = computed.expression.evaluate(values)
    return values


def values_for(use: Use, service: ServiceSpec, answers: dict, knows: Knows = NOTHING,
               staff: dict[str, Any] | None = None) -> dict[str, Any]:
    """The values the expressions of `use` are evaluated on: the answers, the computed values and
    exactly the names `portal.domain.expression_contexts` says this use sees (the loader checked
    the definition against the same declaration)."""
    return expression_values(service, answers, {**(staff or {}), **expression_contexts.facts(use, knows)})
