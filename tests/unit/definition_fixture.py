"""A tiny service whose one step has a field of every type, for the form builder's tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from portal.domain import clock
from portal.domain.catalogue.expressions import parse
from portal.domain.catalogue.model import Field, Option, Rule, Service, Step
from portal.domain.fields.kinds import KINDS
from portal.domain.geo import places


def text(en: str, km: str = "ខ្មែរ") -> dict:
    return {"en": en, "km": km}


def options(*values: str) -> tuple[Option, ...]:
    return tuple(Option(v, text(v.title(), f"ជម្រើស {v}")) for v in values)


OWNERS = Field(
    "owners", "group", text("Owner", "ម្ចាស់"), min_items=1, max_items=3,
    fields=(
        Field("name", "khmer_name", text("Owner's name in Khmer"), required=True),
        Field("share", "integer", text("Share (%)"), min=Decimal(1), max=Decimal(100)),
        Field("id_card", "file", text("ID card"), accept=("pdf",), max_mb=1),
    ),
)

FIELDS = (
    Field("full_name", "text", text("Business name", "ឈ្មោះអាជីវកម្ម"), hint=text("As on the sign"), required=True,
          max_length=80),
    Field("notes", "textarea", text("Notes")),
    Field("name_km", "khmer_name", text("Name in Khmer", "ឈ្មោះជាអក្សរខ្មែរ"), required=True),
    Field("name_latin", "latin_name", text("Name in Latin letters")),
    Field("years", "integer", text("Years at this address"), min=Decimal(0), max=Decimal(120)),
    Field("share", "number", text("Share of profits"), min=Decimal(0), max=Decimal(100)),
    Field("capital", "money", text("Capital"), currencies=("KHR", "USD"), min=Decimal(0)),
    Field("fee", "money", text("Fee paid"), currencies=("KHR",)),
    Field("started", "date", text("Date started"), not_in_future=True),
    Field("expires", "date", text("Licence expiry"), not_in_past=True),
    Field("purpose", "choice", text("Purpose"), options=options("bank", "school", "employment", "other")),
    Field("purpose_other", "text", text("Other purpose"), show_when=parse("purpose == 'other'"),
          required_when=parse("purpose == 'other'")),
    Field("vehicle", "choice", text("Vehicle type"),
          options=options("car", "motorbike", "truck", "bus", "tractor", "trailer", "tuktuk")),
    Field("interests", "multi_choice", text("Send me news by"), options=options("sms", "email", "post")),
    Field("phone", "phone", text("Mobile phone number")),
    Field("email", "email", text("Email address")),
    Field("national_id", "national_id", text("National ID number")),
    Field("address", "address", text("Registered address")),
    Field("licence", "file", text("Licence"), accept=("pdf", "png"), max_mb=1),
    OWNERS,
    Field("tax_id", "text", text("Tax ID"), pattern=r"[A-Z][0-9]{3}-[0-9]{9}",
          pattern_message=text("Enter the tax ID like K001-123456789", "បញ្ចូលលេខអត្តសញ្ញាណកម្មសារពើពន្ធ")),
    Field("declaration", "declaration", text("I declare that this is true", "ខ្ញុំសូមប្រកាសថាព័ត៌មាននេះពិត")),
)

RULES = (Rule(parse("not started or not expires or expires > started"),
              text("The expiry must be after the start", "ថ្ងៃផុតកំណត់ត្រូវនៅក្រោយថ្ងៃចាប់ផ្តើម"), "expires"),)
STEP = Step("everything", text("Everything"), FIELDS, rules=RULES)
SERVICE = Service(
    slug="every-field", version=1, status="live", audience=("citizen",), agencies=("moc",), category="business",
    title=text("Every field"), summary=text("A test"), eligibility=text("Anyone"), requirements=(),
    processing_working_days=1, fees=(), legal_basis=text("None"), source="tests/unit/definition_fixture.py",
    steps=(STEP,),
)
assert {f.type for f in FIELDS} == set(KINDS), "the fixture must have one field of every kind in the registry"


def a_place_chain() -> tuple[str, str, str, str]:
    province = places.children("province")[0]
    district = places.children("district", province.code)[0]
    commune = places.children("commune", district.code)[0]
    village = places.children("village", commune.code)[0]
    return province.code, district.code, commune.code, village.code


def today() -> date:
    return clock.today()


def valid_post() -> dict:
    """What a person fills in: Khmer digits, separators and spaces included."""
    province, district, commune, village = a_place_chain()
    return {
        "full_name": "  Sok  Chanthy Trading ",
        "notes": "Line one\r\n\r\n\r\n\r\nLine two",
        "name_km": "សុខ ចាន់ធី",
        "name_latin": "Sok Chanthy",
        "years": "១២",
        "share": "12.50",
        "capital-amount": "1,500,000",
        "capital-currency": "KHR",
        "fee-amount": "១០ ០០០",
        "started": "2020-01-31",
        "expires": (today() + timedelta(days=30)).isoformat(),
        "purpose": "bank",
        "vehicle": "tuktuk",
        "interests": ["post", "sms"],
        "phone": "០១២ ៣៤៥ ៦៧៨",
        "email": "Sok@Example.com",
        "national_id": "០១២៣ ៤៥៦៧៨",
        "address-province": province,
        "address-district": district,
        "address-commune": commune,
        "address-village": village,
        "address-street": "ផ្ទះលេខ ១២ ផ្លូវ ២៧១",
        "owners-0-name": "ចាន់ ធី",
        "owners-0-share": "50",
        "tax_id": "K001-123456789",
        "declaration": "y",
    }


def valid_answers() -> dict:
    """What `valid_post()` is saved as."""
    province, district, commune, village = a_place_chain()
    return {
        "full_name": "Sok Chanthy Trading",
        "notes": "Line one\n\nLine two",
        "name_km": "សុខ ចាន់ធី",
        "name_latin": "Sok Chanthy",
        "years": 12,
        "share": "12.50",
        "capital": {"amount": "1500000", "currency": "KHR"},
        "fee": {"amount": "10000", "currency": "KHR"},
        "started": "2020-01-31",
        "expires": (today() + timedelta(days=30)).isoformat(),
        "purpose": "bank",
        "purpose_other": None,
        "vehicle": "tuktuk",
        "interests": ["sms", "post"],
        "phone": "+85512345678",
        "email": "sok@example.com",
        "national_id": "012345678",
        "address": {"province": province, "district": district, "commune": commune, "village": village,
                    "street": "ផ្ទះលេខ ១២ ផ្លូវ ២៧១"},
        "licence": None,
        "owners": [{"name": "ចាន់ ធី", "share": 50, "id_card": None}],
        "tax_id": "K001-123456789",
        "declaration": True,
    }
