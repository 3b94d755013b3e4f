"""Legal holds and the retention report in the browser's pages (issue 18): a supervisor of the agency places
and lifts a hold on the case page, with a reason; a clerk cannot; an administrator sees the last run and the
holds, places one by reference and lifts it. Every hold placed or lifted is in the audit log."""

from __future__ import annotations

from sqlalchemy import select

from portal.data.db import db
from portal.data.models import AuditEntry, LegalHold
from portal.domain.retention import holds, runs
from tests.sessions import sign_in_as
from tests.staff_cases import AGENCY, services_fixture, submitted  # noqa: F401 - the services fixture

REASON = "បណ្ដឹងនៅតុលាការ លេខ ១២/២០២៦"


def hold_rows(application) -> list[LegalHold]:
    db.session.expire_all()
    return list(db.session.scalars(select(LegalHold).where(LegalHold.application_id == application.id)))


def test_a_supervisor_places_and_lifts_a_hold_on_the_case_page(app, client, factories, services):
    applicant = factories.person()
    application = submitted(applicant)
    supervisor = factories.staff(AGENCY, "supervisor", locale="en")
    sign_in_as(client, supervisor)
    client.expected_lang = "en"
    url = f"/staff/cases/{application.public_id}"
    page = client.get(url)
    assert page.soup.select_one("#legal-hold form") is not None and not page.soup.select("[data-legal-hold]")

    refused = client.submit(page, {"reason": "  "}, selector="#legal-hold form")
    assert refused.status_code == 400 and "Say why" in refused.soup.select_one(".error-summary").get_text()
    assert hold_rows(application) == []

    placed = client.submit(client.get(url), {"reason": REASON}, selector="#legal-hold form", follow_redirects=True)
    assert placed.status_code == 200 and placed.soup.select("[data-legal-hold]")
    assert REASON in placed.soup.select_one("#legal-hold").get_text()
    [hold] = hold_rows(application)
    assert (hold.reason, hold.placed_by_id, hold.lifted_at) == (REASON, supervisor.id, None)
    again = client.submit(page, {"reason": "again"}, selector="#legal-hold form", follow_redirects=True)
    assert "already on legal hold" in again.get_data(as_text=True) and len(hold_rows(application)) == 1

    lifted = client.submit(placed, {"reason": "The court closed the case"}, selector="#legal-hold form",
                           follow_redirects=True)
    assert lifted.status_code == 200 and not lifted.soup.select("[data-legal-hold]")
    [hold] = hold_rows(application)
    assert hold.lifted_at is not None and hold.lifted_by_id == supervisor.id
    actions = [e.action for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.application_id == application.id).order_by(AuditEntry.id))]
    assert actions.count("legal_hold_placed") == 1 and actions.count("legal_hold_lifted") == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "legal_hold_placed",
                                                       AuditEntry.application_id == application.id))
    assert REASON not in str(entry.details)  # the reason stays on the hold


def test_a_clerk_sees_the_hold_but_cannot_place_or_lift_one(app, client, factories, services):
    application = submitted(factories.person())
    holds.place(application, REASON, factories.staff(AGENCY, "supervisor"))
    db.session.commit()
    clerk = factories.staff(AGENCY, "clerk", locale="en")
    sign_in_as(client, clerk)
    client.expected_lang = "en"
    url = f"/staff/cases/{application.public_id}"
    page = client.get(url)
    assert page.soup.select("[data-legal-hold]") and page.soup.select_one("#legal-hold form") is None
    token = client.csrf_token()
    assert client.post(f"{url}/hold/lift", data={"reason": "no", "csrf_token": token}).status_code == 404
    assert client.post(f"{url}/hold", data={"reason": "no", "csrf_token": token}).status_code == 404
    assert hold_rows(application)[0].lifted_at is None


def test_the_admin_page_shows_the_last_run_and_the_holds_and_places_one_by_reference(
        app, client, factories, services):
    application = submitted(factories.person())
    runs.run(dry_run=True, started_by="cli")
    runs.run(started_by="cli")
    admin = factories.admin(locale="en")
    sign_in_as(client, admin)
    client.expected_lang = "en"
    page = client.get("/admin/retention")
    assert page.status_code == 200
    text = page.soup.select_one("main").get_text(" ", strip=True)
    assert "Last run" in text and "Last dry run" in text and "No application is on legal hold." in text

    place = "form[action='/admin/retention/holds']"
    unknown = client.submit(page, {"reference": "XX-NOPE", "reason": REASON}, selector=place)
    assert unknown.status_code == 400 and "No application has this reference" in unknown.get_data(as_text=True)
    no_reason = client.submit(page, {"reference": application.reference, "reason": ""}, selector=place)
    assert no_reason.status_code == 400 and hold_rows(application) == []

    placed = client.submit(page, {"reference": application.reference.lower(), "reason": REASON}, selector=place,
                           follow_redirects=True)
    assert placed.status_code == 200
    row = placed.soup.select_one("table[aria-labelledby=holds-title] tbody tr")
    assert application.reference in row.get_text() and REASON in row.get_text()
    [hold] = hold_rows(application)

    lift = f"form[action='/admin/retention/holds/{hold.public_id}/lift']"
    no_lift_reason = client.submit(placed, {"reason": ""}, selector=lift)
    assert no_lift_reason.status_code == 400 and hold_rows(application)[0].lifted_at is None
    lifted = client.submit(placed, {"reason": "Case closed"}, selector=lift, follow_redirects=True)
    assert "No application is on legal hold." in lifted.get_data(as_text=True)
    assert hold_rows(application)[0].lifted_by_id == admin.id
