"""A document job renders a Khmer certificate into the store, with a QR code that verifies."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import func, select

from portal.data import document_requests
from portal.data.db import db
from portal.data.models import Document
from portal.domain.documents import get_document_store
from portal.domain.rendering.jobs import issue_document
from portal.extensions import redis_connection
from portal.jobs.outbox import relay_pending, schedule
from portal.jobs.worker import make_simple_worker

RESIDENCE = {
    "agency_km": "រដ្ឋបាលសង្កាត់ស្វាយប៉ោ ក្រុងបាត់ដំបង", "agency_en": "Svay Por Sangkat Office, Battambang",
    "title_km": "លិខិតបញ្ជាក់ទីលំនៅ", "title_en": "Residence certificate",
    "commune_km": "សង្កាត់ស្វាយប៉ោ", "commune_en": "Svay Por Sangkat",
    "name_km": "សុខ ចាន់ធី", "name_latin": "SOK Chanthy", "date_of_birth": "1990-04-13",
    "national_id": "010203040",
    "address": {"province": "02", "district": "0203", "commune": "020310", "village": "02031001",
                "street": "ផ្ទះលេខ ១២ ផ្លូវលេខ ៣"},
    "years": 12, "purpose_km": "បើកគណនីធនាគារ", "purpose_en": "Opening a bank account",
    "place_km": "ក្រុងបាត់ដំបង", "place_en": "Battambang",
    "signatory_km": "ចៅសង្កាត់", "signatory_en": "Chief of Sangkat", "reference": "RC-7KQ4-M9XD",
}


def request_certificate(person):
    request = document_requests.add(
        template="residence-certificate/certificate.html", context=RESIDENCE, file_name="residence-certificate",
        title_km=RESIDENCE["title_km"], title_en=RESIDENCE["title_en"], holder_name=RESIDENCE["name_km"],
        owner_person_id=person.id, valid_days=90,
    )
    schedule(issue_document, request.id, job_id=f"issue-document-{request.id}")
    db.session.commit()
    return request


def run_worker(app):
    relay_pending()
    make_simple_worker(app).work(burst=True)


def count_documents() -> int:
    return db.session.scalar(select(func.count()).select_from(Document))


def test_a_document_job_renders_a_khmer_certificate_into_the_store(app, factories, tmp_path):
    request = request_certificate(factories.person())
    run_worker(app)
    db.session.expire_all()
    document = db.session.get(Document, document_requests.lock(request.id).document_id)
    db.session.rollback()
    assert document.kind == "issued" and document.verification_id
    pdf = get_document_store().read(document)
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-Khmer" in fonts


def test_running_the_same_job_twice_adds_nothing(app, factories):
    request = request_certificate(factories.person())
    run_worker(app)
    assert count_documents() == 1
    with app.app_context():
        first = issue_document(request.id)
        second = issue_document(request.id)
    assert first == second
    assert count_documents() == 1


@pytest.fixture(autouse=True)
def _empty_queues(app):
    redis_connection.client.flushdb()
