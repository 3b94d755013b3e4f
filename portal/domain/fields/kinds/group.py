"""The same few fields asked once per item (each owner of a business, say), between `min_items`
and `max_items` items. "Add another" and "Remove" are submit buttons: no JavaScript needed."""

from __future__ import annotations

from wtforms import Form, FormField

from portal.domain.fields.definition_fields import GroupField
from portal.domain.fields.kinds.base import NOT_GIVEN, FieldKind, WrongShape, pointer_part
from portal.domain.fields.kinds.walk import initial_data, kind_of, prepare, read_answers, typed_answers, unbound
from portal.domain.i18n.formatting import pick

SHOWN_ITEMS = 3  # test answers: a few items say as much as many


class GroupKind(FieldKind):
    takes_fields = True
    in_groups = False
    counts = True  # a fee can be charged per item
    many = True
    widget = "group"

    @property
    def minimum(self) -> int:
        return max(self.spec.min_items, 1 if self.spec.required else 0)

    def form_field(self, label, common, locale, documents):
        spec = self.spec
        item = type("GroupItemForm", (Form,), {inner.id: unbound(inner, locale, documents) for inner in spec.fields})
        # One more item than allowed is read, so that a forged request hears "too many" rather
        # than losing items silently; more than that are not even built.
        return GroupField(FormField(item), max_entries=spec.max_items + 1, min_entries=self.minimum, **common)

    def prepare(self, field, values, locale, saved, submitted):
        field.minimum = self.minimum
        field.maximum = self.spec.max_items
        saved_items = saved if isinstance(saved, list) else []
        items = submitted if isinstance(submitted, list) else saved_items
        for index, entry in enumerate(field.entries):
            item = items[index] if index < len(items) and isinstance(items[index], dict) else {}
            self.prepare_item(entry, values, locale, saved_items, item)

    def prepare_item(self, entry: FormField, values: dict, locale: str, saved_items: list,
                     item: dict | None = None) -> None:
        """One item's fields, seen with the item's own answers (a field's `show_when` may name them)."""
        item_values = {**values, **typed_answers(self.spec.fields, item or {})}
        for inner in self.spec.fields:
            # Items move when one is removed: any document given in any item stays choosable in each.
            saved = [i.get(inner.id) for i in saved_items if isinstance(i, dict)]
            prepare(entry.form, inner, item_values, locale, saved, None)

    def initial(self, value):
        if not isinstance(value, list):
            return NOT_GIVEN
        return [initial_data(self.spec.fields, item) for item in value[: self.spec.max_items] if isinstance(item, dict)]

    def posted(self, name, value):
        if not isinstance(value, list):
            raise WrongShape
        return [pair for index, item in enumerate(value) for pair in self._posted_item(name, index, item)]

    def _posted_item(self, name: str, index: int, item):
        if not isinstance(item, dict):
            raise WrongShape(f"/{index}")
        known = {inner.id for inner in self.spec.fields}
        unknown = next((key for key in item if key not in known), None)
        if unknown is not None:
            raise WrongShape(f"/{index}/{pointer_part(unknown)}")
        # An item with nothing given still posts its place, so that the form sees (and refuses) it.
        pairs = [(f"{name}-{index}-_item", "")]
        for inner in self.spec.fields:
            if item.get(inner.id) is not None:
                try:
                    pairs += kind_of(inner).posted(f"{name}-{index}-{inner.id}", item[inner.id])
                except WrongShape as wrong:
                    raise WrongShape(f"/{index}/{inner.id}{wrong.pointer}") from None
        return pairs

    def answer(self, field, lenient):
        # Never None as a whole: each item's fields say what is wrong with them.
        return [read_answers(entry.form, self.spec.fields, lenient) for entry in field.entries]

    def typed(self, value):
        if not isinstance(value, list):
            return super().typed(value)
        return [typed_answers(self.spec.fields, item) for item in value if isinstance(item, dict)]

    def display(self, value, locale):
        if not isinstance(value, list):
            return str(value)
        return " | ".join(
            "; ".join(f"{pick(inner.label, locale)}: {kind_of(inner).show(item.get(inner.id), locale)}"
                      for inner in self.spec.fields if item.get(inner.id) not in (None, ""))
            for item in value if isinstance(item, dict)
        )

    def answers(self):
        from hypothesis import strategies as st

        item = st.fixed_dictionaries({
            inner.id: kind_of(inner).answers() if inner.required else st.none() | kind_of(inner).answers()
            for inner in self.spec.fields})
        most = max(self.spec.min_items, min(self.spec.max_items, SHOWN_ITEMS))
        return st.lists(item, min_size=self.spec.min_items, max_size=most)
