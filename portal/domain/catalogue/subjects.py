"""Who an issued document is about, when it is not the applicant:

    subject: owner_name_km                                      # one expression for both languages
    subject: {km: child_name_km, en: child_name_latin}          # or one per language
    subject: {km: [plate_number, make_km], en: [plate_number, make_en]}   # parts joined by a space

The holder that /verify shows and the document row keeps: the child on a copy of a birth certificate, the
vehicle, the business. Without `subject` the holder is the application's own subject (naming.subject_names),
as before. The expressions see what an output's `data` sees (expression_contexts.OUTPUTS); they are worked
out when the document is asked for and travel to the worker in the request's context, which refuses a name
that came out empty before anything is rendered or stored (the job fails and is shown to administrators, like
a template that names data it was not given).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from portal.domain.catalogue.expressions import Expression

log = logging.getLogger(__name__)

LANGS = ("km", "en")
# Where the worked-out names travel in a document request's context (never a template's own data name).
CONTEXT_KEY = "_subject"
MAX_LENGTH = 200  # a document's holder name's column


class SubjectError(ValueError):
    """A subject expression gave an empty name: the document is not issued."""


# --- when the definition is loaded -------------------------------------------------------------------


def read(value: Any, where: str, expression: Callable[[Any, str], Expression],
         fail: Callable[[str, str], Exception]) -> dict[str, tuple[Expression, ...]]:
    """An output's `subject`: for both languages or `{km: ..., en: ...}`, each an expression or a list of
    them (the parts of the name, joined by a space: expressions do not join texts). `expression(value,
    where)` parses one and checks its names; `fail(where, problem)` makes the loader's error."""
    if isinstance(value, dict):
        unknown = sorted(set(map(str, value)) - set(LANGS))
        if unknown:
            raise fail(f"{where}.{unknown[0]}", f"unknown key {unknown[0]!r} (a subject has km and en)")
        missing = [lang for lang in LANGS if lang not in value]
        if missing:
            raise fail(where, f"missing key {missing[0]!r}: give km and en, or one name for both")
        return {lang: _parts(value[lang], f"{where}.{lang}", expression, fail) for lang in LANGS}
    both = _parts(value, where, expression, fail)
    return dict.fromkeys(LANGS, both)


def _parts(value: Any, where: str, expression, fail) -> tuple[Expression, ...]:
    if isinstance(value, list) and value:
        return tuple(_part(item, f"{where}[{i}]", expression, fail) for i, item in enumerate(value))
    return (_part(value, where, expression, fail),)


def _part(value: Any, where: str, expression, fail) -> Expression:
    if not isinstance(value, str) or not value.strip():
        raise fail(where, "expected an expression naming whom the document is about (an answer such as "
                          "child_name_km), a list of them, or {km: ..., en: ...}")
    return expression(value, where)


# --- when the document is asked for, and when it is issued ----------------------------------------


def named(output, values: dict[str, Any]) -> dict[str, Any]:
    """What a document request's context carries for `output`'s subject: {} without one, else its names."""
    subject = getattr(output, "subject", None)
    if not subject:
        return {}
    return {CONTEXT_KEY: {lang: " ".join(text for part in subject[lang] if (text := _text(part.evaluate(values))))
                          [:MAX_LENGTH] for lang in LANGS}}


def first(context: dict) -> str | None:
    """The one-line holder name a request keeps (the Khmer one), or None for a request without a subject."""
    names = (context or {}).get(CONTEXT_KEY)
    return (names.get("km") or names.get("en") or "") if names else None


def holder(context: dict, what: str) -> dict[str, str] | None:
    """The subject's names from a request's context (None without a subject). Raises SubjectError, logged,
    when one of them is empty: nothing is issued."""
    names = (context or {}).get(CONTEXT_KEY)
    if names is None:
        return None
    empty = [lang for lang in LANGS if not (names.get(lang) or "").strip()]
    if empty:
        message = (f"{what}: the definition's subject gives an empty name in {empty[0]}; nothing was issued. "
                   "Correct the answers or the definition, then retry the job.")
        log.error(message)
        raise SubjectError(message)
    return {lang: names[lang] for lang in LANGS}


def _text(value: Any) -> str:
    if value is None or value is False:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())
