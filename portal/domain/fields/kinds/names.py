"""A person's name in Khmer or in Latin letters, and a Khmer national ID number."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from portal.domain.fields import identity
from portal.domain.fields.definition_fields import check_length
from portal.domain.fields.kinds.base import InputKind


class _NameKind(InputKind):
    clean: ClassVar[Callable[[object], str]]  # the script's own cleaning, then the definition's lengths

    def cleaner(self, label, locale):
        spec = self.spec

        def cleaned(value: object) -> str:
            return check_length(self.clean(value), label=label, min_length=spec.min_length,
                                max_length=spec.max_length)

        return cleaned


class KhmerNameKind(_NameKind):
    input_attributes = {"lang": "km", "autocomplete": "off"}
    clean = staticmethod(identity.clean_khmer_name)

    def answers(self):
        from hypothesis import strategies as st

        return st.from_regex(r"[កខគចជញតទនបពមយរលវសហអ][ាិីុូេែោ]?[កងនមយលស]?( [កខគចជញតទនបពមយរលវសហអ][ាេោ]?){1,2}",
                             fullmatch=True)


class LatinNameKind(_NameKind):
    input_attributes = {"lang": "en", "autocomplete": "off"}
    clean = staticmethod(identity.clean_latin_name)

    def answers(self):
        from hypothesis import strategies as st

        return st.from_regex(r"[A-Z][a-z]{1,9}( [A-Z][a-z]{1,9}){1,2}", fullmatch=True)


class NationalIdKind(InputKind):
    input_attributes = {"inputmode": "numeric", "autocomplete": "off"}

    def cleaner(self, label, locale):
        return identity.clean_national_id

    def answers(self):
        from hypothesis import strategies as st

        return st.from_regex(r"[0-9]{9,10}", fullmatch=True)
