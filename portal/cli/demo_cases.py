"""Demo applications for `flask demo load`: a back office with work in it.

About forty applications over the four real services, made by the two demo citizens (and their spice
shop, for the business services), so that a demo clerk opening the queue finds cases overdue, due
within a day and calm, some assigned to them, some waiting for the applicant after a request for more
information; and a demo supervisor's dashboard has cases completed over the last month by the demo
staff, for its processing times and its chart.

Every case is made the way the portal makes it: started and answered through `journey`, documents
stored through the document store and attached, each step decided by the workflow engine and written
by `transitions.apply` (events, audit entries, the case's queue and due date). Each step is decided
with its own moment in the past as the engine's clock, so the due dates follow the service's working
days; afterwards the rows' own timestamps (submission, events, attachments) are set to those moments,
since the data layer stamps them with the time of writing. Where the story needs a case overdue or
due within a day, its due date is then set so, whatever day of the week the demo is loaded on.

Two things the domain would do are left out on purpose: no certificate is issued (a decision's
`outputs` are dropped, so an approved demo case has no document and no rendering job), and only the
requests for information that are still waiting notify the applicant (a few inbox messages, emails and
text messages, which the worker of `make run` writes under instance/). Audit entries keep the real
time of loading: the audit log is a hash chain and is never rewritten.

Idempotent: when the demo citizens already have applications (from an earlier load, or from trying
the portal), nothing is added.
"""

from __future__ import annotations

import dataclasses
import io
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

from portal.data import applications as application_data
from portal.data import notifications, queues
from portal.data import payments as payment_data
from portal.domain import clock
from portal.domain.applications import case_notes, case_records, display, journey, transitions
from portal.domain.applications.values import values_for
from portal.domain.catalogue import Service, get_catalogue
from portal.domain.catalogue.model import STAFF_FACTS, DocumentRequirement, for_persons
from portal.domain.documents import get_document_store
from portal.domain.documents.sniff import KINDS
from portal.domain.expression_contexts import DOCUMENTS
from portal.domain.workflow import engine
from portal.domain.workflow.calendar import DUE_SOON, PHNOM_PENH, WorkingCalendar, load_calendar
from portal.extensions import db
from portal.payments import account as payment_account
from portal.payments import assessments as payment_assessments
from portal.payments import counter

if TYPE_CHECKING:
    from portal.data.models import Document, Organisation, Person

APPLICANT, CLERK, SUPERVISOR = "applicant", "clerk", "supervisor"
OVERDUE, DUE_SOON_URGENCY = "overdue", "due_soon"
SOKHA, DARA = "sokha", "dara"
MB = 1024 * 1024


# --- when things happened ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ago:
    """A moment before the load: `days` ago at a local office hour, or `hours` ago."""

    days: int = 0
    clock: str = "10:00"
    hours: float = 0

    def at(self, now: datetime) -> datetime:
        if self.hours:
            return now - timedelta(hours=self.hours)
        if self.days < 1:
            raise ValueError("a demo moment today must be given in hours, so it is never in the future")
        day = now.astimezone(PHNOM_PENH).date() - timedelta(days=self.days)
        return datetime.combine(day, time.fromisoformat(self.clock), tzinfo=PHNOM_PENH).astimezone(UTC)


def day(days: int, clock: str = "10:00") -> Ago:
    return Ago(days=days, clock=clock)


def hours(count: float) -> Ago:
    return Ago(hours=count)


# --- the stories ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    action: str  # "submit" or an action of the service's workflow
    by: str  # APPLICANT, or the CLERK or SUPERVISOR of the office whose queue the case is in
    at: Ago
    reason: str | None = None
    message: str | None = None  # the request for information in the clerk's words, or a reason's text
    opens: tuple[str, ...] = ()  # fields and documents a request for information opens


@dataclass(frozen=True)
class Case:
    service: str
    applicant: str  # SOKHA or DARA; business services are applied for the shop by them
    answers: dict
    steps: tuple[Step, ...]
    urgency: str | None = None  # OVERDUE, DUE_SOON_URGENCY, or None: calm
    assigned: bool = False  # to the clerk of the office whose queue it ends in
    note: str | None = None  # an internal note that clerk wrote
    handed_over: bool = False  # that clerk checked it and handed it over for the chief's decision


def submitted(at: Ago) -> Step:
    return Step("submit", APPLICANT, at)


def clerk(action: str, at: Ago, **details) -> Step:
    return Step(action, CLERK, at, **details)


def supervisor(action: str, at: Ago, **details) -> Step:
    return Step(action, SUPERVISOR, at, **details)


def resubmitted(at: Ago) -> Step:
    return Step("resubmit", APPLICANT, at)


# --- answers, as the application's forms store them ---------------------------------------------------

BATTAMBANG = {"province": "02", "district": "0203", "commune": "020310", "village": "02031002",
              "street": "ផ្ទះលេខ ១២ ផ្លូវលេខ ៣"}  # Svay Por sangkat, like Sokha's profile
PHNOM_PENH_BKK1 = {"province": "12", "district": "1213", "commune": "121301", "village": "12130103",
                   "street": "ផ្ទះលេខ ៤៥ ផ្លូវលេខ ២៧៨"}  # Boeng Keng Kang 1
# Sla Kram sangkat, Siem Reap: an office nobody works at in the demo (its case is on the unstaffed list).
SIEM_REAP_SLA_KRAM = {"province": "17", "district": "1710", "commune": "171001", "village": "17100101",
                      "street": "ផ្ទះលេខ ៩ ផ្លូវសីវត្ថា"}

PEOPLE = {
    SOKHA: {"name_km": "សុខ សុខា", "name_latin": "Sok Sokha", "date_of_birth": "1990-04-14",
            "national_id": "020310001", "phone": "+85512345678", "address": BATTAMBANG},
    DARA: {"name_km": "ចាន់ ដារា", "name_latin": "Chan Dara", "date_of_birth": "1994-11-03",
           "national_id": "120504321", "phone": "+85517234567", "address": PHNOM_PENH_BKK1},
}


def residence(who: str, purpose: str, *, purpose_other: str | None = None, years: int = 8,
              book: str = "០២០៣១០-០៤៥៧", equity_card: bool = False, address: dict | None = None) -> dict:
    person = PEOPLE[who]
    return {
        "name_km": person["name_km"], "name_latin": person["name_latin"], "date_of_birth": person["date_of_birth"],
        "national_id": person["national_id"], "phone": person["phone"],
        "address": dict(address or person["address"]), "years": years, "book_type": "family_book", "book_number": book,
        "purpose": purpose, "purpose_other": purpose_other, "equity_card": "yes" if equity_card else "no",
        "declaration": True,
    }


def vehicle(who: str, kind: str, make: str, model: str, year: int, colour: str, fuel: str, engine_cc: int | None,
            seats: int, chassis: str, engine_number: str, customs: str, bought: str) -> dict:
    person = PEOPLE[who]
    return {
        "owner_type": "person", "owner_name_km": person["name_km"], "owner_name_latin": person["name_latin"],
        "owner_national_id": person["national_id"], "company_name_km": None, "company_name_en": None,
        "company_registration_number": None, "owner_address": dict(person["address"]), "phone": person["phone"],
        "vehicle_type": kind, "make": make, "model": model, "year": year, "colour": colour, "colour_other": None,
        "fuel": fuel, "engine_cc": engine_cc, "seats": seats, "chassis_number": chassis,
        "engine_number": engine_number, "customs_document_number": customs, "purchase_date": bought,
        "declaration": True,
    }


SHOP = {"business_name_km": "ហាងលក់គ្រឿងទេសស្រីស្រស់", "business_name_en": "Srey Sros Spice Shop"}
OWNERS = {
    SOKHA: {"nationality": "kh", "name_km": "សុខ សុខា", "name_latin": "Sok Sokha", "national_id": "020310001",
            "passport_number": None},
    DARA: {"nationality": "kh", "name_km": "ចាន់ ដារា", "name_latin": "Chan Dara", "national_id": "120504321",
           "passport_number": None},
}


def business(kind: str, *, activity: tuple[str, str], sectors: list[str], capital: tuple[str, str],
             employees: int, shares: Mapping[str, str], tenure: str = "rented") -> dict:
    return {
        **SHOP, "business_type": kind, "sectors": sectors, "main_activity_km": activity[0],
        "main_activity_en": activity[1], "registered_address": dict(BATTAMBANG), "premises_tenure": tenure,
        "capital": {"amount": capital[0], "currency": capital[1]}, "employees": employees,
        "owners": [{**OWNERS[who], "share": share} for who, share in shares.items()],
        "phone": PEOPLE[SOKHA]["phone"], "email": "sokha@demo.onewindow.gov.kh", "declaration": True,
    }


SPICES = ("លក់ដុំ និងលក់រាយគ្រឿងទេស", "Wholesale and retail of spices")
SPICES_AND_KITCHEN = ("លក់គ្រឿងទេស និងលក់ម្ហូបខ្មែរខ្ចប់", "Sale of spices and packed Khmer food")
SPICE_LIMITED = {"kind": "private_limited", "activity": SPICES, "sectors": ["trade"],
                 "capital": ("40000000", "KHR"), "employees": 6, "shares": {SOKHA: "60", DARA: "40"}}
SPICE_SOLE = {"kind": "sole_proprietorship", "activity": SPICES, "sectors": ["trade"],
              "capital": ("8000000", "KHR"), "employees": 3, "shares": {SOKHA: "100"}}
SPICE_PARTNERSHIP = {"kind": "partnership", "activity": SPICES_AND_KITCHEN,
                     "sectors": ["trade", "accommodation_food"], "capital": ("5000.00", "USD"), "employees": 9,
                     "shares": {SOKHA: "50", DARA: "50"}, "tenure": "owned"}


def tax_return(period: date, turnover: int, purchases: int, credit: int = 0) -> dict:
    return {
        "taxpayer_name_km": SHOP["business_name_km"], "taxpayer_name_en": SHOP["business_name_en"],
        "tin": "K001-901234567", "month": f"{period.month:02d}", "year": period.year,
        "turnover": {"amount": str(turnover), "currency": "KHR"},
        "purchases": {"amount": str(purchases), "currency": "KHR"},
        "credit_brought_forward": {"amount": str(credit), "currency": "KHR"}, "declaration": True,
    }


def months_before(today: date, count: int) -> date:
    """The first day of the month `count` months before this one (a tax return's period)."""
    index = today.year * 12 + today.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def cases(today: date) -> list[Case]:
    """The demo cases, told as what happened to each, `today` being the load's day in Cambodia."""
    rc, vr, br, tf = "residence-certificate", "vehicle-registration", "business-registration", "tax-filing"
    unreadable = "រូបថតសៀវភៅគ្រួសារមើលមិនច្បាស់ទេ។ សូមថតទំព័រដែលមានឈ្មោះរបស់អ្នកម្តងទៀត ក្នុងពន្លឺគ្រប់គ្រាន់។"
    return [
        # Residence certificates: Sokha at the Svay Por sangkat office, Dara at Boeng Keng Kang 1.
        Case(rc, SOKHA, residence(SOKHA, "bank"), (submitted(day(8, "08:40")),), urgency=OVERDUE, assigned=True,
             note="បានទូរស័ព្ទទៅអ្នកដាក់ពាក្យ៖ គាត់នឹងយកសៀវភៅគ្រួសារច្បាប់ដើមមកបង្ហាញនៅថ្ងៃច័ន្ទ។"),
        Case(rc, SOKHA, residence(SOKHA, "employment"), (submitted(hours(3)),)),
        Case(rc, SOKHA, residence(SOKHA, "school", years=12), (submitted(day(1, "09:15")),),
             urgency=DUE_SOON_URGENCY, assigned=True),
        Case(rc, DARA, residence(DARA, "other", purpose_other="ចុះឈ្មោះបោះឆ្នោត", years=3, book="១២១៣០១-២២០៨"),
             (submitted(day(6, "15:30")),), urgency=OVERDUE),
        Case(rc, DARA, residence(DARA, "other", purpose_other="ដាក់ពាក្យសុំអាហារូបករណ៍", years=3,
                                 book="១២១៣០១-២២០៨"),
             (submitted(day(2, "14:20")),), urgency=DUE_SOON_URGENCY, handed_over=True),
        Case(rc, DARA, residence(DARA, "bank", years=3, book="១២១៣០១-២២០៨"), (
            submitted(day(4, "11:05")),
            clerk("request_info", day(1, "10:30"), reason="unreadable_document", message=unreadable,
                  opens=("household_book",)),
        )),
        Case(rc, SOKHA, residence(SOKHA, "bank"),
             (submitted(day(27, "09:00")), supervisor("approve", day(25, "15:10")))),
        Case(rc, SOKHA, residence(SOKHA, "employment", equity_card=True),
             (submitted(day(18, "10:20")), supervisor("approve", day(17, "16:00")))),
        Case(rc, SOKHA, residence(SOKHA, "school", years=12), (
            submitted(day(12, "08:30")),
            clerk("request_info", day(11, "09:45"), reason="name_mismatch",
                  message="ឈ្មោះជាអក្សរឡាតាំងមិនដូចក្នុងអត្តសញ្ញាណប័ណ្ណ។ សូមពិនិត្យ ហើយកែតម្រូវ។",
                  opens=("name_latin", "id_card")),
            resubmitted(day(10, "19:30")),
            supervisor("approve", day(9, "14:00")),
        )),
        Case(rc, DARA, residence(DARA, "employment", years=3, book="១២១៣០១-២២០៨"),
             (submitted(day(22, "13:00")), supervisor("reject", day(20, "10:40"), reason="not_in_book"))),
        # ... and again, once her name was added to the family book.
        Case(rc, DARA, residence(DARA, "employment", years=3, book="១២១៣០១-២២០៨"), (submitted(hours(5)),)),
        Case(rc, DARA, residence(DARA, "bank", years=3, book="១២១៣០១-២២០៨"),
             (submitted(day(6, "08:10")), supervisor("approve", day(5, "11:30")))),
        # Dara's certificate for her parents' home in Siem Reap: routed to the Sla Kram sangkat office, where
        # nobody works yet, so it waits there and shows on the administrator's "Unstaffed offices".
        Case(rc, DARA, residence(DARA, "other", purpose_other="ចុះឈ្មោះបោះឆ្នោតនៅស្រុកកំណើត", years=1,
                                 book="១៧១០០១-០០៣១", address=SIEM_REAP_SLA_KRAM),
             (submitted(day(3, "09:20")),)),

        # Vehicle registrations at the Ministry of Public Works and Transport.
        Case(vr, SOKHA, vehicle(SOKHA, "motorcycle", "Honda", "Dream 125", 2025, "red", "petrol", 125, 2,
                                "MH1JF5133RK123456", "JF51E-1234567", "KH-2025/0012345", "2025-11-02"),
             (submitted(day(7, "09:30")),), urgency=OVERDUE, assigned=True),
        Case(vr, DARA, vehicle(DARA, "car", "Toyota", "Corolla Cross", 2024, "white", "hybrid", 1798, 5,
                               "MR053REH905012345", "2ZR-X204518", "PP-2026/0003418", "2026-01-20"),
             (submitted(day(1, "15:45")),), urgency=DUE_SOON_URGENCY),
        Case(vr, SOKHA, vehicle(SOKHA, "pickup", "Ford", "Ranger XLT", 2023, "grey", "diesel", 1996, 5,
                                "MNCLSFE40MW123456", "YN2S-3021457", "KH-2026/0004021", "2026-02-03"), (
            submitted(day(6, "10:00")),
            clerk("send_to_inspection", day(4, "14:30")),
        ), assigned=True),
        Case(vr, DARA, vehicle(DARA, "motorcycle", "Suzuki", "Smash 115", 2025, "blue", "petrol", 113, 2,
                               "MH8DL11A5RJ104567", "F4A1-1098231", "KH-2025/0019877", "2025-12-14"), (
            submitted(day(9, "08:50")),
            clerk("send_to_inspection", day(8, "11:00")),
            clerk("pass_inspection", day(6, "09:20")),
        ), urgency=OVERDUE),
        Case(vr, SOKHA, vehicle(SOKHA, "tricycle", "Bajaj", "RE Compact", 2024, "blue", "petrol", 236, 4,
                                "MD2A22BX5NCA12345", "AZXWGE12345", "KH-2026/0001177", "2026-01-08"), (
            submitted(day(5, "16:10")),
            clerk("request_info", day(2, "10:15"), reason="number_typo",
                  message="លេខម៉ាស៊ីនក្នុងពាក្យស្នើសុំមិនដូចលេខនៅលើឯកសារគយ។ សូមពិនិត្យលេខនៅលើម៉ាស៊ីន ហើយកែតម្រូវ។",
                  opens=("engine_number",)),
        )),
        Case(vr, DARA, vehicle(DARA, "motorcycle", "Honda", "Scoopy", 2025, "white", "petrol", 110, 2,
                               "MH1JM3117RK305812", "JM31E-3058127", "KH-2025/0015530", "2025-10-28"), (
            submitted(day(28, "09:10")),
            clerk("send_to_inspection", day(26, "10:30")),
            clerk("pass_inspection", day(23, "15:00")),
            supervisor("approve", day(22, "11:15")),
        )),
        Case(vr, SOKHA, vehicle(SOKHA, "car", "Toyota", "Prius", 2018, "silver", "hybrid", 1797, 5,
                                "JTDKN3DU5A0123456", "2ZR-1875520", "KH-2025/0020314", "2025-12-30"), (
            submitted(day(20, "08:45")),
            clerk("send_to_inspection", day(19, "13:40")),
            clerk("pass_inspection", day(15, "10:00")),
            supervisor("approve", day(14, "09:30")),
        )),
        Case(vr, SOKHA, vehicle(SOKHA, "motorcycle", "Yamaha", "NMAX 155", 2024, "black", "petrol", 155, 2,
                                "MH3SG4610RK012345", "G3J4E-0123456", "KH-2025/0017702", "2025-11-19"), (
            submitted(day(16, "10:30")),
            clerk("send_to_inspection", day(15, "09:00")),
            clerk("fail_inspection", day(12, "16:20"), reason="not_presented"),
        )),
        Case(vr, DARA, vehicle(DARA, "motorcycle", "Honda", "Wave 110", 2025, "red", "petrol", 109, 2,
                               "MH1JB9133KK123456", "JB91E-1234599", "KH-2026/0002251", "2026-01-15"), (
            submitted(day(10, "11:40")),
            clerk("send_to_inspection", day(9, "08:30")),
            clerk("pass_inspection", day(6, "14:10")),
            supervisor("approve", day(4, "10:05")),
        )),

        # Business registrations: the spice shop, at the Ministry of Commerce, then the tax department.
        Case(br, SOKHA, business(**SPICE_LIMITED), (submitted(day(7, "10:45")),), urgency=OVERDUE, assigned=True,
             note="បានពិនិត្យឈ្មោះក្នុងបញ្ជីពាណិជ្ជកម្ម៖ មិនមានឈ្មោះដូច ឬស្រដៀងទេ។"),
        Case(br, DARA, business(**SPICE_PARTNERSHIP), (submitted(day(2, "09:05")),), urgency=DUE_SOON_URGENCY),
        Case(br, SOKHA, business(**SPICE_SOLE), (submitted(hours(2)),)),
        Case(br, SOKHA, business(**SPICE_LIMITED), (
            submitted(day(9, "14:00")),
            clerk("recommend", day(6, "11:20")),
        ), urgency=OVERDUE),
        Case(br, DARA, business(**SPICE_LIMITED), (
            submitted(day(6, "08:55")),
            clerk("request_info", day(2, "15:30"), reason="name_taken",
                  message="ឈ្មោះ «ស្រីស្រស់» ស្រដៀងនឹងអាជីវកម្មដែលបានចុះបញ្ជីរួចនៅខេត្តបាត់ដំបង។ "
                          "សូមបន្ថែមពាក្យបញ្ជាក់ ឬជ្រើសរើសឈ្មោះផ្សេង។",
                  opens=("business_name_km", "business_name_en")),
        )),
        Case(br, SOKHA, business(**SPICE_LIMITED), (
            submitted(day(12, "09:40")),
            clerk("recommend", day(10, "10:10")),
            supervisor("approve", day(8, "15:45")),
        ), urgency=OVERDUE, assigned=True),
        Case(br, SOKHA, business(**SPICE_SOLE), (
            submitted(day(6, "13:30")),
            clerk("recommend", day(4, "09:50")),
            supervisor("approve", day(1, "11:00")),
        )),
        Case(br, SOKHA, business(**SPICE_LIMITED), (
            submitted(day(26, "10:00")),
            clerk("recommend", day(24, "14:15")),
            supervisor("approve", day(22, "09:30")),
            clerk("register_tax", day(20, "10:45")),
        )),
        Case(br, DARA, business(**SPICE_PARTNERSHIP), (
            submitted(day(19, "08:30")),
            clerk("request_info", day(18, "10:00"), reason="missing_document",
                  message="កិច្ចសន្យាសហកម្មសិទ្ធិមិនទាន់មានហត្ថលេខារបស់ដៃគូទាំងពីរ។ សូមផ្ញើច្បាប់ដែលបានចុះហត្ថលេខា។",
                  opens=("partnership_agreement",)),
            resubmitted(day(16, "20:15")),
            clerk("recommend", day(15, "09:20")),
            supervisor("approve", day(14, "16:30")),
            clerk("register_tax", day(11, "11:10")),
        )),
        Case(br, SOKHA, business(**{**SPICE_SOLE, "activity": SPICES_AND_KITCHEN,
                                    "sectors": ["trade", "accommodation_food"]}), (
            submitted(day(15, "11:00")),
            clerk("recommend", day(13, "10:30")),
            supervisor("reject", day(12, "14:40"), reason="prohibited_activity",
                       message="ការលក់ម្ហូបអាហារត្រូវមានលិខិតអនុញ្ញាតពីក្រសួងសុខាភិបាលជាមុនសិន។"),
        )),

        # Monthly tax returns of the spice shop at the General Department of Taxation.
        Case(tf, SOKHA, tax_return(months_before(today, 2), 41_500_000, 27_800_000),
             (submitted(day(6, "15:20")),), urgency=OVERDUE, assigned=True),
        Case(tf, DARA, tax_return(months_before(today, 1), 45_000_000, 30_000_000),
             (submitted(day(1, "10:30")),), urgency=DUE_SOON_URGENCY),
        Case(tf, SOKHA, tax_return(months_before(today, 3), 38_200_000, 0), (submitted(hours(4)),)),
        Case(tf, SOKHA, tax_return(months_before(today, 4), 52_750_000, 61_000_000, 1_250_000), (
            submitted(day(4, "09:00")),
            clerk("request_info", day(2, "11:45"), reason="figures_unclear",
                  message="ការទិញជាប់អាករខ្ពស់ជាងចំណូលក្នុងខែនេះ។ សូមភ្ជាប់ទិន្នានុប្បវត្តិទិញលម្អិត ឬកែតួលេខ។",
                  opens=("purchases", "purchase_journal")),
        )),
        Case(tf, SOKHA, tax_return(months_before(today, 5), 39_900_000, 25_100_000),
             (submitted(day(29, "14:00")), clerk("acknowledge", day(27, "10:20")))),
        Case(tf, DARA, tax_return(months_before(today, 6), 36_400_000, 22_000_000), (
            submitted(day(24, "09:10")),
            clerk("request_info", day(23, "15:00"), reason="journal_mismatch",
                  message="ទិន្នានុប្បវត្តិលក់មិនស៊ីនឹងចំណូលដែលបានប្រកាស។ សូមផ្ញើទិន្នានុប្បវត្តិដែលបានកែ។",
                  opens=("sales_journal",)),
            resubmitted(day(21, "18:40")),
            clerk("acknowledge", day(20, "09:35")),
        )),
        Case(tf, SOKHA, tax_return(months_before(today, 6), 36_400_000, 22_000_000),
             (submitted(day(21, "08:20")), supervisor("reject", day(20, "11:00"), reason="duplicate_period"))),
        Case(tf, SOKHA, tax_return(months_before(today, 7), 33_000_000, 18_600_000),
             (submitted(day(14, "16:50")), clerk("acknowledge", day(13, "10:40")))),
        Case(tf, DARA, tax_return(months_before(today, 8), 31_250_000, 19_900_000),
             (submitted(day(8, "10:05")), clerk("acknowledge", day(6, "14:25")))),
    ]


# --- small documents to attach ----------------------------------------------------------------------


def document_bytes(title: str, holder: str, pdf: bool) -> bytes:
    """A small grey page that says what it stands for, as a PNG or a one-page PDF (Pillow writes both).
    Small and grey on purpose: the document store re-encodes every image it is given."""
    image = Image.new("L", (420, 260), 250)
    draw = ImageDraw.Draw(image)
    draw.rectangle((6, 6, 413, 253), outline=40, width=3)
    draw.text((24, 22), "DEMO DOCUMENT", fill=0, font=ImageFont.load_default(size=22))
    small = ImageFont.load_default(size=16)
    draw.multiline_text((24, 70), textwrap.fill(title, 44), fill=20, font=small, spacing=6)
    draw.text((24, 220), holder, fill=60, font=small)
    out = io.BytesIO()
    image.save(out, "PDF" if pdf else "PNG")
    return out.getvalue()


class Files:
    """Each owner's file for a requirement, stored once and attached wherever they need it again, as a
    person picks it from My documents."""

    def __init__(self) -> None:
        self._stored: dict[tuple, Document] = {}

    def for_requirement(self, requirement: DocumentRequirement, *, person, organisation, at: datetime):
        owner = ("organisation", organisation.id) if organisation else ("person", person.id)
        document = self._stored.get((owner, requirement.id))
        if document is None:
            pdf = "png" not in requirement.accept
            holder = organisation.name_en if organisation else person.name_latin
            data = document_bytes(requirement.label["en"], holder or "", pdf)
            document = get_document_store().add_upload(
                data, f"{requirement.id.replace('_', '-')}.{'pdf' if pdf else 'png'}", created_by=person,
                owner_person=None if organisation else person, owner_organisation=organisation,
                max_bytes=requirement.max_mb * MB, accept=tuple(KINDS[kind] for kind in requirement.accept),
            )
            self._stored[(owner, requirement.id)] = document
        document.created_at = min(document.created_at or naive(at), naive(at))
        return document


def required_documents(service: Service, answers: dict) -> list[DocumentRequirement]:
    values = values_for(DOCUMENTS, service, answers)
    return [r for r in service.documents
            if r.required or (r.required_when is not None and r.required_when.is_true(values))]


# --- making the cases -------------------------------------------------------------------------------


def naive(moment: datetime) -> datetime:
    """As the database keeps times: UTC without a zone."""
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass
class DemoPeople:
    sokha: Person
    dara: Person
    shop: Organisation
    staff: Mapping[tuple[str, str], Person]  # (agency slug, role) -> the demo clerk or supervisor

    def applicant(self, key: str):
        return self.sokha if key == SOKHA else self.dara


@dataclass(frozen=True)
class Summary:
    created: int
    total: int


def existing(people: DemoPeople) -> set[int]:
    """Ids of the submitted applications the demo citizens (or their shop) have."""
    found = set()
    for person in (people.sokha, people.dara):
        found |= {a.id for a in application_data.list_for_applicant(person) if a.state != journey.DRAFT}
    return found


def load(people: DemoPeople, now: datetime | None = None) -> Summary:
    """Make the demo cases unless the demo citizens already have applications; the caller commits."""
    already = existing(people)
    if already:
        return Summary(created=0, total=len(already))
    now = now or clock.now()
    maker = CaseMaker(people, now)
    stories = cases(now.astimezone(PHNOM_PENH).date())
    for story in sorted(stories, key=lambda s: s.steps[0].at.at(now)):
        maker.make(story)
    return Summary(created=len(stories), total=len(existing(people)))


@dataclass
class CaseMaker:
    people: DemoPeople
    now: datetime
    calendar: WorkingCalendar = field(default_factory=load_calendar)
    files: Files = field(default_factory=Files)

    def make(self, story: Case):
        catalogue = get_catalogue()
        service = catalogue.get(story.service)
        person = self.people.applicant(story.applicant)
        shop = self.people.shop if not for_persons(service.audience) else None
        moments = [step.at.at(self.now) for step in story.steps]
        if moments != sorted(moments) or moments[-1] >= self.now:
            raise ValueError(f"demo case {story.service}: its steps must be in order and in the past")

        application = journey.start(service, person, shop)
        journey.save_answers(application, story.answers)
        for requirement in required_documents(service, story.answers):
            document = self.files.for_requirement(requirement, person=person, organisation=shop, at=moments[0])
            application_data.attach(application, requirement.id, document.id)
        gaps = display.missing(service, journey.visible_steps(service, story.answers), story.answers,
                               {a.requirement_id for a in application.attachments})
        if gaps:
            raise ValueError(f"demo case {story.service}: answers or documents missing: {gaps}")

        for index, (step, moment) in enumerate(zip(story.steps, moments, strict=True)):
            self._take(service, application, person, step, moment, last=index == len(story.steps) - 1)
        agency = application.current_agency
        if story.assigned and agency:
            queues.set_assignee(application, application.assignee_id, self.people.staff[(agency, CLERK)].id)
        note = None
        if story.note and agency:
            note = case_notes.write(application, self.people.staff[(agency, CLERK)], case_notes.INTERNAL, story.note)
        self._backdate(application, story, moments, note)
        if story.handed_over and agency:
            self._hand_over(service, application, self.people.staff[(agency, CLERK)], moments[-1])
        return application

    def _hand_over(self, service: Service, application, clerk_person, after: datetime) -> None:
        """The clerk marks what the decision needs and hands the case over, as on the case page."""
        actor = transitions.actor_for(clerk_person, False)
        missing = engine.hand_over_missing(service, transitions.snapshot(service, application), actor,
                                           handed_over=False) or ()
        for fact in missing:
            if fact == "paid":
                self._pay_at_counter(service, application, clerk_person)
            else:
                case_records.mark_fact(application, clerk_person, fact, application.state)
        case_records.hand_over(service, application, clerk_person, actor,
                               transitions.snapshot(service, application), application.state)
        moment = naive(min(after + timedelta(hours=3), self.now - timedelta(minutes=40)))
        db.session.expire(application, ["events"])
        for event in application.events:
            if case_records.is_record(event):
                event.at = moment

    def _take(self, service: Service, application, person, step: Step, moment: datetime, *, last: bool) -> None:
        snapshot = transitions.snapshot(service, application)
        if step.action == engine.SUBMIT:
            actor_person = person
            decision = engine.submit(service, snapshot, transitions.actor_for(person, True), now=moment,
                                     calendar=self.calendar)
        else:
            actor_person = person if step.by == APPLICANT else self.people.staff[(application.current_agency, step.by)]
            # The clerk records the payment and the checked documents before an action that needs them.
            for fact in self._facts_needed(service, application.state, step.action):
                if fact == "paid":  # at the counter, recorded by the office's clerk
                    self._pay_at_counter(service, application,
                                         self.people.staff[(application.current_agency, CLERK)])
                else:
                    queues.mark_fact(application, fact, application.state)
            decision = engine.decide(
                service, transitions.snapshot(service, application),
                transitions.actor_for(actor_person, step.by == APPLICANT), step.action, now=moment,
                reason_id=step.reason, reason_text=step.message, editable_fields=step.opens, calendar=self.calendar,
            )
        # No certificates; and only a request the applicant still has to answer tells them so.
        waiting_for_applicant = last and decision.request_info is not None
        decision = dataclasses.replace(
            decision, outputs=(), notifications=decision.notifications if waiting_for_applicant else ())
        transitions.apply(service, application, decision, actor_person)
        if step.action == engine.SUBMIT:
            payment_assessments.freeze(service, application)
            payment_account.sync_paid(service, application)

    def _pay_at_counter(self, service: Service, application, clerk_person) -> None:
        """What a guarded step needs paid, paid at the counter in cash, as a clerk records it."""
        owed = payment_account.account(service, application)
        for currency, amount in (owed.due.items() if owed else ()):
            counter.record(service, application, clerk_person, amount_minor=amount, currency=currency,
                           method="counter_cash", receipt_number=f"DEMO-{application.reference}-{currency}")

    @staticmethod
    def _facts_needed(service: Service, state: str, action: str) -> list[str]:
        guards = {g for t in service.workflow.transitions if t.action == action and state in t.sources
                  for g in t.guards}
        return [fact for fact in STAFF_FACTS if fact in guards]

    def _backdate(self, application, story: Case, moments: list[datetime], note) -> None:
        """The data layer stamped every row with the time of loading; give them the story's moments."""
        first, last = moments[0], moments[-1]
        application.created_at = naive(first - timedelta(minutes=25))
        application.submitted_at = naive(first)
        application.updated_at = naive(last)
        db.session.expire(application, ["events", "attachments"])  # read them as written
        for attachment in application.attachments:
            attachment.attached_at = naive(first - timedelta(minutes=10))
        steps = [e for e in application.events if not case_records.is_record(e)]
        for event, moment in zip(steps, moments, strict=True):
            event.at = naive(moment)
        moment = first
        for event in application.events:  # a payment recorded before a step: just before it
            if case_records.is_record(event):
                event.at = naive(moment - timedelta(minutes=5))
            else:
                moment = event.at + timedelta(minutes=10)
        # The ledger says when each payment was taken as its case event does (the finance page's days).
        taken = {e.details["payment"]: e.at for e in application.events
                 if case_records.is_record(e) and e.details and e.details.get("payment")}
        for payment in payment_data.for_application(application.id):
            payment.recorded_at = taken.get(payment.public_id, payment.recorded_at)
        if note is not None:
            note.at = naive(min(last + timedelta(hours=2), self.now - timedelta(minutes=30)))
        link = f"/applications/{application.public_id}"
        for message in notifications.inbox(application.applicant_person_id):
            if message.link == link:
                message.created_at = naive(last)
        if application.due_at is not None:
            application.due_at = naive(self._due(story.urgency, application.due_at.replace(tzinfo=UTC)))

    def _due(self, urgency: str | None, natural: datetime) -> datetime:
        """The due date the engine gave, unless the story needs it overdue or due within a day now."""
        local_now = self.now.astimezone(PHNOM_PENH)
        if urgency == OVERDUE:
            if natural < self.now - timedelta(hours=1):
                return natural
            day_ = local_now.date() - timedelta(days=1)
            while not self.calendar.is_working_day(day_):
                day_ -= timedelta(days=1)
            return datetime.combine(day_, time(17), tzinfo=PHNOM_PENH)
        if urgency == DUE_SOON_URGENCY:
            # Close of business today, or 09:00 tomorrow when today's has (nearly) passed: 1 to 17 hours away.
            if local_now.time() < time(16):
                return datetime.combine(local_now.date(), time(17), tzinfo=PHNOM_PENH)
            return datetime.combine(local_now.date() + timedelta(days=1), time(9), tzinfo=PHNOM_PENH)
        if natural < self.now + DUE_SOON + timedelta(hours=2):
            return self.calendar.add_working_days(self.now, 2)
        return natural

