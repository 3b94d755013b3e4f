"""Whom a document is about (tests/fixtures/services/birth-certificate-copy, YAML only): a parent asks for a
copy of their child's birth certificate; the output's `subject` names the child, so the document's holder,
and /verify, show the child in Khmer and English, not the parent who applied. A subject that comes out empty
when the document is issued issues nothing and says why. The parent asks for two copies (`copies`): two
documents, each with its own QR code, numbered "copy 1 of 2" on the PDF and on /verify; a retried job issues
no third."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from portal.data.db import db
from portal.data.models import Document, DocumentRequest
from portal.domain.catalogue import subjects
from portal.domain.documents import get_document_store
from portal.domain.rendering.jobs import issue_document
from tests import docfiles, journey
from tests.integration.test_signed_documents import pdf_text
from tests.service_roots import FIXTURE_ROOT, services_root
from tests.sessions import sign_in_as

SLUG = "birth-certificate-copy"
CHILD = {"child_name_km": "សុខ បុប្ផា", "child_name_latin": "SOK BOPHA", "child_date_of_birth": "2019-03-14",
         "copies": "2"}


@pytest.fixture
def fixture_services(app):
    with services_root(app, FIXTURE_ROOT, sync_agencies=True):
        yield


def _issued_case(client, factories):
    parent = factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")
    clerk = factories.staff("phnom-penh-capital", "clerk")
    sign_in_as(client, parent)
    client.expected_lang = "en"
    end = journey.fill_steps(client, journey.start(client, SLUG), {"parent": {}, "child": CHILD})
    journey.attach(client, end, "id_card", docfiles.jpeg(), "id.jpg")
    url = end.removesuffix("/documents")
    journey.submit(client, url)
    return journey.application_for(url), clerk


def _copies(application):
    return db.session.scalars(select(Document).where(Document.application_id == application.id,
                                                     Document.kind == "issued").order_by(Document.copy_number)).all()


def test_the_copy_is_held_by_the_child_not_the_parent(app, client, factories, fixture_services):
    application, clerk = _issued_case(client, factories)
    journey.staff_act(application, clerk, "issue")
    journey.run_jobs(app)

    copy = _copies(application)[0]
    assert (copy.holder_name, copy.holder_name_en) == ("សុខ បុប្ផា", "SOK BOPHA")
    client.expected_lang = None
    text = client.get(f"/verify/{copy.verification_token}").get_data(as_text=True)
    assert "Genuine and valid" in text
    assert '<span lang="km">សុខ បុប្ផា</span><br><span lang="en">SOK BOPHA</span>' in text
    assert "សុខ ចាន់ធី" not in text and "Sok Chanthy" not in text


def test_an_empty_subject_at_issue_issues_nothing_and_says_why(app, client, factories, fixture_services, caplog):
    application, clerk = _issued_case(client, factories)
    # The answer as an older definition let it through (or as a clerk corrected it): no Latin name.
    application.answers["child_name_latin"] = ""
    flag_modified(application, "answers")
    db.session.commit()
    journey.staff_act(application, clerk, "issue")
    with caplog.at_level(logging.ERROR, logger=subjects.__name__):
        journey.run_jobs(app)

    request = db.session.scalar(select(DocumentRequest).where(DocumentRequest.application_id == application.id,
                                                              DocumentRequest.output_id == "copy"))
    assert request is not None and request.document_id is None
    assert _copies(application) == []
    assert any("subject gives an empty name in en" in r.getMessage() and "nothing was issued" in r.getMessage()
               for r in caplog.records)


def test_two_copies_asked_for_are_two_numbered_documents_and_a_retry_issues_no_third(app, client, factories,
                                                                                     fixture_services, tmp_path):
    application, clerk = _issued_case(client, factories)
    journey.staff_act(application, clerk, "issue")
    journey.run_jobs(app)

    first, second = _copies(application)
    assert [(d.copy_number, d.copy_count) for d in (first, second)] == [(1, 2), (2, 2)]
    assert first.verification_token != second.verification_token and first.sha256 != second.sha256
    printed = " ".join(pdf_text(get_document_store().read(second), tmp_path).split())
    assert "Copy 2 of 2" in printed and "ច្បាប់ទី ២ ក្នុងចំណោម ២ ច្បាប់" in printed
    client.expected_lang = None
    text = client.get(f"/verify/{second.verification_token}").get_data(as_text=True)
    assert "Copy 2 of 2" in text and "ច្បាប់ទី ២ ក្នុងចំណោម ២ ច្បាប់" in text

    # Each copy's job, run again (a retry after a crash), finds its copy issued: no third document.
    for request in db.session.scalars(select(DocumentRequest).where(DocumentRequest.application_id == application.id,
                                                                    DocumentRequest.output_id == "copy")):
        issue_document(request.id)
    assert len(_copies(application)) == 2
