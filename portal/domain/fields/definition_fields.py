"""The WTForms fields behind the field types of service definitions, with Khmer-aware cleaning.

`portal.domain.fields.builder` puts them together into a form for one step. Each `clean_*` function
takes whatever a person typed (any text, of any length, Khmer digits included) and returns the
value to keep, or raises `ValidationError` with a message for the page; nothing else escapes
from them, and the fields below turn every other surprise (a forged choice, a file sent where
text was expected) into a message too. Messages name the field by its label from the definition
and are put into words at validation time, so they come out in the page's language.

Each bound field gets two attributes from the builder: `spec` (the definition's `Field`) and
`required` (decided from `required`/`required_when` and the answers so far).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.domain import clock
from portal.domain.documents.sniff import KINDS, sniff
from portal.domain.fields.address import MISSING, PlaceSelectField, StreetField, address_started, check_address
from portal.domain.fields.identity import tidy
from portal.domain.geo import places
from portal.domain.i18n.formatting import digits, number, to_latin_digits

TEXT_MAX, TEXTAREA_MAX = 200, 2000  # when the definition gives no max_length
NUMBER_DIGITS = 15  # digits before the decimal point: beyond any amount or count a service asks for
DATE_YEARS = (1900, 2100)

REQUIRED = _l("“%(label)s”: this answer is needed")
REQUIRED_CHOICE = _l("“%(label)s”: choose an answer")
REQUIRED_CHOICES = _l("“%(label)s”: choose at least one answer")
REQUIRED_FILE = _l("“%(label)s”: upload a file or choose one of your documents")
REQUIRED_DECLARATION = _l("Tick the box to confirm the declaration")
TOO_LONG = _l("“%(label)s” must be %(count)s characters or fewer")
TOO_SHORT = _l("“%(label)s” must be at least %(count)s characters")
CHARACTERS = _l("“%(label)s” can use letters, digits, spaces and punctuation, but not emoji, "
                "symbols or control characters")
PATTERN = _l("“%(label)s”: check how it is written")
WHOLE_NUMBER = _l("“%(label)s”: enter a whole number, like 12")
DECIMAL_NUMBER = _l("“%(label)s”: enter a number, like 12 or 12.5")
TOO_SMALL = _l("“%(label)s” must be %(min)s or more")
TOO_LARGE = _l("“%(label)s” must be %(max)s or less")
NUMBER_TOO_LARGE = _l("“%(label)s” is too large a number")
AMOUNT = _l("Enter the amount as a number, like 1,500,000 or 12.50")
AMOUNT_NEGATIVE = _l("The amount cannot be negative")
RIEL_WHOLE = _l("Riel amounts are whole numbers: enter the amount without cents")
DOLLAR_CENTS = _l("Enter dollars with at most 2 digits for cents, like 12.50")
CURRENCY_INVALID = _l("Choose a currency from the list")
DATE_FORMAT = _l("“%(label)s”: enter a real date, for example 2026-03-15 or 15/03/2026")
DATE_FUTURE = _l("“%(label)s” must be today or in the past")
DATE_PAST = _l("“%(label)s” must be today or in the future")
CHOICE_INVALID = _l("“%(label)s”: choose one of the listed answers")
FILE_EMPTY = _l("The file is empty. Choose the file again.")
FILE_TOO_LARGE = _l("The file must be %(size)s MB or smaller")
FILE_TYPE = _l("The file must be one of these types: %(types)s")
DOCUMENT_INVALID = _l("Choose one of your documents from the list")
GROUP_TOO_FEW = _l("“%(label)s”: enter at least %(count)s")
GROUP_TOO_MANY = _l("“%(label)s”: enter no more than %(count)s; remove the extra ones")

AMOUNT_LABEL = _l("Amount")
CURRENCY_LABEL = _l("Currency")
CURRENCY_NAMES = {"KHR": _l("Riel (KHR)"), "USD": _l("US dollars (USD)")}
UPLOAD_LABEL = _l("Upload a file")
EXISTING_LABEL = _l("Or choose one of your documents")
CHOOSE_DOCUMENT = _l("Choose a document")

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DAY_FIRST_DATE = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")
# Commas only where they group thousands: "1,5" is refused rather than read as 15.
_NUMBER = re.compile(r"(-?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?")
_CURRENCY_SIGNS = str.maketrans("", "", "៛$")


def say(message, **params) -> str:
    """The message in the page's language with its placeholders filled (pass numbers through `digits`)."""
    return str(message) % params if params else str(message)


def _raw(value: object) -> str:
    return "" if value is None else str(value)


def is_blank(value: object) -> bool:
    return value is None or value == [] or not tidy(_raw(value))


def _bad_character(char: str) -> bool:
    # Control, format, private-use and unassigned characters, and "other symbols" (emoji among
    # them): nothing a form answer needs, and the PDF fonts have no glyph for most of them.
    category = unicodedata.category(char)
    return category[0] == "C" or category in ("So", "Zl", "Zp")


def clean_text(value: object, *, label: str, multiline: bool = False, min_length: int | None = None,
               max_length: int | None = None, pattern: str | None = None, pattern_message: str | None = None) -> str:
    """Free text: white space tidied (kept as line breaks in a textarea), letters of any script."""
    limit = max_length or (TEXTAREA_MAX if multiline else TEXT_MAX)
    raw = _raw(value)
    if len(raw) > 4 * limit + 100:  # refused before any other work
        raise ValidationError(say(TOO_LONG, label=label, count=digits(limit)))
    if multiline:
        lines = [tidy(line) for line in raw.splitlines()]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    else:
        text = tidy(raw)
    if any(_bad_character(c) for c in text if c != "\n"):
        raise ValidationError(say(CHARACTERS, label=label))
    check_length(text, label=label, min_length=min_length, max_length=limit)
    if pattern and not re.fullmatch(pattern, text):
        # Patterns are written with Latin digits; a number typed in Khmer digits is read as the same.
        if not re.fullmatch(pattern, to_latin_digits(text)):
            raise ValidationError(pattern_message or say(PATTERN, label=label))
        text = to_latin_digits(text)
    return text


def check_length(text: str, *, label: str, min_length: int | None, max_length: int | None) -> str:
    if max_length is not None and len(text) > max_length:
        raise ValidationError(say(TOO_LONG, label=label, count=digits(max_length)))
    if min_length is not None and len(text) < min_length:
        raise ValidationError(say(TOO_SHORT, label=label, count=digits(min_length)))
    return text


def _decimal(value: object) -> tuple[Decimal, int] | None:
    """The number in `value` and how many digits it has after the point; None if it is not one."""
    text = to_latin_digits(tidy(_raw(value))).replace(" ", "")
    if len(text) > 4 * NUMBER_DIGITS:
        return None
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    sign, whole, fraction = match.groups()
    text = sign + whole.replace(",", "") + (f".{fraction}" if fraction else "")
    return Decimal(text), len(fraction or "")


def _check_size(amount: Decimal, label: str) -> None:
    # Checked before any rounding: Decimal arithmetic on very long numbers can fail.
    if abs(amount) >= Decimal(10) ** NUMBER_DIGITS:
        raise ValidationError(say(NUMBER_TOO_LARGE, label=label))


def _check_bounds(amount: Decimal, *, label: str, minimum: Decimal | None, maximum: Decimal | None) -> None:
    if minimum is not None and amount < minimum:
        raise ValidationError(say(TOO_SMALL, label=label, min=number(minimum)))
    if maximum is not None and amount > maximum:
        raise ValidationError(say(TOO_LARGE, label=label, max=number(maximum)))


def clean_integer(value: object, *, label: str, minimum: Decimal | None = None,
                  maximum: Decimal | None = None) -> int:
    """`1500`, `1,500`, `១៥០០` and `1 500` are all 1500."""
    parsed = _decimal(value)
    if parsed is None or parsed[1]:
        raise ValidationError(say(WHOLE_NUMBER, label=label))
    _check_size(parsed[0], label)
    _check_bounds(parsed[0], label=label, minimum=minimum, maximum=maximum)
    return int(parsed[0])


def clean_number(value: object, *, label: str, minimum: Decimal | None = None,
                 maximum: Decimal | None = None) -> Decimal:
    parsed = _decimal(value)
    if parsed is None:
        raise ValidationError(say(DECIMAL_NUMBER, label=label))
    _check_size(parsed[0], label)
    _check_bounds(parsed[0], label=label, minimum=minimum, maximum=maximum)
    return parsed[0]


def clean_amount(value: object, currency: str, *, label: str, minimum: Decimal | None = None,
                 maximum: Decimal | None = None) -> Decimal:
    """Riel in whole numbers, dollars with up to two digits of cents (kept as cents: `12.50`)."""
    text = to_latin_digits(tidy(_raw(value))).translate(_CURRENCY_SIGNS).strip()
    if text.startswith("-"):
        raise ValidationError(say(AMOUNT_NEGATIVE))
    parsed = _decimal(text)
    if parsed is None:
        raise ValidationError(say(AMOUNT))
    amount = parsed[0]
    _check_size(amount, label)
    cent = Decimal(1) if currency == "KHR" else Decimal("0.01")
    if amount != amount.quantize(cent):
        raise ValidationError(say(RIEL_WHOLE if currency == "KHR" else DOLLAR_CENTS))
    amount = amount.quantize(cent)
    _check_bounds(amount, label=label, minimum=minimum, maximum=maximum)
    return amount


def clean_date(value: object, *, label: str, not_in_future: bool = False, not_in_past: bool = False,
               today: date | None = None) -> date:
    """`2026-03-15` (what `<input type=date>` sends), `15/03/2026`, or either in Khmer digits."""
    if isinstance(value, date):
        day = value
    else:
        text = to_latin_digits(tidy(_raw(value))).replace(" ", "")
        found = None
        if len(text) <= 20:
            if match := _ISO_DATE.fullmatch(text):
                found = match.groups()
            elif match := _DAY_FIRST_DATE.fullmatch(text):
                found = tuple(reversed(match.groups()))
        try:
            day = date(*(int(part) for part in found)) if found else None
        except ValueError:
            day = None
        if day is None or not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
            raise ValidationError(say(DATE_FORMAT, label=label))
    today = today or clock.today()
    if not_in_future and day > today:
        raise ValidationError(say(DATE_FUTURE, label=label))
    if not_in_past and day < today:
        raise ValidationError(say(DATE_PAST, label=label))
    return day


def with_messages(clean: Callable[[object], object], error: type[Exception]) -> Callable[[object], object]:
    """`clean`, with its own error class (e.g. `ContactError`) turned into `ValidationError`."""

    def cleaned(value: object) -> object:
        try:
            return clean(_raw(value))
        except error as refused:
            raise ValidationError(str(getattr(refused, "message", refused))) from None

    return cleaned


class CleanedField(StringField):
    """A one-line input whose value is `clean(text)`. Blank is None, or `required_message` when
    the field is required; a value that cannot be read keeps the person's text to show again."""

    required = False

    def __init__(self, label=None, *, clean: Callable[[object], object], required_message: str = "",
                 **kwargs) -> None:
        super().__init__(label, **kwargs)
        self.clean = clean
        self.required_message = required_message

    def pre_validate(self, form) -> None:
        if is_blank(self.data):
            self.data = None
            raise StopValidation(self.required_message if self.required else None)
        try:
            self.data = self.clean(self.data)
        except ValidationError as error:
            # Shared cleaners give lazy messages; errors are plain text, in the language of this page.
            raise ValidationError(str(error.args[0])) from None

    def _value(self) -> str:
        if isinstance(self.data, date):
            return self.data.isoformat()
        if isinstance(self.data, Decimal):
            return format(self.data, "f")
        return super()._value()


class CleanedTextArea(CleanedField):
    widget = TextAreaField.widget


class _OneOf:
    """One answer from the field's options: nothing chosen is None (or the required message),
    anything that is not an option is refused with a message, never a crash."""

    required = False
    required_message = invalid_message = ""

    def pre_validate(self, form) -> None:
        if self.data in (None, ""):
            self.data = None
            raise StopValidation(self.required_message if self.required else None)
        if self.data not in {choice.value for choice in self.choices if choice.value}:
            raise StopValidation(self.invalid_message)


class OptionSelectField(_OneOf, SelectField):
    def __init__(self, label=None, *, required_message: str = "", invalid_message: str = "", **kwargs) -> None:
        super().__init__(label, validate_choice=False, **kwargs)
        self.required_message, self.invalid_message = required_message, invalid_message


class OptionRadioField(_OneOf, RadioField):
    def __init__(self, label=None, *, required_message: str = "", invalid_message: str = "", **kwargs) -> None:
        super().__init__(label, validate_choice=False, **kwargs)
        self.required_message, self.invalid_message = required_message, invalid_message
        self.type = "RadioField"  # the shared `field` macro chooses its layout by type name


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes; the answer is the chosen values, in the order of the options."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
    required = False

    def __init__(self, label=None, *, required_message: str = "", invalid_message: str = "", **kwargs) -> None:
        super().__init__(label, validate_choice=False, **kwargs)
        self.required_message, self.invalid_message = required_message, invalid_message

    def pre_validate(self, form) -> None:
        chosen = set(self.data or ())
        values = [choice.value for choice in self.choices]
        if chosen - set(values):
            raise StopValidation(self.invalid_message)
        self.data = [value for value in values if value in chosen]
        if not self.data and self.required:
            raise StopValidation(self.required_message)


class DeclarationField(BooleanField):
    def __init__(self, label=None, **kwargs) -> None:
        super().__init__(label, **kwargs)
        self.type = "BooleanField"
        self.required = True

    def pre_validate(self, form) -> None:
        if not self.data:
            # Not required only in a draft saved for later ("Save and continue later").
            raise StopValidation(say(REQUIRED_DECLARATION) if self.required else None)
        self.data = True


class CompositeField(FormField):
    """A field made of several inputs (money, address, file): its subform checks them together,
    knowing whether the whole is required."""

    required = False

    def __init__(self, form_class, label=None, **kwargs) -> None:
        super().__init__(form_class, label, **kwargs)
        self.type = "FormField"  # the error summary walks into it like any subform

    def validate(self, form, extra_validators=()) -> bool:
        self.form.required = self.required
        return self.form.validate()

    @property
    def first_input(self):
        """The input that takes messages about the whole (and that the error summary links to)."""
        return next(iter(self.form))


class MoneyForm(Form):
    """An amount and its currency. `label`, `currencies`, `minimum` and `maximum` are set per field."""

    amount = StringField(AMOUNT_LABEL)
    currency = SelectField(CURRENCY_LABEL, choices=[], validate_choice=False)
    label = ""
    currencies: tuple[str, ...] = ("KHR", "USD")
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    required = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.currency.choices = [SelectChoice(code, str(CURRENCY_NAMES.get(code, code))) for code in self.currencies]
        if not self.currency.data or len(self.currencies) == 1:
            # One currency is not offered as a choice at all: whatever was sent, it is that one.
            self.currency.data = self.currencies[0]

    def validate(self, extra_validators=None) -> bool:
        self.amount.errors, self.currency.errors = [], []
        if is_blank(self.amount.data):
            self.amount.data = None
            if self.required:
                self.amount.errors = [say(REQUIRED, label=self.label)]
            return not self.required
        if self.currency.data not in self.currencies:
            self.currency.errors = [say(CURRENCY_INVALID)]
            return False
        try:
            self.amount.data = clean_amount(self.amount.data, self.currency.data, label=self.label,
                                            minimum=self.minimum, maximum=self.maximum)
        except ValidationError as error:
            self.amount.errors = [error.args[0]]
            return False
        return True

    def answer(self) -> dict | None:
        if self.amount.data is None:
            return None
        return {"amount": format(self.amount.data, "f"), "currency": self.currency.data}


class AddressForm(Form):
    """Province > district > commune > village and the street line (see `portal.domain.fields.address`)."""

    province = PlaceSelectField(_l("Province or capital"), level="province")
    district = PlaceSelectField(_l("District, municipality or khan"), level="district")
    commune = PlaceSelectField(_l("Commune or sangkat"), level="commune")
    village = PlaceSelectField(_l("Village"), level="village")
    street = StreetField(_l("House number and street (optional)"))
    required = False

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not address_started(self):
            if self.required:
                self.province.errors.append(MISSING["province"])
            ok = ok and not self.required
        else:
            ok = check_address(self) and ok
        for field in self:  # the shared address checks give lazy messages: make them text of this page
            field.errors = [str(message) for message in field.errors]
        return ok

    def answer(self) -> dict | None:
        if not address_started(self):
            return None
        return {**{level: self[level].data for level in places.LEVELS}, "street": self.street.data or None}


class DocumentForm(Form):
    """A new upload, or one of the person's documents. `label`, `accept`, `max_mb` and
    `documents` ((public_id, name) pairs) are set per field."""

    upload = FileField(UPLOAD_LABEL)
    existing = SelectField(EXISTING_LABEL, choices=[], validate_choice=False)
    label = ""
    accept: tuple[str, ...] = ("pdf", "jpeg", "png")
    max_mb = 5
    documents: tuple[tuple[str, str], ...] = ()
    required = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.attached: str | None = None
        # A hint for the device's file picker; what a file really is, is decided from its bytes.
        self.upload.render_kw = {"accept": ",".join(KINDS[kind] for kind in self.accept if kind in KINDS)}
        self.existing.choices = [SelectChoice("", str(CHOOSE_DOCUMENT))] + [
            SelectChoice(str(public_id), str(name)) for public_id, name in self.documents
        ]

    @property
    def file(self) -> FileStorage | None:
        data = self.upload.data
        return data if isinstance(data, FileStorage) and data.filename else None

    def validate(self, extra_validators=None) -> bool:
        self.upload.errors, self.existing.errors = [], []
        chosen = self.existing.data or None
        if chosen is not None and chosen not in {c.value for c in self.existing.choices if c.value}:
            self.existing.errors = [say(DOCUMENT_INVALID)]
            return False
        if self.file is not None:
            problem = self._check_file(self.file)
            if problem:
                self.upload.errors = [problem]
                return False
            return True
        if chosen is None and self.required:
            self.upload.errors = [say(REQUIRED_FILE, label=self.label)]
            return False
        return True

    def _check_file(self, file: FileStorage) -> str | None:
        """Size and kind from the bytes, so that the person hears at once; the document store
        checks the file again, fully, when it keeps it."""
        limit = self.max_mb * 1024 * 1024
        head = file.stream.read(limit + 1)
        file.stream.seek(0)
        if not head:
            return say(FILE_EMPTY)
        if len(head) > limit:
            return say(FILE_TOO_LARGE, size=number(self.max_mb))
        if sniff(head) not in {KINDS.get(kind) for kind in self.accept}:
            return say(FILE_TYPE, types=", ".join(kind.upper() for kind in self.accept))
        return None

    def attach(self, public_id: str, name: str) -> None:
        """The upload is now kept as document `public_id`: it is the answer, and the page shows
        it chosen in the list if it has to be shown again."""
        self.attached = public_id
        if public_id not in {c.value for c in self.existing.choices}:
            self.existing.choices = [*self.existing.choices, SelectChoice(public_id, name)]
        self.existing.data = public_id
        self.upload.data = None

    def refuse(self, message: str) -> None:
        """The document store did not accept the upload: say why at the upload input."""
        self.upload.errors = [*self.upload.errors, message]

    def answer(self, lenient: bool = False) -> str | bool | None:
        if self.attached:
            return self.attached
        if self.file is not None:
            if lenient:
                return True  # for conditions: a file is being given
            raise ValueError("an uploaded file must be stored and attach()ed before its step's answers are read")
        return self.existing.data or None


class GroupField(FieldList):
    """Repeating items (e.g. owners); `spec.min_items`/`max_items` bound how many. Messages about
    the count are kept in `group_errors` (the step form also lists them at the top of the page)."""

    def __init__(self, unbound_field, label=None, **kwargs) -> None:
        super().__init__(unbound_field, label, **kwargs)
        self.type = "FieldList"  # the error summary walks into its items
        self.group_errors: list[str] = []
        self.minimum = 0
        self.maximum = 20

    def validate(self, form, extra_validators=()) -> bool:
        super().validate(form, extra_validators)
        self.group_errors = []
        filled = sum(1 for entry in self.entries if not all_blank(entry.form))
        if len(self.entries) > self.maximum:
            self.group_errors.append(say(GROUP_TOO_MANY, label=self.label.text, count=digits(self.maximum)))
        elif filled < self.minimum and not self.errors:
            # Items left empty already say what is missing in them; this is for too few items.
            self.group_errors.append(say(GROUP_TOO_FEW, label=self.label.text, count=digits(self.minimum)))
        if self.group_errors:
            self.errors = [*self.errors, *self.group_errors]
        return not self.errors


def all_blank(form: Form) -> bool:
    """Nothing given in any field of `form` (a group item)."""
    for field in form:
        subform = getattr(field, "form", None)
        if isinstance(subform, MoneyForm):
            blank = is_blank(subform.amount.data)
        elif isinstance(subform, AddressForm):
            blank = not address_started(subform)
        elif isinstance(subform, DocumentForm):
            blank = subform.file is None and not subform.existing.data
        elif isinstance(field, BooleanField):
            blank = not field.data
        else:
            blank = is_blank(field.data)
        if not blank:
            return False
    return True
