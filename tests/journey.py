"""Walking an application through the web as the applicant does, and acting on it as staff
through the engine (the staff pages come with the back office)."""

from __future__ import annotations

import io
import threading

from sqlalchemy import select

from portal.data.db import db
from portal.data.models import Application
from portal.domain import clock
from portal.domain.applications import transitions, versions
from portal.domain.workflow import engine
from portal.jobs.cron import Cron
from portal.jobs.outbox import relay_pending
from portal.jobs.queues import DEFAULT, queue
from portal.jobs.worker import make_simple_worker


def start(client, slug: str, applicant: str = "me"):
    page = client.get(f"/services/{slug}/start")
    response = client.submit(page, {"applicant": applicant})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def fill_steps(client, first_step_url: str, answers_by_step: dict[str, dict]) -> str:
    """Submit each step's page with its answers, following the journey; returns where it ends."""
    url = first_step_url
    while "/steps/" in url:
        step_id = url.rstrip("/").rsplit("/", 1)[-1]
        page = client.get(url)
        assert page.status_code == 200, url
        response = client.submit(page, answers_by_step.get(step_id, {}), selector="main form[enctype]")
        assert response.status_code == 302, _errors(response)
        url = response.headers["Location"]
    return url


def attach(client, documents_url: str, requirement: str, data: bytes, name: str) -> None:
    page = client.get(documents_url)
    response = client.submit(page, {"requirement": requirement, "existing": "", "file": (io.BytesIO(data), name)},
                             selector="main form[enctype]", content_type="multipart/form-data")
    assert response.status_code == 302, _errors(response)


def submit(client, application_url: str):
    review = client.get(application_url + "/review")
    response = client.submit(review, {"declaration": "y"}, selector="main form[action$='/submit']")
    assert response.status_code == 302, _errors(response)
    return response


def application_for(url: str) -> Application:
    public_id = url.split("/applications/")[1].split("/")[0]
    db.session.expire_all()
    return db.session.scalar(select(Application).where(Application.public_id == public_id))


def staff_act(application: Application, person, action: str, **details) -> engine.Decision:
    """A staff member takes `action` through the engine, as the back office will."""
    service = versions.definition_for(application)
    decision = engine.decide(service, transitions.snapshot(service, application),
                             transitions.actor_for(person, False), action, now=clock.now(), **details)
    transitions.apply(service, application, decision, person)
    db.session.commit()
    return decision


def run_cron_once(app) -> list[str]:
    """Run a worker's cron thread until it has enqueued the periodic jobs (a job that never ran is due at
    once); the names of the jobs then on the default queue."""
    cron = Cron(app, queue(DEFAULT).connection)
    enqueued = threading.Event()
    original = cron.scheduler.enqueue_jobs

    def enqueue_and_signal():
        done = original()
        if done:
            enqueued.set()
        return done

    cron.scheduler.enqueue_jobs = enqueue_and_signal
    cron.start()
    try:
        assert enqueued.wait(10), "the cron scheduler did not enqueue the periodic jobs"
    finally:
        cron.stop()
    return [job.func_name for job in queue(DEFAULT).get_jobs()]


def run_jobs(app) -> None:
    relay_pending()
    make_simple_worker(app).work(burst=True)
    db.session.expire_all()


def _errors(response) -> str:
    soup = getattr(response, "soup", None)
    summary = soup.select_one(".error-summary") if soup else None
    return summary.get_text(" ", strip=True) if summary else f"status {response.status_code}"
