"""Typed, immutable views of what `services/` holds. Built by `loader.py`, used by the engine,
the form builder and the web; nothing here reads files or knows about Flask."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from portal.domain.catalogue.expressions import Expression
from portal.domain.catalogue.fee_rules import FeeRule

Text = dict[str, str]  # {"km": ..., "en": ...}

ROLES = ("clerk", "supervisor")
APPLICANT = "applicant"
# The audiences a person applies in for themselves, with their own account: a citizen, or a foreign resident
# (who has no Khmer national ID; nothing on the way to applying asks for one). `business` is an organisation.
PERSON_AUDIENCES = ("citizen", "foreign_resident")


def for_persons(audience) -> bool:
    """Whether a person may apply for themselves for a service with this `audience`."""
    return any(who in PERSON_AUDIENCES for who in audience)


@dataclass(frozen=True)
class Agency:
    slug: str
    kind: str
    name: Text
    commune_code: str | None = None
    # The place a local office serves and those above it (portal/domain/catalogue/offices.py); None for
    # ministries and departments. A commune office has all three, a district office two, a province one.
    district_code: str | None = None
    province_code: str | None = None
    # What the office's issued documents carry beside the signature (agencies.yaml, docs/services.md):
    seal: str | None = None  # an SVG or PNG under services/, e.g. "seals/demo-ministry.svg"
    signatory_title: Text | None = None  # printed under the signature
    signatory_name: Text | None = None  # only when no staff member took the issuing step
    # Where people find the office, shown on the contact page when the definition gives them.
    address: Text | None = None
    hours: Text | None = None
    phone: str | None = None
    # Roles beside clerk, supervisor and cashier, its kind's included (agency_roles.AgencyRole; agencies.yaml)
    roles: tuple[Any, ...] = ()

    @property
    def is_commune_office(self) -> bool:
        return is_commune_office(self)

    @property
    def is_routing_placeholder(self) -> bool:
        return is_routing_placeholder(self)

    @property
    def is_local_office(self) -> bool:
        """A commune, sangkat, district, khan, municipal, province or capital office (not the placeholder)."""
        return self.kind in LOCAL_OFFICE_KINDS and not self.is_routing_placeholder


# What the portal records about each application: guards may name the staff facts alone
# (`guards: [paid]`). Staff mark them on the case page. Which expressions may read which names:
# `portal.domain.expression_contexts`.
STAFF_FACTS = ("paid", "documents_checked")

# `commune-office` in a definition stands for "the commune or sangkat office of the application's
# address": a routing placeholder, not an office. Each application is routed to a real office (one
# with a commune code); nobody works at the placeholder itself.
ROUTED_COMMUNE_OFFICE = "commune-office"
COMMUNE_OFFICE_KIND = "commune_office"
DISTRICT_OFFICE_KIND = "district_office"  # a district (srok), khan or municipality (krong)
PROVINCE_OFFICE_KIND = "province_office"  # a province or the capital
LOCAL_OFFICE_KINDS = (COMMUNE_OFFICE_KIND, DISTRICT_OFFICE_KIND, PROVINCE_OFFICE_KIND)
# The routing placeholders, each for the office of one level of the deciding address (routing.py):
# built into the format, so agencies.yaml need not list them (it lists `commune-office` for its name).
ROUTED_DISTRICT_OFFICE = "district-office"
ROUTED_PROVINCE_OFFICE = "province-office"
PLACEHOLDER_LEVELS = {ROUTED_COMMUNE_OFFICE: COMMUNE_OFFICE_KIND, ROUTED_DISTRICT_OFFICE: DISTRICT_OFFICE_KIND,
                      ROUTED_PROVINCE_OFFICE: PROVINCE_OFFICE_KIND}


def is_commune_office(agency) -> bool:
    """A real commune or sangkat office (a catalogue `Agency` or an `agencies` row): it has a commune."""
    return agency.kind == COMMUNE_OFFICE_KIND and bool(agency.commune_code)


def is_routing_placeholder(agency) -> bool:
    """A placeholder that stands for the commune, district or province office of the application's address."""
    return agency.slug in PLACEHOLDER_LEVELS or (agency.kind == COMMUNE_OFFICE_KIND and not agency.commune_code)


@dataclass(frozen=True)
class Category:
    slug: str
    name: Text


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class Field:
    id: str
    type: str
    label: Text
    hint: Text | None = None
    required: bool = False
    required_when: Expression | None = None
    show_when: Expression | None = None
    prefill: str | None = None  # e.g. "profile.name_km"
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: Text | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    currencies: tuple[str, ...] = ("KHR", "USD")  # money fields
    options: tuple[Option, ...] = ()
    options_from: str | None = None  # the list (services/lists/) the options were read from
    fields: tuple[Field, ...] = ()  # a group's fields, repeated for each item
    min_items: int = 0
    max_items: int = 20
    accept: tuple[str, ...] = ("pdf", "jpeg", "png")  # file fields
    max_mb: int = 5
    not_in_future: bool = False  # date fields
    not_in_past: bool = False

    def option_label(self, value: str) -> Text | None:
        return next((o.label for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: when `check` is false, `message` is shown at `field`."""

    check: Expression
    message: Text
    field: str


@dataclass(frozen=True)
class Step:
    id: str
    title: Text
    fields: tuple[Field, ...]
    intro: Text | None = None
    show_when: Expression | None = None
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Computed:
    id: str
    label: Text
    expression: Expression
    currency: str | None = None


@dataclass(frozen=True)
class DocumentRequirement:
    id: str
    label: Text
    accept: tuple[str, ...]
    max_mb: int
    required: bool = False
    required_when: Expression | None = None
    hint: Text | None = None


@dataclass(frozen=True)
class Fee:
    id: str
    label: Text
    amounts: dict[str, Decimal]  # currency code -> amount; KHR and/or USD
    note: Text | None = None
    when: Expression | None = None  # charged only when true
    per: str | None = None  # a group or integer field: the amount is charged per item
    # A computed fee (a rate per unit, a percent, tiers): `amounts` is then empty. See fee_rules.py.
    rule: FeeRule | None = None


@dataclass(frozen=True)
class Waiver:
    id: str
    label: Text
    when: Expression
    fees: tuple[str, ...]  # the fee ids it waives


@dataclass(frozen=True)
class Reason:
    id: str
    label: Text


@dataclass(frozen=True)
class State:
    id: str
    label: Text  # what the applicant reads
    staff_label: Text | None = None
    actor: str | None = None  # "applicant" or "<agency>.<role>": who acts next
    agency: str | None = None  # the agency whose queue it is in
    sla_working_days: int | None = None
    terminal: bool = False
    issue: tuple[str, ...] = ()  # outputs issued on entering it


@dataclass(frozen=True)
class Transition:
    action: str
    label: Text
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]  # "applicant" or "<agency>.<role>"
    guards: tuple[str, ...] = ()  # "paid", "documents_checked", or an expression
    guard_expressions: tuple[Expression, ...] = ()
    reason_required: bool = False
    reasons: tuple[Reason, ...] = ()
    request_info: bool = False  # the clerk chooses fields and documents the applicant may change
    requires: tuple[str, ...] = ()  # staff steps whose required fields must be filled first (staff_steps.py)


@dataclass(frozen=True)
class Workflow:
    start: str
    states: dict[str, State]
    transitions: tuple[Transition, ...]


@dataclass(frozen=True)
class Output:
    id: str
    template: str  # relative to the service folder
    title: Text
    data: dict[str, Expression]
    valid_for_days: int | None = None
    kind: str = "issued"  # issued or receipt
    # The issuing office when it is not the one whose officer took the last staff step (one of the
    # service's agencies, `commune-office` for the routed one).
    issued_by: str | None = None
    # Instead of valid_for_days: the expiry date, from the values `data` sees (catalogue.validity).
    valid_until: Expression | None = None
    # Whom the document is about when not the applicant: per language, the expressions giving the parts of
    # the name (catalogue.subjects).
    subject: dict[str, tuple[Expression, ...]] | None = None
    # How many documents to issue, each numbered "copy 1 of 3" (catalogue.copies); None: one, not numbered.
    copies: Expression | None = None
    # The `documents:` entry whose uploaded image the document shows (catalogue.photos).
    photo: str | None = None


@dataclass(frozen=True)
class NotificationRule:
    on: tuple[str, ...]  # state ids
    to: str  # "applicant"
    channels: tuple[str, ...]


@dataclass(frozen=True)
class Period:
    """What time an application is about (a tax month): the year from an integer field and, if given,
    the month from a choice field whose values are `01` to `12` (without one, the period is the year)."""

    year: str  # field id
    month: str | None = None  # field id
    must_have_ended: bool = False  # refuse a period that has not ended yet


@dataclass(frozen=True)
class OncePerApplicant:
    """An applicant (a person, or a business) may have one application with the same answers to
    `fields` (a tax return per month): a second is refused with `message`. Drafts and withdrawn
    applications never count, nor those in `except_states` (a refused return may be filed again)."""

    fields: tuple[str, ...]
    message: Text
    except_states: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    slug: str
    version: int
    status: str  # draft, live, retired
    audience: tuple[str, ...]  # citizen, business and/or foreign_resident
    agencies: tuple[str, ...]  # in the order they handle an application
    category: str
    title: Text
    summary: Text
    eligibility: Text
    requirements: tuple[Text, ...]
    processing_working_days: int
    fees: tuple[Fee, ...]
    legal_basis: Text
    source: str  # the file it was read from, for messages
    reference_prefix: str = "OW"
    # The fields whose answers name who (or which business) the application is about, in this order:
    # what staff see in the queue, on the case and the receipt, and search by.
    name_fields: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    staff_steps: tuple[Any, ...] = ()  # portal.domain.catalogue.staff_steps.StaffStep: what staff fill in
    computed: tuple[Computed, ...] = ()
    documents: tuple[DocumentRequirement, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    workflow: Workflow | None = None
    outputs: dict[str, Output] = field(default_factory=dict)
    notifications: tuple[NotificationRule, ...] = ()
    retention_years: int = 10  # applications (answers, history) are kept this long after they end
    documents_retention_years: int = 10  # uploaded and issued documents
    # After retention_years: reduce the application to reference, service, dates and outcome (kept for good)
    # instead of removing it (portal.domain.retention).
    keep_record: bool = False
    period: Period | None = None
    once_per_applicant: OncePerApplicant | None = None
    # A citizen alone at an enrolled kiosk may apply without an account (a guest, issue 14; docs/kiosks.md).
    without_account: bool = False
    # placeholder -> its `routing.Route` (routing.py; not imported here: routing reads this module)
    routing: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""  # of the YAML and its document templates (catalogue/snapshots.py)
    raw: str = ""  # the YAML text, kept so an application's version survives later edits
    templates: dict[str, str] = field(default_factory=dict)  # the text of each template its outputs name
    # processing_time.by/options: days per option of a choice (catalogue/processing_time.ProcessingByOption)
    processing_by: Any = None

    def working_days_for(self, answers: dict | None) -> int:
        """This application's processing time: by the option it answered (`processing_time.by`), else the default."""
        if self.processing_by is None:
            return self.processing_working_days
        return self.processing_by.days_for(answers, self.processing_working_days)

    @property
    def processing_range(self) -> tuple[int, int]:
        """The fewest and most working days any application takes (the same when they do not differ)."""
        if self.processing_by is None:
            return self.processing_working_days, self.processing_working_days
        return self.processing_by.range(self.processing_working_days)

    @property
    def is_listed(self) -> bool:
        return self.status == "live"

    @property
    def takes_applications(self) -> bool:
        return self.status == "live" and self.workflow is not None and bool(self.steps)

    def field(self, field_id: str) -> Field | None:
        return next((f for s in self.steps for f in s.fields if f.id == field_id), None)

    def all_fields(self) -> list[Field]:
        return [f for s in self.steps for f in s.fields]


@dataclass(frozen=True)
class Catalogue:
    services: tuple[Service, ...]
    agencies: dict[str, Agency]  # the agencies services/agencies.yaml lists, by slug
    categories: dict[str, Category]
    # Every commune, district and province office, generated from the address data (offices.py) when first
    # asked for; those `agencies` lists for a place stand in for the generated ones.
    offices: Any = None
    lists: Any = None  # the lists `options_from` names (lists.py): documents write their labels

    def agency(self, slug: str | None) -> Agency | None:
        """Any agency by slug: one agencies.yaml lists, or a generated local office."""
        if not slug:
            return None
        listed = self.agencies.get(slug)
        if listed is not None or self.offices is None:
            return listed
        return self.offices.get(slug)

    def all_agencies(self) -> list[Agency]:
        """Every agency: those agencies.yaml lists, then every generated local office none of them replaces."""
        listed = list(self.agencies.values())
        if self.offices is None:
            return listed
        return listed + [office for office in self.offices if office.slug not in self.agencies]

    def live(self) -> list[Service]:
        return [s for s in self.services if s.is_listed]

    def get(self, slug: str) -> Service | None:
        return next((s for s in self.services if s.slug == slug), None)
