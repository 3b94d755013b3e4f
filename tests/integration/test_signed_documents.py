"""Issued documents name who they are about and who signed them: the approving officer's name under the
issuing agency's seal and title (agencies.yaml), and the applicant as the application names them."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
import yaml
from pypdf import PdfReader

from portal.data import documents as document_data
from portal.data.db import db
from portal.domain.applications import transitions
from portal.domain.catalogue import get_catalogue
from portal.domain.documents import get_document_store
from portal.domain.rendering import lifecycle
from portal.paths import PROJECT_ROOT
from tests import journey
from tests.service_roots import copy_of_fixture, services_root
from tests.sessions import sign_in_as
from tests.staff_cases import AGENCY, ANSWERS, SLUG, submitted

TITLE = {"km": "ប្រធានការិយាល័យផ្សារ", "en": "Head, Markets Office"}


@pytest.fixture
def services(app, tmp_path):
    """The fixture services root, its agency given a seal and a signatory title."""
    root = copy_of_fixture(tmp_path)
    (root / "seals").mkdir()
    shutil.copy(PROJECT_ROOT / "services" / "seals" / "demo-commune.svg", root / "seals" / "seal.svg")
    path = root / "agencies.yaml"
    data = yaml.safe_load(path.read_text())
    agency = next(a for a in data["agencies"] if a["slug"] == AGENCY)
    agency.update(seal="seals/seal.svg", signatory={"title": TITLE})
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with services_root(app, root, sync_agencies=True):
        yield root


@pytest.fixture
def plain_services(app, tmp_path):
    """The fixture services root as it is (its agency configures no seal or signatory)."""
    with services_root(app, copy_of_fixture(tmp_path), sync_agencies=True) as root:
        yield root


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def issued(application, kind: str) -> bytes:
    found = [d for d in document_data.for_application(application.id) if d.kind == kind]
    assert len(found) == 1
    return get_document_store().read(found[0])


@pytest.mark.usefixtures("services")
def test_the_permit_is_signed_by_the_clerk_who_approved_under_the_agencys_seal_and_title(app, client, factories,
                                                                                         tmp_path):
    applicant = factories.person(name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")
    clerk = factories.staff(AGENCY, "clerk", name_km="កែវ សុភា", name_latin="Keo Sophea", locale="en")
    application = submitted(applicant)
    sign_in_as(client, clerk)
    client.expected_lang = "en"
    page = client.get(f"/staff/cases/{application.public_id}?lang=en")
    asked = client.submit(page, selector="main form[action$='/act/approve']")  # issuing asks once
    assert client.confirm(asked).status_code == 303
    journey.run_jobs(app)
    pdf = issued(application, "issued")
    text = pdf_text(pdf, tmp_path)
    for line in ("កែវ សុភា", "Keo Sophea", TITLE["km"], TITLE["en"], "រដ្ឋបាលរាជធានីភ្នំពេញ"):
        assert line in text
    # The seal is drawn (an SVG becomes a form XObject on the page), and the document is tagged.
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pages[0]["/Resources"]["/XObject"]
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]

    # A corrected version, asked for by an operator, is the same act: the same officer signs it.
    original = next(d for d in document_data.for_application(application.id) if d.kind == "issued")
    lifecycle.request_correction(original, actor_role=lifecycle.OPERATOR)
    db.session.commit()
    journey.run_jobs(app)
    corrected = [d for d in document_data.for_application(application.id) if d.kind == "issued" and d.id != original.id]
    assert len(corrected) == 1
    assert "កែវ សុភា" in pdf_text(get_document_store().read(corrected[0]), tmp_path)


@pytest.mark.usefixtures("plain_services")
def test_the_receipt_names_the_applicant_from_the_application_not_the_phone_number(app, factories, tmp_path):
    phone = "+85512345987"
    applicant = factories.person(phone=phone)  # signed up with a phone number only: no name on the profile
    application = submitted(applicant, answers={**ANSWERS, "name_km": "ស្រី ពៅ", "name_latin": "Srey Pov"})
    transitions.request_receipt(get_catalogue().get(SLUG), application)
    db.session.commit()
    journey.run_jobs(app)
    text = pdf_text(issued(application, "receipt"), tmp_path)
    assert phone not in text and phone.removeprefix("+855") not in text
    assert "ស្រី ពៅ" in text and "Srey Pov" in text
