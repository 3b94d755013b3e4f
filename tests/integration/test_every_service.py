"""Every service folder, walked with its own sample answers (`<slug>/samples.yaml`), with no Python of its own:
started through the web by the right kind of applicant, every step filled, the documents attached, submitted;
then each workflow path (those the samples list, else one to each terminal state) taken by staff of the right
office and role (and by the applicant where it is theirs); the issued documents rendered by a real worker and
checked on /verify: genuine, valid, issued by the office whose officer decided (or the output's `issued_by`).

A new folder in services/ is tested by this alone."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import select

from portal.data import document_requests
from portal.data.db import db
from portal.data.models import Document, DocumentRequest
from portal.domain.applications import actions, case_records
from portal.domain.applications.transitions import routed_agencies
from portal.domain.catalogue import get_catalogue, load_catalogue, subjects
from portal.domain.catalogue.model import PLACEHOLDER_LEVELS
from portal.domain.catalogue.samples import load_samples
from portal.paths import PROJECT_ROOT
from portal.payments import account, counter
from tests import docfiles, journey
from tests.service_roots import FIXTURE_ROOT, services_root
from tests.sessions import sign_in_as

ROOTS = (PROJECT_ROOT / "services", FIXTURE_ROOT)
FOLDERS = [(root, path.parent.name) for root in ROOTS for path in sorted(root.glob("*/service.yaml"))]
_receipts = itertools.count(1)


def _citizen(factories):
    number = next(_receipts)
    return factories.person(
        locale="en", email=f"chanthy{number}@example.com", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy",
        national_id="012345678",
        phone=f"+8551277{number:04d}", date_of_birth=date(1990, 4, 13), province_code="02",
        district_code="0203", commune_code="020310", village_code="02031001", street="ផ្ទះលេខ ១២ ផ្លូវលេខ ៣",
    )


def _submitted(client, factories, service, samples):
    citizen = _citizen(factories)
    sign_in_as(client, citizen)
    client.expected_lang = "en"
    applicant = "me"
    if samples.applicant == "business":
        applicant = factories.business(owner=citizen, name_km="ហាងលក់គ្រឿងទេសស្រីស្រស់",
                                       name_en="Srey Sros Spice Shop", tax_id="K001-901234567").public_id
    end = journey.fill_steps(client, journey.start(client, service.slug, applicant=applicant), samples.steps)
    assert end.endswith("/documents"), f"{service.slug}: the steps end at {end}"
    for requirement, kind in samples.documents.items():
        data, name = (docfiles.pdf(requirement), f"{requirement}.pdf") if kind == "pdf" else \
            (docfiles.jpeg((480, 600)), f"{requirement}.jpg")  # large enough for a photo
        journey.attach(client, end, requirement, data, name)
    url = end.removesuffix("/documents")
    journey.submit(client, url)
    application = journey.application_for(url)
    assert application.state == service.workflow.start and application.reference, service.slug
    assert (application.organisation_id is not None) == (samples.applicant == "business")
    for placeholder in PLACEHOLDER_LEVELS.keys() & set(service.agencies):
        office = routed_agencies(service, application).get(placeholder)
        assert get_catalogue().agency(office), f"{service.slug}: {placeholder} not routed to an office"
    return citizen, application


class Staff:
    """One member per office and role, made when first needed."""

    def __init__(self, factories):
        self.factories, self.found = factories, {}

    def __call__(self, agency: str, role: str):
        if (agency, role) not in self.found:
            self.found[agency, role] = self.factories.staff(agency, role, locale="en",
                                                            name_latin=f"Officer {agency} {role}")
        return self.found[agency, role]


def _fill_staff_steps(client, service, application, staff, samples):
    """Fill, through the case page, each staff step with sample answers that can be filled in the current state
    and is still empty, as a member of its first role's office."""
    for step in service.staff_steps:
        if step.id not in samples.staff_steps or application.state not in step.states \
                or any(f.id in (application.staff_data or {}) for f in step.fields):
            continue
        agency, _, role = step.roles[0].partition(".")
        member = staff(routed_agencies(service, application)[agency] if agency in PLACEHOLDER_LEVELS else agency, role)
        sign_in_as(client, member)
        page = client.get(f"/staff/cases/{application.public_id}")
        saved = client.submit(page, samples.staff_steps[step.id], selector=f"#staff-step-form-{step.id}")
        assert saved.status_code == 303, f"{service.slug}: staff step {step.id} was not saved ({saved.status_code})"
        db.session.refresh(application)


def _take(service, application, citizen, staff, action):
    """Take `action` from the current state as whoever the definition lets; the office and role that took it
    (None for the applicant)."""
    transition = next(t for t in service.workflow.transitions
                      if t.action == action and application.state in t.sources)
    details = {}
    if transition.reason_required:
        details = {"reason_id": transition.reasons[0].id if transition.reasons else None,
                   "reason_text": "Sample reason"}
    if transition.request_info:
        details["editable_fields"] = [service.steps[0].fields[0].id]
    if "applicant" in transition.roles:
        actions.take_step(service, application, citizen, action, as_applicant=True, **details)
        db.session.commit()
        return None
    agency, _, role = transition.roles[0].partition(".")
    office = routed_agencies(service, application)[agency] if agency in PLACEHOLDER_LEVELS else agency
    member = staff(office, role)
    if "documents_checked" in transition.guards and not application.documents_checked:
        case_records.mark_fact(application, member, "documents_checked", application.state)
    if "paid" in transition.guards and not application.paid:
        cashier = staff(application.current_agency, "clerk")
        for currency, minor in account.account(service, application).due.items():
            counter.record(service, application, cashier, amount_minor=minor, currency=currency, method="counter_cash",
                           receipt_number=f"R-{next(_receipts)}")
    db.session.commit()
    journey.staff_act(application, member, action, **details)
    return office


@pytest.mark.parametrize(("root", "slug"), FOLDERS, ids=[f"{r.name}/{s}" for r, s in FOLDERS])
def test_every_service_is_walked_with_its_sample_answers(app, client, factories, root, slug):
    samples = load_samples(root, load_catalogue(root).get(slug))
    with services_root(app, root, sync_agencies=True):
        staff = Staff(factories)
        for path in samples.paths:
            service = get_catalogue().get(slug)
            citizen, application = _submitted(client, factories, service, samples)
            offices = []
            for action in path:
                _fill_staff_steps(client, service, application, staff, samples)
                offices.append(_take(service, application, citizen, staff, action))
                application = journey.application_for(f"/applications/{application.public_id}")
            final = service.workflow.states[application.state]
            assert final.terminal, f"{slug}: {path} ends in {application.state}"
            journey.run_jobs(app)
            decided = [o for o in offices if o]
            for output_id in final.issue:
                _check_issued(client, service, application, output_id, decided)


def _check_issued(client, service, application, output_id, decided: list[str]):
    request = db.session.scalar(select(DocumentRequest).where(DocumentRequest.application_id == application.id,
                                                              DocumentRequest.output_id == output_id))
    assert request is not None and request.document_id, f"{service.slug}: {output_id} was not issued"
    document = db.session.get(Document, request.document_id)
    assert document.kind == service.outputs[output_id].kind and document.status == "active"
    issued_by = service.outputs[output_id].issued_by
    office = issued_by or (decided[-1] if decided else service.agencies[0])  # no staff step: the receiving office
    expected = routed_agencies(service, application)[office] if office in PLACEHOLDER_LEVELS else office
    agency = get_catalogue().agency(expected)
    assert document.issuing_agency.slug == expected
    client.expected_lang = None
    page = client.get(f"/verify/{document.verification_token}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Genuine and valid" in text, service.slug
    assert agency.name["en"] in text and agency.name["km"] in text
    context = document_requests.issuing(document.id).context
    if service.outputs[output_id].subject:  # the holder is whom the definition names, in both languages
        names = context[subjects.CONTEXT_KEY]
        assert (document.holder_name, document.holder_name_en) == (names["km"], names["en"]), service.slug
        assert names["km"] in text and names["en"] in text, service.slug
    assert context["agency_en"] == agency.name["en"] or "agency_en" in service.outputs[output_id].data
    numbers = {s.id for step in service.staff_steps for s in step.sequences}
    for key, expression in service.outputs[output_id].data.items():  # a number taken on the way, as printed
        if expression.source in numbers:
            assert context[key] and context[key] == application.staff_data[expression.source], (service.slug, key)
    if expected in decided:  # signed by that office's officer who acted on the case
        assert context["signer_name_latin"].startswith(f"Officer {expected} "), context["signer_name_latin"]
