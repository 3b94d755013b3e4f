"""The names a definition's expressions see (see `portal.domain.fields.values`, where they are
worked out beside the field kinds that type the answers: the step form needs them too, and the
fields package must not import this one)."""

from __future__ import annotations

from portal.domain.fields.values import expression_values, values_for

__all__ = ["expression_values", "values_for"]
