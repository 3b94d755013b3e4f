"""The four real services and the fifth, written only in YAML: they load and validate, their workflows
hold together, their fees, rules and tax figures come out right on realistic answers, their documents
render in Khmer and English, and a broken copy fails with the file and the path of the mistake."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from portal.domain.applications.fees import fee_lines, totals
from portal.domain.applications.transitions import signatory
from portal.domain.applications.values import expression_values
from portal.domain.catalogue import DefinitionError, Service, load_catalogue
from portal.domain.i18n.khmer import WORD_JOINER, break_html_text
from portal.domain.rendering.documents import get_renderer, render_html
from portal.paths import PROJECT_ROOT
from tests.service_roots import edit_definition as edit
from tests.service_roots import services_root

SERVICES = PROJECT_ROOT / "services"
FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "services"
# Every folder with a service.yaml: a new one is tested without being named here.
FOLDERS = sorted(path.parent.name for path in SERVICES.glob("*/service.yaml"))

SVAY_POR = {"province": "02", "district": "0203", "commune": "020310", "village": "02031001",
            "street": "ផ្ទះលេខ ១២ ផ្លូវលេខ ៣"}
BOENG_KENG_KANG = {"province": "12", "district": "1213", "commune": "121301", "village": "12130103",
                   "street": "ផ្ទះលេខ ៤៥ ផ្លូវលេខ ២៧៨"}

# Realistic answers for each service, as the applicant journey stores them.
ANSWERS = {
    "residence-certificate": {
        "name_km": "សុខ ចាន់ធី", "name_latin": "SOK CHANTHY", "date_of_birth": "1990-04-13",
        "national_id": "010203040", "phone": "+85512345678", "address": SVAY_POR, "years": 12,
        "book_type": "family_book", "book_number": "0203-1001-0457", "purpose": "bank", "equity_card": "no",
        "declaration": True,
    },
    "business-registration": {
        "business_name_km": "ក្រុមហ៊ុន អង្គរ ឌីជីថល ឯ.ក", "business_name_en": "Angkor Digital Co., Ltd.",
        "business_type": "private_limited", "sectors": ["ict", "professional"],
        "main_activity_km": "ការអភិវឌ្ឍកម្មវិធីកុំព្យូទ័រ និងសេវាប្រឹក្សាបច្ចេកវិទ្យាព័ត៌មាន",
        "main_activity_en": "Software development and IT consulting",
        "registered_address": BOENG_KENG_KANG, "premises_tenure": "rented",
        "capital": {"amount": "20000000", "currency": "KHR"}, "employees": 12,
        "owners": [
            {"nationality": "kh", "name_km": "ចាន់ សុភា", "name_latin": "CHAN SOPHEA", "national_id": "110223344",
             "share": 60},
            {"nationality": "jp", "name_latin": "TANAKA HIROSHI", "passport_number": "TZ1234567", "share": 40},
        ],
        "phone": "+85523987654", "email": "info@angkordigital.com.kh", "declaration": True,
    },
    "tax-filing": {
        "taxpayer_name_km": "ក្រុមហ៊ុន អង្គរ ឌីជីថល ឯ.ក", "taxpayer_name_en": "Angkor Digital Co., Ltd.",
        "tin": "K001-901234567", "month": "10", "year": 2026,
        "turnover": {"amount": "20000000", "currency": "KHR"},
        "purchases": {"amount": "8000000", "currency": "KHR"},
        "credit_brought_forward": {"amount": "500000", "currency": "KHR"}, "declaration": True,
    },
    "vehicle-registration": {
        "owner_type": "person", "owner_name_km": "ហេង វណ្ណា", "owner_name_latin": "HENG VANNA",
        "owner_national_id": "020304050", "owner_address": SVAY_POR, "phone": "+85516222333",
        "vehicle_type": "motorcycle", "make": "Honda", "model": "Dream 125", "year": 2024, "colour": "black",
        "fuel": "petrol", "engine_cc": 125, "seats": 2, "chassis_number": "MH1JB9133RK123456",
        "engine_number": "JB91E-1234567", "customs_document_number": "PP-2024/015873",
        "purchase_date": "2024-11-02", "declaration": True,
    },
    "market-stall-permit": {
        "name_km": "ស្រី ពៅ", "name_latin": "SREY POV", "national_id": "030405060", "phone": "+85597111222",
        "market": "orussey", "stall_number": "B12", "goods": "សម្លៀកបំពាក់កុមារ", "months": 3,
        "equity_card": "no", "declaration": True,
    },
}
ROUTED = {"commune-office": "sangkat-svay-por"}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(SERVICES)


@pytest.fixture(scope="module")
def fixture_catalogue():
    return load_catalogue(FIXTURE)


def all_services(catalogue, fixture_catalogue) -> list[Service]:
    return [*catalogue.services, *fixture_catalogue.services]


@pytest.fixture
def services(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(SERVICES, root)
    return root


def values(service: Service, answers: dict, **facts) -> dict:
    return expression_values(service, answers, facts)


def fees_for(service: Service, answers: dict) -> dict[str, Decimal]:
    return totals(fee_lines(service, answers))


# --- loading and validating ----------------------------------------------------------------------------


class TestTheRealServicesLoad:
    def test_every_folder_loads_and_takes_applications(self, catalogue):
        assert FOLDERS and sorted(s.slug for s in catalogue.services) == FOLDERS
        for service in catalogue.services:
            assert service.takes_applications, service.slug
            assert service.outputs and service.notifications and service.documents, service.slug

    def test_each_has_its_own_reference_prefix_and_agencies_in_order(self, catalogue):
        prefixes = [s.reference_prefix for s in catalogue.services]
        assert len(set(prefixes)) == len(prefixes)
        assert catalogue.get("business-registration").agencies == ("moc", "gdt")  # received first, then taxed

    def test_flask_services_validate_passes_on_them(self, app):
        result = app.test_cli_runner().invoke(args=["services", "validate"])
        assert result.exit_code == 0, result.output
        for slug in FOLDERS:
            # Any version: raising it is how a definition changes (docs/services.md, section 10).
            assert re.search(rf"ok  services/{slug}/service\.yaml  \(version \d+, live\)", result.output)

    def test_the_fifth_service_loads_from_its_own_services_root(self, fixture_catalogue):
        service = fixture_catalogue.get("market-stall-permit")
        assert service is not None and service.takes_applications
        assert service.agencies == ("phnom-penh-capital",)
        assert "phnom-penh-capital" in fixture_catalogue.agencies
        assert len(service.workflow.states) == 2

    def test_flask_services_validate_passes_on_the_fifth_service(self, app):
        with services_root(app, FIXTURE):
            result = app.test_cli_runner().invoke(args=["services", "validate"])
        assert result.exit_code == 0, result.output
        assert "ok  services/market-stall-permit/service.yaml  (version 1, live)" in result.output


class TestWorkflowsHoldTogether:
    """What the shipped services keep beyond what the loader checks of every workflow (every state
    reached, left unless terminal, and on a road to an ending: tests/unit/test_workflow_wholeness.py)."""

    def test_every_output_is_issued_and_every_issuing_state_is_terminal(self, catalogue, fixture_catalogue):
        for service in all_services(catalogue, fixture_catalogue):
            issued = {o for s in service.workflow.states.values() for o in s.issue}
            assert issued == set(service.outputs), service.slug
            assert all(s.terminal for s in service.workflow.states.values() if s.issue), service.slug

    def test_staff_states_have_a_deadline_and_the_applicants_turn_has_none(self, catalogue, fixture_catalogue):
        for service in all_services(catalogue, fixture_catalogue):
            for state in service.workflow.states.values():
                if state.terminal:
                    continue
                if state.actor == "applicant":
                    assert state.sla_working_days is None, f"{service.slug}: {state.id}"
                else:
                    assert state.sla_working_days, f"{service.slug}: {state.id}"

    def test_the_deadlines_fit_in_the_advertised_processing_time(self, catalogue):
        for service in catalogue.services:
            longest = longest_staff_path(service, service.workflow.start, frozenset())
            assert longest <= service.processing_working_days, service.slug

    def test_every_agency_of_a_service_has_work_in_it(self, catalogue, fixture_catalogue):
        for service in all_services(catalogue, fixture_catalogue):
            acting = {role.split(".")[0] for t in service.workflow.transitions for role in t.roles if "." in role}
            assert acting == set(service.agencies), service.slug

    def test_the_applicant_is_told_of_every_request_for_information_and_every_ending(self, catalogue):
        for service in catalogue.services:
            told = {state for rule in service.notifications for state in rule.on}
            asking = {t.target for t in service.workflow.transitions if t.request_info}
            endings = {s.id for s in service.workflow.states.values() if s.terminal}
            assert asking | endings <= told, service.slug

    def test_a_request_for_information_has_a_way_back_and_says_why(self, catalogue):
        for service in catalogue.services:
            for transition in service.workflow.transitions:
                if transition.request_info:
                    assert transition.reason_required and transition.reasons, service.slug
                    back = [t for t in service.workflow.transitions if transition.target in t.sources]
                    assert back and all(t.roles == ("applicant",) for t in back), service.slug

    def test_approvals_need_payment_in_every_service_with_fees(self, catalogue):
        for service in catalogue.services:
            if not service.fees:
                continue
            finishing = [t for t in service.workflow.transitions if service.workflow.states[t.target].issue]
            assert finishing and all("paid" in t.guards for t in finishing), service.slug


def longest_staff_path(service: Service, state: str, visited: frozenset[str]) -> int:
    """Working days of the slowest path through staff states without going round a loop."""
    here = service.workflow.states[state]
    if here.terminal or state in visited:
        return 0
    days = here.sla_working_days or 0
    onward = [longest_staff_path(service, t.target, visited | {state})
              for t in service.workflow.transitions if state in t.sources]
    return days + max(onward, default=0)


# --- fees, rules, conditions and computed values on realistic answers ------------------------------------


class TestFees:
    @pytest.mark.parametrize(
        ("business_type", "expected"),
        [("sole_proprietorship", 420000 + 400000), ("partnership", 1120000 + 1200000),
         ("private_limited", 1120000 + 1200000), ("public_limited", 1120000 + 3000000)],
    )
    def test_business_registration_charges_by_type_of_business(self, catalogue, business_type, expected):
        service = catalogue.get("business-registration")
        answers = {**ANSWERS["business-registration"], "business_type": business_type}
        assert fees_for(service, answers) == {"KHR": Decimal(expected)}

    @pytest.mark.parametrize(
        ("vehicle_type", "expected"),
        [("motorcycle", 150000), ("tricycle", 200000), ("car", 1600000), ("pickup", 1600000),
         ("truck", 2400000), ("bus", 2400000)],
    )
    def test_vehicle_registration_charges_by_type_of_vehicle(self, catalogue, vehicle_type, expected):
        service = catalogue.get("vehicle-registration")
        answers = {**ANSWERS["vehicle-registration"], "vehicle_type": vehicle_type}
        assert fees_for(service, answers) == {"KHR": Decimal(expected)}

    def test_the_residence_certificate_is_free_for_equity_card_holders(self, catalogue):
        service = catalogue.get("residence-certificate")
        assert fees_for(service, ANSWERS["residence-certificate"]) == {"KHR": Decimal(10000)}
        assert fees_for(service, {**ANSWERS["residence-certificate"], "equity_card": "yes"}) == {}

    def test_tax_filing_is_free(self, catalogue):
        assert fees_for(catalogue.get("tax-filing"), ANSWERS["tax-filing"]) == {}

    def test_the_market_stall_rent_is_charged_per_month_and_the_waiver_spares_only_the_application_fee(
        self, fixture_catalogue
    ):
        service = fixture_catalogue.get("market-stall-permit")
        answers = ANSWERS["market-stall-permit"]
        assert fees_for(service, answers) == {"KHR": Decimal(20000 + 3 * 150000)}
        assert fees_for(service, {**answers, "months": 12, "equity_card": "yes"}) == {"KHR": Decimal(12 * 150000)}


class TestTaxFigures:
    def test_vat_prepayment_and_total_are_worked_out_from_the_return(self, catalogue):
        service = catalogue.get("tax-filing")
        found = values(service, ANSWERS["tax-filing"])
        assert {key: found[key] for key in ("vat_output", "vat_input", "vat_payable", "vat_credit_carried",
                                            "prepayment", "total_due")} == {
            "vat_output": 2000000, "vat_input": 800000, "vat_payable": 700000, "vat_credit_carried": 0,
            "prepayment": 200000, "total_due": 900000,
        }

    def test_more_vat_on_purchases_than_on_sales_is_carried_forward_not_paid(self, catalogue):
        service = catalogue.get("tax-filing")
        answers = {**ANSWERS["tax-filing"], "purchases": {"amount": "30000000", "currency": "KHR"}}
        found = values(service, answers)
        assert (found["vat_payable"], found["vat_credit_carried"], found["total_due"]) == (0, 1500000, 200000)

    def test_riel_amounts_are_rounded_to_whole_riel(self, catalogue):
        service = catalogue.get("tax-filing")
        answers = {**ANSWERS["tax-filing"], "turnover": {"amount": "1234567", "currency": "KHR"}}
        found = values(service, answers)
        assert (found["vat_output"], found["prepayment"]) == (Decimal(123457), Decimal(12346))

    def test_nothing_is_worked_out_before_the_figures_are_given(self, catalogue):
        found = values(catalogue.get("tax-filing"), {"tin": "K001-901234567"})
        assert found["vat_payable"] is None and found["total_due"] is None


class TestRulesAndConditions:
    def rule(self, service: Service, field: str, number: int = 0):
        return [rule for step in service.steps for rule in step.rules if rule.field == field][number]

    def test_the_shares_of_the_owners_must_add_up_to_100(self, catalogue):
        service = catalogue.get("business-registration")
        shares = self.rule(service, "owners")
        assert shares.check.source == "sum(owners, 'share') == 100"
        answers = ANSWERS["business-registration"]
        assert shares.check.is_true(values(service, answers))
        short = [{**answers["owners"][0], "share": 60}, {**answers["owners"][1], "share": 30}]
        assert not shares.check.is_true(values(service, {**answers, "owners": short}))
        thirds = [{"name_latin": n, "nationality": "kh", "share": s}
                  for n, s in (("A", "33.33"), ("B", "33.33"), ("C", "33.34"))]
        assert shares.check.is_true(values(service, {**answers, "owners": thirds}))

    def test_a_sole_proprietorship_has_one_owner_and_a_partnership_at_least_two(self, catalogue):
        service = catalogue.get("business-registration")
        sole, partners = self.rule(service, "owners", 1), self.rule(service, "owners", 2)
        answers = ANSWERS["business-registration"]
        two_owners = values(service, {**answers, "business_type": "sole_proprietorship"})
        assert not sole.check.is_true(two_owners)
        one = [{**answers["owners"][0], "share": 100}]
        assert sole.check.is_true(values(service, {**answers, "business_type": "sole_proprietorship", "owners": one}))
        assert not partners.check.is_true(values(service, {**answers, "business_type": "partnership", "owners": one}))
        assert partners.check.is_true(values(service, {**answers, "business_type": "partnership"}))

    @pytest.mark.parametrize(
        ("business_type", "capital", "allowed"),
        [("private_limited", {"amount": "4000000", "currency": "KHR"}, True),
         ("private_limited", {"amount": "3999999", "currency": "KHR"}, False),
         ("public_limited", {"amount": "1000", "currency": "USD"}, True),
         ("private_limited", {"amount": "500", "currency": "USD"}, False),
         ("sole_proprietorship", {"amount": "0", "currency": "KHR"}, True)],
    )
    def test_a_limited_company_needs_the_minimum_capital(self, catalogue, business_type, capital, allowed):
        service = catalogue.get("business-registration")
        check = self.rule(service, "capital").check
        answers = {**ANSWERS["business-registration"], "business_type": business_type, "capital": capital}
        assert check.is_true(values(service, answers)) is allowed

    def test_an_owner_gives_a_national_id_when_cambodian_and_a_passport_otherwise(self, catalogue):
        owners = catalogue.get("business-registration").field("owners")
        fields = {f.id: f for f in owners.fields}
        cambodian, japanese = ANSWERS["business-registration"]["owners"]
        assert fields["national_id"].required_when.is_true(cambodian)
        assert not fields["national_id"].required_when.is_true(japanese)
        assert fields["passport_number"].required_when.is_true(japanese)
        assert not fields["passport_number"].show_when.is_true(cambodian)
        assert fields["name_km"].required_when.is_true(cambodian)
        assert not fields["name_km"].required_when.is_true(japanese)

    def test_articles_of_association_are_asked_of_companies_only(self, catalogue):
        service = catalogue.get("business-registration")
        articles = next(d for d in service.documents if d.id == "articles")
        for business_type, needed in (("private_limited", True), ("public_limited", True),
                                      ("partnership", False), ("sole_proprietorship", False)):
            answers = {**ANSWERS["business-registration"], "business_type": business_type}
            assert articles.required_when.is_true(values(service, answers)) is needed

    def test_the_other_purpose_is_asked_only_when_other_is_chosen(self, catalogue):
        service = catalogue.get("residence-certificate")
        other = service.field("purpose_other")
        assert not other.show_when.is_true(values(service, ANSWERS["residence-certificate"]))
        chosen = values(service, {**ANSWERS["residence-certificate"], "purpose": "other"})
        assert other.show_when.is_true(chosen) and other.required_when.is_true(chosen)

    def test_an_electric_vehicle_is_not_asked_its_engine_capacity(self, catalogue):
        service = catalogue.get("vehicle-registration")
        engine_cc = service.field("engine_cc")
        assert engine_cc.required_when.is_true(values(service, ANSWERS["vehicle-registration"]))
        electric = {**ANSWERS["vehicle-registration"], "fuel": "electric"}
        assert not engine_cc.show_when.is_true(values(service, electric))

    def test_a_business_owner_of_a_vehicle_gives_its_registration_not_a_person(self, catalogue):
        service = catalogue.get("vehicle-registration")
        business = values(service, {**ANSWERS["vehicle-registration"], "owner_type": "business"})
        assert service.field("company_registration_number").required_when.is_true(business)
        assert not service.field("owner_national_id").show_when.is_true(business)
        documents = {d.id: d for d in service.documents}
        assert documents["business_certificate"].required_when.is_true(business)
        assert not documents["owner_id"].required_when.is_true(business)


class TestPatterns:
    """The sample answers pass each field's pattern and range; typical mistakes do not."""

    def test_the_sample_answers_fit_every_pattern_option_and_range(self, catalogue, fixture_catalogue):
        for service in all_services(catalogue, fixture_catalogue):
            if service.slug not in ANSWERS:
                continue  # a service without hand-written answers here is walked with its samples.yaml
            answers = ANSWERS[service.slug]
            for field in service.all_fields():
                check_answer(service.slug, field, answers.get(field.id))
                if field.type == "group":
                    for item in answers[field.id]:
                        for sub in field.fields:
                            check_answer(service.slug, sub, item.get(sub.id))

    @pytest.mark.parametrize(
        ("slug", "field", "bad"),
        [("vehicle-registration", "chassis_number", "MH1JB9133RK12345"),  # 16 characters
         ("vehicle-registration", "chassis_number", "MH1JB9133OK123456"),  # O is never in a VIN
         ("vehicle-registration", "chassis_number", "mh1jb9133rk123456"),
         ("vehicle-registration", "engine_number", "JB9"),
         ("tax-filing", "tin", "K001901234567"),
         ("tax-filing", "tin", "១០០១-901234567"),
         ("business-registration", "business_name_km", "Angkor Digital"),
         ("business-registration", "business_name_km", "ក្រុមហ៊ុន Angkor"),
         ("business-registration", "business_name_en", "ក្រុមហ៊ុន"),
         ("market-stall-permit", "stall_number", "B-12")],
    )
    def test_typical_mistakes_do_not_match(self, catalogue, fixture_catalogue, slug, field, bad):
        service = catalogue.get(slug) or fixture_catalogue.get(slug)
        assert not re.fullmatch(service.field(field).pattern, bad)


def check_answer(slug: str, field, value) -> None:
    where = f"{slug}: {field.id}"
    if value is None:
        assert not field.required, where
        return
    if field.pattern:
        assert re.fullmatch(field.pattern, value), where
    if field.type in ("choice", "multi_choice"):
        chosen = value if isinstance(value, list) else [value]
        assert all(field.option_label(v) for v in chosen), where
    if field.type in ("integer", "number", "money"):
        number = Decimal(str(value["amount"] if field.type == "money" else value))
        assert field.min is None or number >= field.min, where
        assert field.max is None or number <= field.max, where
    if field.max_length:
        assert len(value) <= field.max_length, where


# --- documents -----------------------------------------------------------------------------------------


def document_context(catalogue, service: Service, output_id: str, reference: str) -> dict:
    """What a document template receives: the issuing office, the output's title and reference and its
    `data` evaluated on the answers, the signature block (the office's seal and title, the approving
    officer's name), through JSON as a document request stores it, and the dates."""
    output = service.outputs[output_id]
    agency_slug = output.issued_by or service.agencies[-1]  # the officer who decided: here, the last office's
    agency = catalogue.agencies[ROUTED.get(agency_slug, agency_slug)]
    found = values(service, ANSWERS[service.slug], reference=reference, today=date.today().isoformat(),
                   applicant_name=ANSWERS[service.slug].get("name_km", ""))
    data = {key: expression.evaluate(found) for key, expression in output.data.items()}
    context = {"reference": reference, "title_km": output.title["km"], "title_en": output.title["en"],
               "agency_km": agency.name["km"], "agency_en": agency.name["en"],
               **json.loads(json.dumps(data, default=lambda d: format(d, "f"))), **signatory(agency, SIGNER)}
    issued_on = date(2026, 11, 26)
    expires_on = issued_on + timedelta(days=output.valid_for_days) if output.valid_for_days else None
    return {**context, "issued_on": issued_on, "expires_on": expires_on}


SIGNER = SimpleNamespace(name_km="កែវ សុភា", name_latin="KEO Sophea")  # the staff member who approved

DOCUMENTS = [
    ("business-registration", "certificate", "BR-7KQ4-M9XD",
     ["ក្រុមហ៊ុន អង្គរ ឌីជីថល ឯ.ក", "ក្រុមហ៊ុនឯកជនទទួលខុសត្រូវមានកម្រិត", "Private limited company",
      "២០,០០០,០០០ ៛", "TANAKA HIROSHI (៤០% / 40%)", "ក្រសួងពាណិជ្ជកម្ម", "Boeng Keng Kang Ti Muoy"]),
    ("vehicle-registration", "vehicle_card", "VR-3HPW-Q7TN",
     ["ហេង វណ្ណា", "MH1JB9133RK123456", "ម៉ូតូ<br>Motorcycle", "ខ្មៅ<br>Black", "១២៥ cc<br>125 cc", "Svay Por"]),
    ("residence-certificate", "certificate", "RC-7KQ4-M9XD",
     ["សុខ ចាន់ធី", "បើកគណនី ឬខ្ចីប្រាក់ពីធនាគារ", "១២ ឆ្នាំ<br>12 years", "ព្រែកមហាទេព",
      "រដ្ឋបាលសង្កាត់ស្វាយប៉ោ", "Valid until February 24, 2027"]),
    ("tax-filing", "acknowledgement", "TF-9DKM-2RXC",
     ["K001-901234567", "ខែតុលា ឆ្នាំ២០២៦", "October 2026", "៩០០,០០០ ៛ / 900,000 ៛", "២,០០០,០០០ ៛<br>2,000,000 ៛",
      "អគ្គនាយកដ្ឋានពន្ធដារ"]),
]


@pytest.mark.usefixtures("app")  # documents render with the portal's templates, fonts and keys
class TestDocuments:
    @pytest.mark.parametrize(("slug", "output_id", "reference", "expected"), DOCUMENTS,
                             ids=[d[0] for d in DOCUMENTS])
    def test_the_document_renders_in_khmer_and_english_with_nothing_missing(
        self, catalogue, slug, output_id, reference, expected
    ):
        service = catalogue.get(slug)
        html, base_dir = render_html(f"{slug}/{service.outputs[output_id].template}",
                                     document_context(catalogue, service, output_id, reference))
        assert_complete(html, expected)
        assert_one_page(get_renderer().render(html, base_dir))

    @pytest.mark.parametrize(("slug", "output_id", "reference", "expected"), DOCUMENTS,
                             ids=[d[0] for d in DOCUMENTS])
    def test_the_document_is_signed_by_the_approving_officer_under_the_agencys_seal_and_title(
        self, catalogue, slug, output_id, reference, expected, tmp_path
    ):
        service = catalogue.get(slug)
        agency_slug = service.outputs[output_id].issued_by or service.agencies[-1]
        agency = catalogue.agencies[ROUTED.get(agency_slug, agency_slug)]
        html, base_dir = render_html(f"{slug}/{service.outputs[output_id].template}",
                                     document_context(catalogue, service, output_id, reference))
        if agency.seal:  # optional in agencies.yaml
            assert f'<img class="seal" src="{(SERVICES / agency.seal).resolve().as_uri()}"' in html
        (tmp_path / "document.pdf").write_bytes(get_renderer().render(html, base_dir))
        text = subprocess.run(["pdftotext", str(tmp_path / "document.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        lines = [SIGNER.name_km, SIGNER.name_latin]
        if agency.signatory_title:
            lines += [agency.signatory_title["km"], agency.signatory_title["en"]]
        for line in lines:
            assert line in text

    @pytest.mark.parametrize(("slug", "output_id", "reference", "expected"), DOCUMENTS,
                             ids=[d[0] for d in DOCUMENTS])
    def test_no_full_stop_can_start_a_line(self, catalogue, slug, output_id, reference, expected):
        """Every "។" of the HTML the renderer lays out is glued to the word before it."""
        service = catalogue.get(slug)
        html, _ = render_html(f"{slug}/{service.outputs[output_id].template}",
                              document_context(catalogue, service, output_id, reference))
        laid_out = break_html_text(html)
        stops = [m.start() for m in re.finditer("[។៕]", laid_out)]
        assert stops and all(laid_out[i - 1] == WORD_JOINER for i in stops)

    def test_the_fifth_services_permit_renders_from_its_own_services_root(self, app, fixture_catalogue):
        service = fixture_catalogue.get("market-stall-permit")
        with services_root(app, FIXTURE):
            html, base_dir = render_html("market-stall-permit/permit.html",
                                         document_context(fixture_catalogue, service, "permit", "MS-4FJX-8WKD"))
            pdf = get_renderer().render(html, base_dir)
        assert_complete(html, ["ស្រី ពៅ", "ផ្សារអូរឫស្សី", "Orussey Market", "៣ ខែ", "3 months"])
        assert_one_page(pdf)

    @pytest.mark.parametrize(("owners", "expected"), [(12, "ឡុង ពិសិដ្ឋ / LONG PISETH"), (30, "៣០ នាក់")])
    def test_a_company_with_many_shareholders_still_gets_a_one_page_certificate(
        self, catalogue, owners, expected
    ):
        service = catalogue.get("business-registration")
        names = [("ចាន់ សុភា", "CHAN SOPHEA"), ("សុខ ចាន់ធី", "SOK CHANTHY"), ("ឡុង ពិសិដ្ឋ", "LONG PISETH")]
        many = [{"nationality": "kh", "name_km": names[i % 3][0], "name_latin": names[i % 3][1],
                 "national_id": "110223344", "share": "3.33"} for i in range(owners)]
        ANSWERS["business-registration"], saved = {**ANSWERS["business-registration"], "owners": many}, \
            ANSWERS["business-registration"]
        try:
            context = document_context(catalogue, service, "certificate", "BR-7KQ4-M9XD")
        finally:
            ANSWERS["business-registration"] = saved
        html, base_dir = render_html("business-registration/registration-certificate.html", context)
        assert_complete(html, [expected])
        assert_one_page(get_renderer().render(html, base_dir))

    def test_a_vehicle_owned_by_a_business_shows_the_business_and_its_registration(self, catalogue):
        service = catalogue.get("vehicle-registration")
        business = {**ANSWERS["vehicle-registration"], "owner_type": "business",
                    "company_name_km": "ក្រុមហ៊ុន អង្គរ ឌីជីថល ឯ.ក", "company_name_en": "Angkor Digital Co., Ltd.",
                    "company_registration_number": "00012345", "colour": "other", "colour_other": "ក្រហមចាស់",
                    "fuel": "electric", "engine_cc": None}
        ANSWERS["vehicle-registration"], saved = business, ANSWERS["vehicle-registration"]
        try:
            context = document_context(catalogue, service, "vehicle_card", "VR-3HPW-Q7TN")
        finally:
            ANSWERS["vehicle-registration"] = saved
        html, _ = render_html("vehicle-registration/vehicle-card.html", context)
        assert_complete(html, ["ក្រុមហ៊ុន អង្គរ ឌីជីថល ឯ.ក", "Commercial registration number", "00012345",
                               "អគ្គិសនី<br>Electric"])
        assert "ក្រហមចាស់<br>" not in html and " cc" not in html


def assert_one_page(pdf: bytes) -> None:
    # The QR code is stamped on the first page's bottom-right corner, which a single page keeps free.
    assert pdf.startswith(b"%PDF") and len(PdfReader(io.BytesIO(pdf)).pages) == 1


def assert_complete(html: str, expected: list[str]) -> None:
    """Every expected text is there, and no value came out empty ("None") or as an exponent ("1E+1")."""
    text = re.sub(r"\s+", " ", html)
    for wanted in expected:
        assert wanted in text
    assert "None" not in text
    assert not re.search(r"\dE\+\d", text)


# --- broken definitions ----------------------------------------------------------------------------------


class TestBrokenDefinitionsNameFileAndPath:
    @pytest.mark.parametrize(
        ("slug", "change", "message"),
        [
            ("vehicle-registration",
             lambda d: d["workflow"]["transitions"][3].update(to="aproved"),
             "services/vehicle-registration/service.yaml: workflow.transitions[3].to: unknown state 'aproved'"),
            ("vehicle-registration",
             lambda d: d["workflow"]["transitions"][1].update({"from": ["submitted", "inspecton"]}),
             "workflow.transitions[1].from[1]: unknown state 'inspecton'"),
            ("residence-certificate",
             lambda d: d["steps"][0]["fields"][0]["label"].pop("km"),
             "services/residence-certificate/service.yaml: steps[0].fields[0].label.km: is required"),
            ("residence-certificate",
             lambda d: d["workflow"]["states"]["approved"]["label"].update(km="Approved"),
             "workflow.states.approved.label.km: is not written in Khmer"),
            ("residence-certificate",
             lambda d: d["steps"][2]["fields"][1].update(show_when="purpose =="),
             "services/residence-certificate/service.yaml: steps[2].fields[1].show_when: bad expression: "
             "not a valid expression"),
            ("residence-certificate",
             lambda d: d["steps"][2]["fields"][1].update(show_when="__import__('os').system('ls')"),
             "steps[2].fields[1].show_when: bad expression: "),
            ("tax-filing",
             lambda d: d["computed"][0].update(expression="turnover.amount.__class__"),
             "computed[0].expression: bad expression: '__class__' cannot be used here"),
            ("residence-certificate",
             lambda d: d["steps"][2]["fields"][1].update(required_when="purpse == 'other'"),
             "steps[2].fields[1].required_when: unknown field 'purpse' in \"purpse == 'other'\""),
            ("vehicle-registration",
             lambda d: d["fees"][0].update(when="vehicle_kind == 'motorcycle'"),
             "services/vehicle-registration/service.yaml: fees[0].when: unknown field 'vehicle_kind'"),
            ("business-registration",
             lambda d: d["documents"][1].update(required_when="company_type == 'private_limited'"),
             "documents[1].required_when: unknown field 'company_type'"),
            ("business-registration",
             lambda d: d["steps"][3]["rules"][0].update(check="sum(shareholders, 'share') == 100"),
             "steps[3].rules[0].check: unknown field 'shareholders'"),
            ("tax-filing",
             lambda d: d["steps"][0]["fields"][2].update(colour="blue"),
             "services/tax-filing/service.yaml: steps[0].fields[2].colour: unknown key 'colour'"),
            ("tax-filing",
             lambda d: d["workflow"]["states"]["submitted"].update(sla=2),
             "workflow.states.submitted.sla: unknown key 'sla'"),
            ("residence-certificate",
             lambda d: d["outputs"]["certificate"].update(template="residence.html"),
             "services/residence-certificate/service.yaml: outputs.certificate.template: "
             "no template 'residence.html' beside the service.yaml"),
            ("tax-filing",
             lambda d: d["workflow"]["transitions"][0].update(roles=["mpwt.clerk"]),
             "services/tax-filing/service.yaml: workflow.transitions[0].roles[0]: "
             "'mpwt' is not one of this service's agencies (gdt)"),
            ("tax-filing",
             lambda d: d["workflow"]["states"]["submitted"].update(actor="gdt.director"),
             "workflow.states.submitted.actor: unknown role 'director'; one of clerk, supervisor"),
            ("business-registration",
             lambda d: d["workflow"]["states"]["approved"].update(issue=["licence"]),
             "workflow.states.approved.issue[0]: unknown output 'licence'"),
            ("business-registration",
             lambda d: d["notifications"][0]["on"].append("registered"),
             "notifications[0].on[4]: unknown state 'registered'"),
            ("residence-certificate",
             lambda d: d.update(name_fields=["name_km", "full_name"]),
             "services/residence-certificate/service.yaml: name_fields[1]: unknown field 'full_name'"),
            ("residence-certificate",
             lambda d: d.update(name_fields=["years"]),
             "name_fields[0]: 'years' is of type integer: expected one of text, khmer_name, latin_name"),
        ],
    )
    def test_the_message_names_the_file_the_path_and_the_problem(self, services, slug, change, message):
        edit(services, slug, change)
        with pytest.raises(DefinitionError, match=re.escape(message)):
            load_catalogue(services)

    def test_flask_services_validate_fails_and_says_where(self, app, services):
        edit(services, "vehicle-registration", lambda d: d["workflow"]["transitions"][3].update(to="aproved"))
        with services_root(app, services):
            result = app.test_cli_runner().invoke(args=["services", "validate"])
        assert result.exit_code != 0
        assert "services/vehicle-registration/service.yaml: workflow.transitions[3].to: unknown state 'aproved'" \
            in result.output

    def test_a_broken_copy_of_the_fifth_service_fails_the_same_way(self, tmp_path):
        root = tmp_path / "services"
        shutil.copytree(FIXTURE, root)
        edit(root, "market-stall-permit", lambda d: d["fees"][1].update(per="month"))
        with pytest.raises(DefinitionError, match=re.escape(
            "services/market-stall-permit/service.yaml: fees[1].per: 'month' is not a group or integer field"
        )):
            load_catalogue(root)
