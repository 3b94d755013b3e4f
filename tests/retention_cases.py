"""A fixture service whose retention is short, a store folder of the test's own, and applications filed and
closed through the pages: for the retention, "download my data" and closing-an-account tests (issue 18)."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import select

from portal.data.db import db
from portal.data.models import Application, ApplicationDocument, Document
from portal.domain.documents import get_document_store
from portal.domain.documents.storage import LocalDirectoryStorage
from portal.domain.documents.store import DocumentStore
from tests import journey
from tests.service_roots import copy_of_fixture, edit_service, services_root
from tests.sessions import sign_in_as

SLUG = "market-stall-permit"
STALL = {"market": "olympic", "stall_number": "B12", "goods": "បន្លែ", "months": "2", "equity_card": "no"}


def short_retention(years: int = 1, documents_years: int | None = None, keep_record: bool = False):
    def change(data):
        data["retention"] = {"applications_years": years, "documents_years": documents_years or years,
                             "keep_record": keep_record}
    return change


@pytest.fixture(name="own_store", autouse=True)
def own_store_fixture(app, tmp_path):
    """A store folder of this test's own: other tests' rolled-back uploads leave files without rows in the shared
    one, and `fsck` must find this test's store clean."""
    saved = app.extensions.get("docstore")
    app.extensions["docstore"] = DocumentStore(LocalDirectoryStorage(tmp_path / "blobs"))
    yield app.extensions["docstore"]
    app.extensions["docstore"] = saved


@pytest.fixture(name="services")
def services_fixture(app, tmp_path):
    root = copy_of_fixture(tmp_path)
    with services_root(app, root, sync_agencies=True):
        edit_service(app, root, SLUG, short_retention())
        yield root


@pytest.fixture(name="clerk")
def clerk_fixture(factories):
    return factories.staff("phnom-penh-capital", "clerk")


def filed(client, factories, phone: str, id_card: bytes) -> Application:
    """A submitted application of a new person."""
    person = factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy",
                              national_id="012345678", phone=phone)
    return file_as(client, person, id_card)


def file_as(client, person, id_card: bytes, submit: bool = True) -> Application:
    """An application of `person` through the pages, its ID card attached; left a draft unless `submit`."""
    sign_in_as(client, person)
    client.expected_lang = "en"
    first = journey.start(client, SLUG)
    documents = journey.fill_steps(client, first, {"trader": {}, "stall": STALL, "declaration": {"declaration": "y"}})
    journey.attach(client, documents, "id_card", id_card, "id.png")
    url = documents.removesuffix("/documents")
    if submit:
        journey.submit(client, url)
    return journey.application_for(url)


def closed(app, client, factories, clerk, phone: str, id_card: bytes) -> Application:
    application = filed(client, factories, phone, id_card)
    journey.staff_act(application, clerk, "approve")
    journey.run_jobs(app)  # the receipt and the permit
    return db.session.get(Application, application.id)


def documents_of(application_id: int) -> list[Document]:
    attached = select(ApplicationDocument.document_id).where(ApplicationDocument.application_id == application_id)
    return list(db.session.scalars(select(Document).where(
        (Document.application_id == application_id) | Document.id.in_(attached))))


def age_every_file(days: int = 800) -> None:
    """The files were written a moment ago, but stand for files written years ago: older than the hour an
    upload in flight is given (ORPHAN_GRACE)."""
    storage = get_document_store().storage
    then = time.time() - days * 86400
    for key in list(storage.keys()):  # a storage, not a dict: keys() lists its files
        os.utime(storage._path(key), (then, then))
