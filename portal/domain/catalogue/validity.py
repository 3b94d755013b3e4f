"""How long an issued document is valid, when the definition computes it from the answers:

    valid_until: "add_months(start_date, validity_months)"

instead of a fixed `valid_for_days`. The expression sees the values the output's `data` sees (answers,
computed values, `reference`, `applicant_name`, `today`, and whatever else the document's values hold), is
worked out when the document is asked for, and travels to the worker in the request's context: the worker
sets the document's `expires_on` from it (printed as "valid until", carried in the signed QR code, shown on
/verify). A validity that gives no date, or a date before the issue date, is refused: at load when the
definition shows it, else by the worker, which then issues nothing (the job fails, is retried and in the end
shown to administrators, like a template that names data it was not given).
"""

from __future__ import annotations

import ast
import logging
from datetime import date
from typing import Any

from portal.domain import clock
from portal.domain.catalogue.expressions import Expression
from portal.domain.definition_dates import TODAY, as_date

log = logging.getLogger(__name__)

# Where the computed date travels in a document request's context (never a template's own data name).
CONTEXT_KEY = "_valid_until"
# The date functions whose result is a date (`age` and `days_between` give numbers).
_GIVE_DATES = frozenset({"add_days", "add_months", "add_years", "add_working_days", "date"})


class ValidityError(ValueError):
    """A computed validity gave no date, or one before the issue date: the document is not issued."""


# --- when the definition is loaded -------------------------------------------------------------------


def problem(expression: Expression) -> str | None:
    """What is wrong with a `valid_until` expression that can be seen without answers; None if nothing."""
    if not _gives_date(expression.tree.body):
        return (f"{expression.source!r} does not give a date: write a date answer, today, or a date function "
                "such as add_months(start_date, 6)")
    # Without answers it can be worked out now (the working calendar is the workflow's, not loaded here).
    counts_working_days = any(isinstance(n, ast.Call) and n.func.id == "add_working_days"
                              for n in ast.walk(expression.tree))
    if expression.names <= {TODAY} and not counts_working_days:
        today = clock.today()
        value = as_date(expression.evaluate({TODAY: today.isoformat()}))
        if value is None:
            return f"{expression.source!r} gives no date"
        if value < today:
            return f"{expression.source!r} gives {value.isoformat()}, before any issue date: the document " \
                   "would be expired when issued"
    return None


def _gives_date(node: ast.AST) -> bool:
    if isinstance(node, ast.Call):
        return node.func.id in _GIVE_DATES
    if isinstance(node, ast.Constant):
        return as_date(node.value) is not None
    if isinstance(node, (ast.Name, ast.Attribute)):
        return True  # a date answer, a computed date, today, a date staff entered: its kind is not known here
    if isinstance(node, ast.BoolOp):
        # `a and d1 or d2`: what an `or` gives is any of its parts; what an `and` gives, its last part.
        parts = node.values if isinstance(node.op, ast.Or) else node.values[-1:]
        return all(_gives_date(part) for part in parts)
    return False


# --- when the document is asked for, and when it is issued ----------------------------------------


def until(output, values: dict[str, Any]) -> dict[str, Any]:
    """What a document request's context carries for `output`'s computed validity: {} for an output without
    one, else its date as ISO text (None when it gives none: the worker refuses it)."""
    if getattr(output, "valid_until", None) is None:
        return {}
    value = as_date(output.valid_until.evaluate(values))
    return {CONTEXT_KEY: value.isoformat() if value is not None else None}


def expires_on(context: dict, issued_on: date, what: str) -> date | None:
    """The expiry date a request's context computed (None for a request without a computed validity).
    Raises ValidityError, logged, when it is empty or before `issued_on`: nothing is issued."""
    if CONTEXT_KEY not in (context or {}):
        return None
    value = as_date(context[CONTEXT_KEY])
    if value is None or value < issued_on:
        # Not the date itself: it may come from a date of birth, and logs carry no personal data.
        found = "no date" if value is None else "a date before the issue date"
        message = (f"{what}: the definition's valid_until gives {found} ({issued_on.isoformat()}); nothing was "
                   "issued. Correct the answers or the definition, then retry the job.")
        log.error(message)
        raise ValidityError(message)
    return value
