"""Retention (issue 18): on a fixture service whose retention is short, applications and their documents go
after the period, not before; a legal hold stops it; a file another record uses stays; every removal is an
audit entry; the store checks clean afterwards; the dry run says what the real run then does."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from portal.data import applications as application_data
from portal.data import retention as retention_data
from portal.data.db import db
from portal.data.models import Application, AuditEntry, Blob, Document, Notification, Person
from portal.domain import clock
from portal.domain.documents import get_document_store
from portal.domain.retention import holds, runs
from tests import docfiles, journey
from tests.retention_cases import (  # noqa: F401 - the fixtures
    SLUG,
    age_every_file,
    clerk_fixture,
    closed,
    documents_of,
    filed,
    own_store_fixture,
    services_fixture,
    short_retention,
)
from tests.service_roots import edit_service
from tests.sessions import sign_in_as


def audit_entries(action: str, after: int) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action, AuditEntry.id > after)
                                   .order_by(AuditEntry.id)))


def last_audit_id() -> int:
    return db.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))


def a_year_and_a_day() -> date:
    return clock.today().replace(year=clock.today().year + 1) + timedelta(days=1)


def test_an_application_goes_after_its_years_with_its_documents_but_a_file_another_uses_stays(
        app, client, factories, services, clerk):
    shared_card = docfiles.png((40, 40))
    gone = closed(app, client, factories, clerk, "+85512000001", shared_card)
    kept = filed(client, factories, "+85512000002", shared_card)  # still open: the same file is its document too
    gone_documents = documents_of(gone.id)
    assert {d.kind for d in gone_documents} == {"upload", "receipt", "issued"}
    gone_ids, gone_public = gone.id, gone.public_id
    shared_sha = next(d.sha256 for d in gone_documents if d.kind == "upload")
    own_files = {d.sha256 for d in gone_documents} - {shared_sha}
    age_every_file()
    audit_before = last_audit_id()

    on_the_last_day = runs.run(a_year_and_a_day() - timedelta(days=1))
    assert on_the_last_day.totals.removed == 0 and db.session.get(Application, gone_ids) is not None

    dry = runs.run(a_year_and_a_day(), dry_run=True)
    assert db.session.get(Application, gone_ids) is not None  # a dry run removes nothing
    real = runs.run(a_year_and_a_day())
    assert [vars(line) for line in real.lines] == [vars(line) for line in dry.lines]
    line = next(x for x in real.lines if x.service == SLUG)
    assert (line.removed, line.documents, line.files, line.year) == (1, 3, 2, clock.today().year)

    db.session.expire_all()
    assert db.session.get(Application, gone_ids) is None
    assert not db.session.scalars(select(Document).where(Document.id.in_([d.id for d in gone_documents]))).all()
    assert not db.session.scalars(select(Notification).where(
        Notification.link == f"/applications/{gone_public}")).all()
    storage = get_document_store().storage
    assert not any(storage.exists(sha) for sha in own_files)
    assert not db.session.scalars(select(Blob).where(Blob.sha256.in_(own_files))).all()
    # The card is the other applicant's document too: its row and file stay.
    assert storage.exists(shared_sha) and db.session.get(Blob, shared_sha) is not None
    assert documents_of(kept.id) and db.session.get(Application, kept.id) is not None

    removed = audit_entries("retention_removed", audit_before)
    assert [e.subject_id for e in removed] == [gone_public]
    assert removed[0].details["rule"] == "applications_years" and removed[0].details["service"] == SLUG
    assert removed[0].actor_role == "retention" and removed[0].actor_id is None
    assert sorted(e.subject_id for e in audit_entries("retention_document_removed", audit_before)) == \
        sorted(d.public_id for d in gone_documents)
    assert "Sok" not in str([e.details for e in removed])  # what and why, never the content

    assert get_document_store().fsck().healthy
    again = runs.run(a_year_and_a_day())
    assert again.totals.removed == again.totals.documents == 0  # done once


def test_a_legal_hold_keeps_everything_until_it_is_lifted(app, client, factories, services, clerk):
    application = closed(app, client, factories, clerk, "+85512000003", docfiles.png((41, 41)))
    supervisor = factories.staff("phnom-penh-capital", "supervisor")
    documents = documents_of(application.id)
    age_every_file()
    hold = holds.place(application, "Court case 12/2026 about this stall", supervisor)
    db.session.commit()
    with pytest.raises(holds.AlreadyHeld):
        holds.place(application, "again", supervisor)
    # Two placed at the same instant: the database keeps one in force, and the other's transaction goes on.
    assert retention_data.add_hold(application.id, "at the same instant", supervisor.id) is None
    db.session.commit()

    dry = runs.run(a_year_and_a_day(), dry_run=True)
    held = runs.run(a_year_and_a_day())
    assert [vars(x) for x in held.lines] == [vars(x) for x in dry.lines]
    assert held.totals.held == 1 and held.totals.removed == held.totals.documents == 0
    db.session.expire_all()
    assert db.session.get(Application, application.id) is not None
    assert len(documents_of(application.id)) == len(documents)

    assert holds.lift(hold, "The court closed the case", supervisor)
    db.session.commit()
    assert not holds.lift(hold, "twice", supervisor)
    after = runs.run(a_year_and_a_day())
    assert after.totals.removed == 1 and after.totals.held == 0
    assert get_document_store().fsck().healthy


def test_keep_record_reduces_the_application_to_reference_service_dates_and_outcome(
        app, client, factories, services, clerk):
    edit_service(app, services, SLUG, short_retention(keep_record=True))
    application = closed(app, client, factories, clerk, "+85512000004", docfiles.png((42, 42)))
    reference, closed_at, state = application.reference, application.closed_at, application.state
    assert closed_at is not None and state == "approved"
    age_every_file()
    audit_before = last_audit_id()

    outcome = runs.run(a_year_and_a_day())
    assert (outcome.totals.reduced, outcome.totals.removed, outcome.totals.documents) == (1, 0, 3)
    db.session.expire_all()
    kept = db.session.get(Application, application.id)
    assert (kept.reference, kept.service_slug, kept.state, kept.closed_at) == (reference, SLUG, state, closed_at)
    assert kept.answers == {} and kept.applicant_name is None and not kept.events and not kept.attachments
    assert kept.reduced_at is not None and not documents_of(application.id)
    assert [e.subject_id for e in audit_entries("retention_reduced", audit_before)] == [application.public_id]
    assert get_document_store().fsck().healthy
    assert runs.run(a_year_and_a_day()).totals.reduced == 0

    # The applicant still finds the record among their applications; what it said is gone.
    sign_in_as(client, db.session.get(Person, kept.applicant_person_id))
    client.expected_lang = "en"
    listed = client.get("/applications")
    assert reference in listed.get_data(as_text=True)
    page = client.get(f"/applications/{application.public_id}")
    assert page.status_code == 200
    text = page.soup.select_one("main").get_text(" ", strip=True)
    assert reference in text and "Sok Chanthy" not in text and "olympic" not in text.lower()
    assert page.soup.select("[data-reduced-record]")


def test_the_command_prints_per_service_and_year_and_the_dry_run_removes_nothing(
        app, client, factories, services, clerk):
    application = closed(app, client, factories, clerk, "+85512000005", docfiles.png((43, 43)))
    day = a_year_and_a_day().isoformat()
    result = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run", "--as-of", day])
    assert result.exit_code == 0, result.output
    assert f"{SLUG}" in result.output and f"{clock.today().year}: 1 removed, 0 reduced; 3 documents" in result.output
    db.session.expire_all()
    assert db.session.get(Application, application.id) is not None


def test_the_daily_job_runs_on_a_worker_from_the_cron_scheduler(app, client, factories, services, clerk):
    application = closed(app, client, factories, clerk, "+85512000006", docfiles.png((44, 44)))
    application_id = application.id
    # Closed two years ago, as far as retention can tell.
    db.session.execute(update(Application).where(Application.id == application_id)
                       .values(closed_at=application.closed_at - timedelta(days=800)))
    db.session.commit()
    age_every_file()
    assert "portal.domain.retention.runs.run_retention" in journey.run_cron_once(app)
    journey.run_jobs(app)
    assert db.session.get(Application, application_id) is None
    last = runs.last_run()
    assert last.started_by == "schedule" and last.totals["removed"] == 1 and last.totals["documents"] == 3
    assert get_document_store().fsck().healthy


def test_applications_closed_before_closing_times_were_kept_get_the_time_of_their_last_event(
        app, client, factories, services, clerk):
    application = closed(app, client, factories, clerk, "+85512000007", docfiles.png((45, 45)))
    last_event = max(e.at for e in application.events)
    db.session.execute(update(Application).where(Application.id == application.id).values(closed_at=None))
    still_open = filed(client, factories, "+85512000008", docfiles.png((46, 46)))
    db.session.commit()
    runs.run(dry_run=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).closed_at == last_event
    assert db.session.get(Application, still_open.id).closed_at is None


def test_a_certificate_reused_by_another_application_goes_with_the_last_one_and_the_dry_run_agrees(
        app, client, factories, services, clerk):
    edit_service(app, services, SLUG, short_retention(years=2, documents_years=1))
    first = closed(app, client, factories, clerk, "+85512000009", docfiles.png((47, 47)))
    permit = db.session.scalar(select(Document).where(Document.application_id == first.id,
                                                      Document.kind == "issued"))
    second = filed(client, factories, "+85512000010", docfiles.png((48, 48)))
    application_data.attach(second, "id_card", permit.id)  # its holder shows it again, as people do
    db.session.commit()
    permit_id, first_id = permit.id, first.id
    age_every_file()

    def both_ways(day: date):
        dry = runs.run(day, dry_run=True)
        real = runs.run(day)
        assert [vars(line) for line in real.lines] == [vars(line) for line in dry.lines]
        db.session.expire_all()
        return real

    both_ways(a_year_and_a_day())  # the first's documents go, but the permit the second uses
    assert db.session.get(Document, permit_id) is not None
    journey.staff_act(db.session.get(Application, second.id), clerk, "approve")
    journey.run_jobs(app)
    later = both_ways(clock.today().replace(year=clock.today().year + 5))
    assert later.totals.removed == 2
    assert db.session.get(Document, permit_id) is None and db.session.get(Application, first_id) is None
    assert get_document_store().fsck().healthy


def test_a_closed_account_goes_in_the_run_after_retention_removed_its_last_case(
        app, client, factories, services, clerk):
    from portal.domain.personal_data import closing
    from tests.factories import PASSWORD

    case = closed(app, client, factories, clerk, "+85512000091", docfiles.png((44, 44)))
    case_id = case.id
    person = db.session.get(Person, case.applicant_person_id)
    person_id, public_id = person.id, person.public_id
    closing.finish(closing.close(person, PASSWORD))
    never_closed = factories.person(phone="+85512000092").id  # no application either: an account, not a leftover
    db.session.commit()
    age_every_file()
    audit_before = last_audit_id()

    # The case is kept for its years, and with it what is left of the person who made it.
    assert runs.run(a_year_and_a_day() - timedelta(days=1)).accounts == 0
    assert db.session.get(Person, person_id) is not None
    # The run that removes the case leaves the row for the next run, so that a dry run can say what goes.
    assert runs.run(a_year_and_a_day()).accounts == 0
    assert db.session.get(Application, case_id) is None and db.session.get(Person, person_id) is not None

    dry = runs.run(a_year_and_a_day(), dry_run=True)
    assert dry.accounts == 1 and db.session.get(Person, person_id) is not None
    real = runs.run(a_year_and_a_day())
    assert real.accounts == dry.accounts == 1 and real.counts() == dry.counts()
    db.session.expire_all()
    assert db.session.get(Person, person_id) is None
    assert db.session.get(Person, never_closed) is not None
    [entry] = audit_entries("retention_account_removed", audit_before)
    assert (entry.subject_id, entry.actor_role, entry.details) == (public_id, "retention", {"rule": "account_closed"})
    assert get_document_store().fsck().healthy

    sign_in_as(client, factories.admin(locale="en"))
    client.expected_lang = "en"
    report = client.get("/admin/retention").soup.select_one("main").get_text(" ", strip=True)
    assert "Closed accounts with no kept case left (their anonymised row goes): 1." in report
    assert runs.run(a_year_and_a_day()).accounts == 0  # done once


def test_a_former_kiosk_operators_closed_account_stays_while_the_sessions_they_ran_name_them(app, client, factories):
    """The person's row cascades to their operator row, which the assisted sessions they ran keep: so the
    person's row is kept too, and the dry run does not promise a removal every run would fail at."""
    from portal.data.models import Kiosk
    from portal.domain import assisted
    from portal.domain.personal_data import closing
    from tests.factories import PASSWORD
    from tests.integration.test_kiosks import enrolled

    kiosk, _secret, _response = enrolled(client, factories)
    kiosk = db.session.get(Kiosk, kiosk.id)
    operator_person = factories.person(email="operator@ctc.example", name_latin="Dara Operator")
    assisted.start(kiosk, assisted.make_operator(operator_person, kiosk.centre), factories.person(phone="+85512777001"))
    assisted.remove_operator(factories.admin(), operator_person)
    db.session.commit()
    operator_id = operator_person.id
    closing.finish(closing.close(operator_person, PASSWORD))
    db.session.commit()

    dry = runs.run(a_year_and_a_day(), dry_run=True)
    real = runs.run(a_year_and_a_day())
    assert (dry.accounts, real.accounts, real.failed) == (0, 0, 0)
    assert db.session.get(Person, operator_id) is not None


def test_a_kiosk_session_goes_a_year_after_it_ended_with_its_consent_form_unless_a_kept_application_names_it(
        app, client, factories, services):
    from portal.data.models import AssistedSession, Kiosk
    from portal.domain import assisted
    from tests.integration.test_kiosks import enrolled

    kiosk, _secret, _response = enrolled(client, factories)
    kiosk = db.session.get(Kiosk, kiosk.id)
    operator_person = factories.person(email="operator@ctc.example")
    operator = assisted.make_operator(operator_person, kiosk.centre)
    citizen = factories.person(phone="+85512777011")
    nothing_filed = assisted.start(kiosk, operator, citizen)
    form = get_document_store().add_upload(docfiles.pdf("signed consent"), "consent.pdf", created_by=operator_person,
                                           owner_person=citizen, max_bytes=10**6)
    assisted.record_paper_consent(nothing_filed, form)
    assisted.end(nothing_filed)
    filed_in = assisted.start(kiosk, operator, factories.person(phone="+85512777012"))
    assisted.end(filed_in)
    application = filed(client, factories, "+85512777013", docfiles.png((45, 45)))  # open: kept
    db.session.execute(update(Application).where(Application.id == application.id)
                       .values(assisted_session_id=filed_in.id))
    db.session.commit()
    gone_id, kept_id, form_id, form_sha = nothing_filed.id, filed_in.id, form.id, form.sha256
    age_every_file()
    audit_before = last_audit_id()

    assert runs.run(a_year_and_a_day() - timedelta(days=1)).sessions == 0
    dry = runs.run(a_year_and_a_day(), dry_run=True)
    real = runs.run(a_year_and_a_day())
    assert real.sessions == dry.sessions == 1 and real.counts() == dry.counts() and real.failed == 0
    db.session.expire_all()
    assert db.session.get(AssistedSession, gone_id) is None and db.session.get(AssistedSession, kept_id) is not None
    assert db.session.get(Document, form_id) is None and db.session.get(Blob, form_sha) is None
    assert not get_document_store().storage.exists(form_sha)
    assert [e.subject_id for e in audit_entries("retention_kiosk_session_removed", audit_before)] == \
        [nothing_filed.public_id]
    assert [e.subject_id for e in audit_entries("retention_document_removed", audit_before)] == [form.public_id]
    assert get_document_store().fsck().healthy
    assert runs.run(a_year_and_a_day()).sessions == 0  # done once
