"""A date, typed as 2026-03-15 (what `<input type=date>` sends) or 15/03/2026, in either digits."""

from __future__ import annotations

from datetime import date
from functools import partial

from flask_babel import lazy_gettext as _l

from portal.domain.fields.definition_fields import DATE_YEARS, clean_date
from portal.domain.fields.kinds.base import InputKind
from portal.domain.i18n import formatting


class DateKind(InputKind):
    input_attributes = {"type": "date", "class_": "field-date"}
    default_hint = _l("For example 2026-03-15")
    document_filter = "date"  # `{{ date_of_birth|km_date }}`

    def cleaner(self, label, locale):
        return partial(clean_date, label=label, not_in_future=self.spec.not_in_future,
                       not_in_past=self.spec.not_in_past)

    def display(self, value, locale):
        try:
            return formatting.date(date.fromisoformat(str(value)), "long", locale)
        except ValueError:
            return str(value)

    @classmethod
    def document(cls, value, locale, *args):
        # Dates reach templates from JSON (the document request's context) as ISO strings.
        return formatting.date(date.fromisoformat(value) if isinstance(value, str) else value, "long", locale)

    def answers(self):
        from hypothesis import strategies as st

        return st.dates(date(DATE_YEARS[0], 1, 1), date(DATE_YEARS[1], 12, 31)).map(date.isoformat)
