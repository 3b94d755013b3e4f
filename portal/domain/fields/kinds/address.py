"""An address in Cambodia: province > district > commune > village, and the house and street.

The lists are filled from the place chosen above each, so the form works without JavaScript:
"Update the lists" (a button named `refresh`, see `builder.handle_group_buttons`) shows the
page again with the next list filled; `static/js/address.js` refills them as soon as a choice changes.
"""

from __future__ import annotations

import re
from functools import cache

from portal.domain.fields.address import fill_choices
from portal.domain.fields.definition_fields import AddressForm, CompositeField
from portal.domain.fields.kinds.base import FieldKind
from portal.domain.fields.kinds.money import composite_initial, composite_posted
from portal.domain.geo import places
from portal.domain.i18n import formatting


class AddressKind(FieldKind):
    widget = "address"
    document_filter = "address"  # `{{ address|km_address }}`

    def form_field(self, label, common, locale, documents):
        return CompositeField(AddressForm, **common)

    def prepare(self, field, values, locale, saved, submitted):
        fill_choices(field.form, locale)

    def initial(self, value):
        return composite_initial(value)

    def value_of(self, field, lenient):
        return field.form.answer()

    def posted(self, name, value):
        return composite_posted(name, value, (*places.LEVELS, "street"))

    def display(self, value, locale):
        return written_out(value, locale) if isinstance(value, dict) else str(value)

    @classmethod
    def document(cls, value, locale, *args):
        """The address line of a bilingual document in `locale` alone, digits in its script; a text
        already written out is kept.

        Documents print the Khmer line and the English line together. The house and street are typed
        once, in one script: they go on the line of that language only (on both when they hold no
        letters), so neither line mixes Khmer and Latin words."""
        if not isinstance(value, dict):
            return "" if value is None else str(value)
        street = value.get("street") or ""
        if street and street_language(street) not in (locale, None):
            value = {**value, "street": None}
        return formatting.digits(written_out(value, locale), locale)

    def answers(self):
        from hypothesis import strategies as st

        streets = st.sampled_from([None, "ផ្ទះលេខ ១២ ផ្លូវ ២៧១", "House 5, street 2"])
        return st.builds(lambda chain, street: {**chain, "street": street}, st.sampled_from(_whole_chains()), streets)


@cache
def _whole_chains() -> list[dict[str, str]]:
    """One whole chain of places (down to a village) in each province, for test answers."""
    chains = []
    for province in places.children("province"):
        for district in places.children("district", province.code):
            villages = next((found for commune in places.children("commune", district.code)
                             if (found := places.children("village", commune.code))), ())
            if villages:
                chain = places.chain(province.code, district.code, villages[0].parent, villages[0].code)
                chains.append({place.level: place.code for place in chain})
                break
    return chains


_KHMER_LETTER = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")


def street_language(text: str) -> str | None:
    """"km" for a text with Khmer letters, "en" for one with Latin letters only, None without letters."""
    if _KHMER_LETTER.search(text):
        return "km"
    return "en" if _LATIN_LETTER.search(text) else None


def written_out(value: dict, locale: str) -> str:
    """House and street first, then village, commune, district and province, in `locale`."""
    found = places.chain(value.get("province"), value.get("district"), value.get("commune"), value.get("village"))
    parts = [value.get("street") or ""] + [place.name(locale) for place in reversed(found)]
    return ", ".join(part for part in parts if part)
