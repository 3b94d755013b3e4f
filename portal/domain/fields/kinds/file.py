"""One uploaded file, or one of the person's documents chosen instead; the answer is the document's public id."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from portal.domain.fields.definition_fields import CompositeField, DocumentForm
from portal.domain.fields.kinds.base import NOT_GIVEN, FieldKind, WrongShape

EARLIER_DOCUMENT = _l("A file you gave before")


class FileKind(FieldKind):
    widget = "document"
    in_groups = False  # an upload inside repeated items is more than the form and the store handle
    in_summary = False  # documents are listed on their own, with their names

    def form_field(self, label, common, locale, documents):
        spec = self.spec
        subform = type("DocumentForm", (DocumentForm,), {"label": label, "accept": spec.accept,
                                                          "max_mb": spec.max_mb, "documents": documents})
        return CompositeField(subform, **common)

    def prepare(self, field, values, locale, saved, submitted):
        """A document already given stays choosable, even if it is not among the person's own
        (a business's document, say): the answer came from us, not from the request."""
        upload = field.form
        offered = {c.value for c in upload.existing.choices}
        for public_id in saved if isinstance(saved, list) else [saved]:
            if isinstance(public_id, str) and public_id and public_id not in offered:
                upload.existing.choices = [*upload.existing.choices, SelectChoice(public_id, str(EARLIER_DOCUMENT))]
                offered.add(public_id)

    def initial(self, value):
        return {"existing": value} if isinstance(value, str) else NOT_GIVEN

    def value_of(self, field, lenient):
        return field.form.answer(lenient)

    def posted(self, name, value):
        """A document already in the store (its public id): the API gives files to requirements, not fields."""
        if not isinstance(value, str):
            raise WrongShape
        return [(f"{name}-existing", value)]

    def display(self, value, locale):
        return str(value)

    def answers(self):
        from hypothesis import strategies as st

        return st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_-]{15,21}", fullmatch=True)
