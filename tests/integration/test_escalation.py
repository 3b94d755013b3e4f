"""Escalation: supervisors hear about overdue and soon-due cases of their agency, once per case per
breach, from a job that RQ's cron scheduler puts on the queue."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.data import escalations
from portal.data.db import db, utcnow
from portal.data.models import Notification
from portal.domain.applications.escalation import escalate
from portal.domain.notify.messages import render
from tests.journey import run_cron_once, run_jobs
from tests.staff_cases import AGENCY, services_fixture, submitted  # noqa: F401 - the `services` fixture

pytestmark = pytest.mark.usefixtures("services")


@pytest.fixture
def applicant(factories):
    return factories.person(locale="en")


@pytest.fixture
def supervisor(factories):
    return factories.staff(AGENCY, "supervisor", locale="en")


def told(person) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.person_id == person.id, Notification.message == "cases_escalated").order_by(Notification.id)))


def test_supervisors_are_told_of_overdue_and_soon_due_cases_once(applicant, supervisor, factories):
    clerk = factories.staff(AGENCY, "clerk")
    elsewhere = factories.staff("moc", "supervisor")
    late = submitted(applicant, due_in=timedelta(hours=-3))
    soon = submitted(applicant, due_in=timedelta(hours=5))
    calm = submitted(applicant, due_in=timedelta(days=3))
    submitted(applicant, state="approved", agency=None, due_in=None)

    assert escalate() == {"breached": 1, "due_soon": 1}
    [notification] = told(supervisor)
    text = render(notification.message, notification.params, "en")
    assert "1 overdue and 1 soon due" in text.subject
    assert late.reference in text.body.split("Due within a day")[0]
    assert soon.reference in text.body.split("Due within a day")[1]
    assert calm.reference not in text.body
    assert notification.link == "/staff/queue"
    assert told(clerk) == [] and told(elsewhere) == []

    assert escalate() == {"breached": 0, "due_soon": 0}  # the next run finds nothing new
    assert len(told(supervisor)) == 1


def test_the_message_is_in_the_supervisors_language_with_khmer_digits(applicant, factories):
    supervisor = factories.staff(AGENCY, "supervisor", locale="km")
    submitted(applicant, due_in=timedelta(hours=-1))
    escalate()
    [notification] = told(supervisor)
    text = render(notification.message, notification.params, "km")
    assert "១" in text.subject and "Phnom Penh" not in text.subject


def test_a_soon_due_case_that_then_breaches_is_escalated_again_and_so_is_a_new_deadline(applicant, supervisor):
    case = submitted(applicant, due_in=timedelta(hours=5))
    now = utcnow()
    assert escalate(now) == {"breached": 0, "due_soon": 1}
    assert escalate(now + timedelta(hours=6)) == {"breached": 1, "due_soon": 0}
    assert escalate(now + timedelta(hours=7)) == {"breached": 0, "due_soon": 0}
    # The case moved on to a state with a deadline of its own, and missed that one too.
    case.state, case.due_at = "more_info", now + timedelta(hours=8)
    db.session.commit()
    assert escalate(now + timedelta(hours=9)) == {"breached": 1, "due_soon": 0}
    kinds = [(e.kind, e.state) for e in escalations.for_application(case.id)]
    assert kinds == [("due_soon", "submitted"), ("breached", "submitted"), ("breached", "more_info")]
    assert len(told(supervisor)) == 3


def test_a_case_recorded_by_another_run_is_not_told_twice(applicant, supervisor):
    case = submitted(applicant, due_in=timedelta(hours=-1))
    assert escalations.record(case, "breached", utcnow()) is True
    assert escalations.record(case, "breached", utcnow()) is False  # the unique key refuses the second
    db.session.commit()
    assert escalate() == {"breached": 0, "due_soon": 0} and told(supervisor) == []


def test_the_cron_scheduler_puts_the_job_on_the_queue_and_a_worker_runs_it(app, applicant, supervisor):
    late = submitted(applicant, due_in=timedelta(hours=-1))
    assert sorted(run_cron_once(app)) == ["portal.domain.api_writes.purge_idempotency_keys",
                                          "portal.domain.applications.escalation.escalate_due_cases",
                                          "portal.domain.audit.head.publish_head",
                                          "portal.domain.identity.sessions.purge_expired_sessions",
                                          "portal.domain.organisations.invitations.expire_invitations",
                                          "portal.domain.personal_data.exports.purge",
                                          "portal.domain.retention.runs.run_retention",
                                          "portal.domain.webhooks.purge_deliveries",
                                          "portal.payments.polling.schedule_polls"]
    run_jobs(app)
    [notification] = told(supervisor)
    assert late.reference in render(notification.message, notification.params, "en").body


@pytest.mark.no_db_transaction
def test_four_runs_at_once_tell_the_supervisor_once(app):
    """Several workers each enqueue the job (portal.jobs.cron): runs that overlap must still tell the
    supervisor once. PostgreSQL only: SQLite is the one-worker development database."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises the portal's single worker")
    from portal.data.models import Application, Escalation, NotificationDelivery, OutboxMessage, Person
    from tests import factories

    # The module's `services` fixture has loaded the fixture service and synced its agency.
    applicant = factories.person()
    supervisor = factories.staff(AGENCY, "supervisor")
    case = submitted(applicant, due_in=timedelta(hours=-2))
    people_ids, case_id = [applicant.id, supervisor.id], case.id
    db.session.rollback()  # no transaction of ours may stay open while the runs write
    start, results, failures = threading.Barrier(4), [], []

    def run() -> None:
        with app.app_context():
            try:
                start.wait()
                results.append(escalate())
            except BaseException as error:  # noqa: BLE001 - reported below
                db.session.rollback()
                failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not failures, failures
        assert sum(r["breached"] for r in results) == 1
        assert len(escalations.for_application(case_id)) == 1
        assert len(told(db.session.get(Person, supervisor.id))) == 1
    finally:
        notifications = select(Notification.id).where(Notification.person_id.in_(people_ids))
        deliveries = [d for (d,) in db.session.execute(
            select(NotificationDelivery.id).where(NotificationDelivery.notification_id.in_(notifications)))]
        db.session.execute(OutboxMessage.__table__.delete().where(
            OutboxMessage.job_id.in_([f"deliver-{d}" for d in deliveries])))
        db.session.execute(NotificationDelivery.__table__.delete().where(NotificationDelivery.id.in_(deliveries)))
        db.session.execute(Notification.__table__.delete().where(Notification.person_id.in_(people_ids)))
        db.session.execute(Escalation.__table__.delete().where(Escalation.application_id == case_id))
        db.session.execute(Application.__table__.delete().where(Application.id == case_id))
        for person_id in people_ids:
            person = db.session.get(Person, person_id)
            person.staff_roles.clear()
            db.session.delete(person)
        db.session.commit()


def test_an_agency_without_a_supervisor_is_told_once_it_has_one(applicant, factories):
    late = submitted(applicant, due_in=timedelta(hours=-1))
    assert escalate() == {"breached": 0, "due_soon": 0}  # nobody to tell: nothing recorded
    assert escalations.for_application(late.id) == []
    supervisor = factories.staff(AGENCY, "supervisor")
    assert escalate() == {"breached": 1, "due_soon": 0}
    assert len(told(supervisor)) == 1
