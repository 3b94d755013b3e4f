"""The loader's side of `portal.domain.expression_contexts`: an expression may name the answers and
computed values of its service (`own`) and the names its use sees, nothing else; and no answer or
computed value may take the name of something the portal provides (the portal's value would hide it)."""

from __future__ import annotations

from collections.abc import Iterable

from portal.domain.catalogue.expressions import Expression
from portal.domain.expression_contexts import NAMES, Use, described, names_seen

PROVIDED = frozenset(n.name for n in NAMES)


def unknown_name(expression: Expression, use: Use, own: Iterable[str]) -> str | None:
    """What is wrong with `expression` written for `use`, or None: `unknown field 'paid' in 'paid' (in a
    fee's or a waiver's when only the answers and the computed values are known)`."""
    unknown = sorted(expression.names - set(own) - names_seen(use))
    if not unknown:
        return None
    return f"unknown field {unknown[0]!r} in {expression.source!r} ({described(use)})"


def provided_name(name: str) -> str | None:
    """The problem with an answer or computed value called `name`, or None."""
    if name in PROVIDED:
        return f"{name!r} is a name the portal provides to expressions; choose another id"
    return None
