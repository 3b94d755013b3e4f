from __future__ import annotations

from rq import Queue

from portal.data.db import db
from portal.extensions import redis_connection
from portal.jobs import queues
from portal.jobs.outbox import relay_pending, schedule
from portal.jobs.worker import make_simple_worker
from tests.reliability.jobs import always_fails
from tests.sessions import sign_in_as


def fail_one(app) -> str:
    job_id = schedule(always_fails, "smtp down")
    db.session.commit()
    relay_pending()
    make_simple_worker(app).work(burst=True)
    return job_id


def test_administrators_see_failed_jobs_with_their_error_and_can_run_them_again(app, client, factories):
    job_id = fail_one(app)
    sign_in_as(client, factories.admin(locale="en"))
    client.expected_lang = "en"
    page = client.get("/admin/jobs/failed")
    row = page.soup.select_one("table.admin-table tbody tr")
    assert "always_fails" in row.get_text() and "RuntimeError: this job always fails: smtp down" in row.get_text()
    response = client.submit(page, {}, selector="table.admin-table form")
    assert response.status_code == 302
    assert job_id in Queue(queues.DEFAULT, connection=redis_connection.client).job_ids


def test_other_people_cannot_see_failed_jobs(app, client, factories):
    job_id = fail_one(app)
    sign_in_as(client, factories.staff())
    assert client.get("/admin/jobs/failed").status_code == 404
    token = client.csrf_token()
    assert client.post(f"/admin/jobs/failed/{job_id}/retry", data={"csrf_token": token}).status_code == 404
