"""Several copies of one output, when the applicant asks for them:

    copies: copies            # an answered integer field; or any expression giving a whole number 1 to 10

Each copy is its own document (its own verification token and QR code), numbered "copy 2 of 3" in both
languages on the PDF and on /verify. The number is worked out when the documents are asked for: one request
per copy, each with its own job, so a retried job issues its own copy once and never an extra one. A number
the answers make wrong (empty, 0, 2.5, 11) issues nothing: its one request is refused by the worker, like a
template that names data it was not given. Without `copies`, one document, not numbered, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.domain.catalogue.expressions import Expression

log = logging.getLogger(__name__)

MOST = 10
# Where a copy's number travels in a document request's context (never a template's own data name).
CONTEXT_KEY = "_copy"


class CopiesError(ValueError):
    """The number of copies the answers gave is not a whole number from 1 to MOST: nothing is issued."""


def read(value: Any, where: str, expression: Callable[[Any, str], Expression],
         fail: Callable[[str, str], Exception]) -> Expression:
    """An output's `copies`: an expression (`expression(value, where)` parses it and checks its names); a fixed
    number must already be one from 1 to MOST."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise fail(where, f"expected a whole number from 1 to {MOST}, or an expression giving one")
    parsed = expression(str(value), where)
    if not parsed.names:
        number = _whole(parsed.evaluate({}))
        if number is None or not 1 <= number <= MOST:
            raise fail(where, f"{parsed.source!r} is not a whole number from 1 to {MOST}")
    return parsed


def numbered(output, values: dict[str, Any], replaces=None) -> list[dict[str, Any]]:
    """What each document request's context carries, one entry per copy: [{}] for an output without
    `copies` (one document, not numbered). A corrected copy keeps the number of the one it replaces."""
    if replaces is not None:
        number, count = getattr(replaces, "copy_number", None), getattr(replaces, "copy_count", None)
        return [{CONTEXT_KEY: {"number": number, "of": count}}] if number else [{}]
    if getattr(output, "copies", None) is None:
        return [{}]
    given = output.copies.evaluate(values)
    count = _whole(given)
    if count is None or not 1 <= count <= MOST:
        return [{CONTEXT_KEY: {"number": 1, "of": None, "given": "" if given is None else str(given)[:20]}}]
    if count == 1:
        return [{}]  # one asked for: one document, not numbered
    return [{CONTEXT_KEY: {"number": number, "of": count}} for number in range(1, count + 1)]


def of(context: dict, what: str) -> tuple[int, int] | None:
    """(number, count) of the copy a request's context asks for; None for a document that is not numbered.
    Raises CopiesError, logged, when the answers gave no whole number from 1 to MOST: nothing is issued."""
    copy = (context or {}).get(CONTEXT_KEY)
    if copy is None:
        return None
    if not copy.get("of"):
        message = (f"{what}: the definition's copies gives {copy.get('given')!r}, not a whole number from 1 to "
                   f"{MOST}; nothing was issued. Correct the answers or the definition, then retry the job.")
        log.error(message)
        raise CopiesError(message)
    return copy["number"], copy["of"]


def _whole(value: Any) -> int | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return int(number) if number == number.to_integral_value() else None
