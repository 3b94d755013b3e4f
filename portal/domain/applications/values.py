"""The names a definition's expressions see: the answers (numbers as numbers), the computed
values, and the facts the portal knows (paid, documents_checked, applicant kind)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from portal.domain.catalogue import Service


def _typed(field_type: str, value: Any) -> Any:
    if value in (None, ""):
        return None
    if field_type in ("integer", "number"):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    if field_type == "money" and isinstance(value, dict):
        try:
            return {"amount": Decimal(str(value.get("amount"))), "currency": value.get("currency")}
        except InvalidOperation:
            return None
    return value


def expression_values(service: Service, answers: dict, facts: dict | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in service.all_fields():
        raw = answers.get(field.id)
        if field.type == "group" and isinstance(raw, list):
            values[field.id] = [
                {sub.id: _typed(sub.type, item.get(sub.id)) for sub in field.fields}
                for item in raw
                if isinstance(item, dict)
            ]
        else:
            values[field.id] = _typed(field.type, raw)
    values.update(facts or {})
    for computed in service.computed:
        values[computed.id] = computed.expression.evaluate(values)
    return values
