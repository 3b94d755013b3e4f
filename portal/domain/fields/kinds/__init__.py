"""The field kinds of service definitions, in one registry.

`KINDS` maps the `type` a definition writes to the class that handles every field of that type,
everywhere: the loader's checks, the form, the answers, the summary, the documents and the
property tests (the contract is `FieldKind` in `base.py`). The modules that deal with fields ask
it, `kind_of(spec)`, instead of testing the type's name: a new kind is one class and one line here.

The order is the order in which `docs/services.md` and error messages list them.
"""

from __future__ import annotations

from portal.domain.fields.kinds.address import AddressKind
from portal.domain.fields.kinds.base import FieldKind, InputKind
from portal.domain.fields.kinds.choices import ChoiceKind, DeclarationKind, MultiChoiceKind
from portal.domain.fields.kinds.contact import EmailKind, PhoneKind
from portal.domain.fields.kinds.dates import DateKind
from portal.domain.fields.kinds.file import FileKind
from portal.domain.fields.kinds.group import GroupKind
from portal.domain.fields.kinds.money import MoneyKind
from portal.domain.fields.kinds.names import KhmerNameKind, LatinNameKind, NationalIdKind
from portal.domain.fields.kinds.numbers import IntegerKind, NumberKind
from portal.domain.fields.kinds.text import TextareaKind, TextKind
from portal.domain.fields.kinds.walk import kind_of

KINDS: dict[str, type[FieldKind]] = {
    "text": TextKind,
    "textarea": TextareaKind,
    "khmer_name": KhmerNameKind,
    "latin_name": LatinNameKind,
    "integer": IntegerKind,
    "number": NumberKind,
    "money": MoneyKind,
    "date": DateKind,
    "choice": ChoiceKind,
    "multi_choice": MultiChoiceKind,
    "phone": PhoneKind,
    "email": EmailKind,
    "national_id": NationalIdKind,
    "address": AddressKind,
    "file": FileKind,
    "group": GroupKind,
    "declaration": DeclarationKind,
}

__all__ = ["KINDS", "FieldKind", "InputKind", "kind_of", "names_of"]


def names_of(capability: str) -> list[str]:
    """The kinds whose class attribute `capability` is true (for messages: "only choice and ... have ...")."""
    return sorted(name for name, kind in KINDS.items() if getattr(kind, capability))
