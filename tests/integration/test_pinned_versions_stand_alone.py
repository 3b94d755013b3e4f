"""A pinned version stands on its own (docs/services.md §10): an application in flight keeps the text of
its document templates and the agencies and category it named, whatever happens to the files in
`services/` afterwards (a template renamed and rewritten, its agency and category retired)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
import yaml
from sqlalchemy import select, update

from portal.data import agencies as agency_data
from portal.data import documents as document_data
from portal.data import people
from portal.data.db import db
from portal.data.models import DocumentRequest, ServiceVersion
from portal.domain.catalogue import forget_loaded, get_catalogue
from portal.domain.documents import get_document_store
from portal.paths import PROJECT_ROOT
from tests import docfiles, journey
from tests.integration import test_kiosk_guests as guests
from tests.integration.test_kiosk_receipt import enrol
from tests.service_roots import copy_of_fixture, edit_yaml, services_root
from tests.sessions import sign_in_as

SLUG = "market-stall-permit"
OLD_AGENCY, NEW_AGENCY = "phnom-penh-capital", "phnom-penh-markets"
OLD, NEW = "Amber", "Cobalt"  # the edition printed by the first and the second permit template
STALL = {"market": "olympic", "stall_number": "B12", "goods": "បន្លែ", "months": "2", "equity_card": "no"}


@pytest.fixture
def services(app, tmp_path):
    """A copy of the fixture root: its agency with a seal, its permit template marked as the first edition."""
    root = copy_of_fixture(tmp_path)
    for folder in root.iterdir():  # only this service: the others' agencies and categories are not retired here
        if (folder / "service.yaml").is_file() and folder.name != SLUG:
            shutil.rmtree(folder)
    (root / "seals").mkdir()
    shutil.copy(PROJECT_ROOT / "services" / "seals" / "demo-ministry.svg", root / "seals" / "capital.svg")
    edit_yaml(root / "agencies.yaml", lambda d: d["agencies"][0].update(seal="seals/capital.svg"))
    template = root / SLUG / "permit.html"
    template.write_text(template.read_text().replace("{% block facts %}", "{% block facts %}" + edition(OLD)))
    with services_root(app, root, sync_agencies=True):
        yield root


def edition(name: str) -> str:
    return f"<tr><th>Edition</th><td>Permit form {name}</td></tr>\n"


def reload(app) -> None:
    """What a deploy does: the next request reads services/ again, and the agencies table follows it."""
    forget_loaded(app)
    agency_data.sync(get_catalogue().all_agencies())
    db.session.commit()


def retire_and_rewrite(root) -> None:
    """Version 2: the template renamed and rewritten; the agency and the category it named retired, and the
    service moved to new ones (with the old agency's seal file gone too)."""
    folder = root / SLUG
    (folder / "stall-permit.html").write_text(
        (folder / "permit.html").read_text().replace(edition(OLD), edition(NEW)))
    (folder / "permit.html").unlink()
    (root / "seals" / "capital.svg").unlink()
    (root / "agencies.yaml").write_text(yaml.safe_dump({"agencies": [{
        "slug": NEW_AGENCY, "kind": "department",
        "name": {"km": "ការិយាល័យផ្សាររាជធានីភ្នំពេញ", "en": "Phnom Penh Markets Office"}}]}, allow_unicode=True))
    (root / "categories.yaml").write_text(yaml.safe_dump({"categories": [{
        "slug": "markets", "name": {"km": "ផ្សារ", "en": "Markets"}}]}, allow_unicode=True))
    path = folder / "service.yaml"
    text = path.read_text().replace(OLD_AGENCY, NEW_AGENCY).replace("category: business", "category: markets")
    path.write_text(text.replace("version: 1", "version: 2")
                    .replace("template: permit.html", "template: stall-permit.html"))


def draft(client) -> str:
    first = journey.start(client, SLUG)
    documents = journey.fill_steps(client, first, {"trader": {}, "stall": STALL, "declaration": {"declaration": "y"}})
    journey.attach(client, documents, "id_card", docfiles.png(), "id.png")
    return documents.removesuffix("/documents")


def approved(app, client, url: str, clerk):
    """The applicant opens and submits the application; the clerk opens the case and approves it."""
    assert client.get(url).status_code == 200
    journey.submit(client, url)
    application = journey.application_for(url)
    assert application.state == "submitted"
    applicant = people.get_by_id(application.applicant_person_id)
    sign_in_as(client, clerk)
    assert client.get(f"/staff/cases/{application.public_id}").status_code == 200
    journey.staff_act(application, clerk, "approve")
    journey.run_jobs(app)
    sign_in_as(client, applicant)
    return journey.application_for(url)


def permit_text(application, tmp_path) -> str:
    permits = [d for d in document_data.for_application(application.id) if d.kind == "issued"]
    assert len(permits) == 1
    path = tmp_path / f"permit-{application.id}.pdf"
    path.write_bytes(get_document_store().read(permits[0]))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def permit_request(application) -> DocumentRequest:
    return db.session.scalar(select(DocumentRequest).where(
        DocumentRequest.application_id == application.id, DocumentRequest.output_id == "permit"))


def test_an_application_in_flight_outlives_its_template_agency_and_category(
        app, client, trader, services, factories, tmp_path):
    old_clerk = factories.staff(OLD_AGENCY, "clerk", locale="en")
    in_flight = draft(client)

    retire_and_rewrite(services)
    reload(app)
    assert get_catalogue().agency(OLD_AGENCY) is None and "business" not in get_catalogue().categories

    application = approved(app, client, in_flight, old_clerk)
    assert application.state == "approved" and application.service_version.version == 1
    text = permit_text(application, tmp_path)
    assert f"Permit form {OLD}" in text and NEW not in text
    # The retired office, as last known: its name, and its seal although the file is gone.
    assert "Phnom Penh Capital Administration" in text
    assert permit_request(application).context["seal"].startswith("data:image/svg+xml;base64,")
    receipt = [d for d in document_data.for_application(application.id) if d.kind == "receipt"]
    assert len(receipt) == 1

    new_clerk = factories.staff(NEW_AGENCY, "clerk", locale="en")
    fresh = approved(app, client, draft(client), new_clerk)
    assert fresh.service_version.version == 2
    text = permit_text(fresh, tmp_path)
    assert f"Permit form {NEW}" in text and OLD not in text
    assert "Phnom Penh Markets Office" in text


def test_a_template_edit_is_a_new_version_and_a_renamed_office_prints_its_current_name(
        app, client, trader, services, factories, tmp_path):
    clerk = factories.staff(OLD_AGENCY, "clerk", locale="en")
    before = draft(client)
    template = services / SLUG / "permit.html"
    template.write_text(template.read_text().replace(edition(OLD), edition(NEW)))  # version: 1 all the same
    edit_yaml(services / "agencies.yaml",
              lambda d: d["agencies"][0]["name"].update(en="Phnom Penh Capital Hall", km="សាលារាជធានីភ្នំពេញ"))
    reload(app)
    after = draft(client)
    assert journey.application_for(before).service_version_id != journey.application_for(after).service_version_id

    text = permit_text(approved(app, client, before, clerk), tmp_path)
    assert f"Permit form {OLD}" in text and NEW not in text
    # The office still exists: a document issued today carries its current name, not the one at pinning.
    assert "Phnom Penh Capital Hall" in text and "Capital Administration" not in text
    assert permit_text(approved(app, client, after, clerk), tmp_path).count(f"Permit form {NEW}") == 1


def test_a_version_pinned_before_templates_were_kept_renders_the_current_file_as_before(
        app, client, trader, services, factories, tmp_path):
    clerk = factories.staff(OLD_AGENCY, "clerk", locale="en")
    url = draft(client)
    version = journey.application_for(url).service_version
    # As migration 0027 leaves a row pinned before it: the hash of the YAML alone, nothing kept.
    db.session.execute(update(ServiceVersion).where(ServiceVersion.id == version.id).values(
        content_hash=hashlib.sha256(version.definition.encode()).hexdigest(),
        templates=None, agencies=None, categories=None))
    db.session.commit()
    template = services / SLUG / "permit.html"
    template.write_text(template.read_text().replace(edition(OLD), edition(NEW)))
    forget_loaded(app)

    application = approved(app, client, url, clerk)
    assert permit_request(application).template == f"{SLUG}/permit.html"
    assert f"Permit form {NEW}" in permit_text(application, tmp_path)


def test_a_guest_sees_the_retired_office_of_their_application_by_its_last_known_name(
        app, client, factories, services):
    edit_yaml(services / SLUG / "service.yaml", lambda d: d.update(without_account=True))
    reload(app)
    enrol(client, factories)
    url, _ = guests.fill_and_submit(client, guests.start_as_guest(client))
    application = journey.application_for(url)
    secret = client.get(url).soup.select_one("[data-tracking-secret]").get_text(strip=True)

    retire_and_rewrite(services)
    reload(app)
    receipt = client.get(f"/kiosk/applications/{application.public_id}/receipt")
    office = receipt.soup.select_one(".receipt dl, main dl").get_text(" ", strip=True)
    assert receipt.status_code == 200 and "រដ្ឋបាលរាជធានីភ្នំពេញ" in office  # the kiosk speaks Khmer
    phone = app.test_client()
    token = phone.get("/track?lang=en").soup.select_one("input[name=csrf_token]")["value"]
    shown = phone.post("/track?lang=en", data={"csrf_token": token, "reference": application.reference,
                                               "secret": secret})
    assert shown.status_code == 200
    assert "Phnom Penh Capital Administration" in shown.soup.select_one("[data-track-result]").get_text(" ", strip=True)
