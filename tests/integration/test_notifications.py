"""Notifications: inbox always, email and SMS by jobs, in the recipient's language, sent once."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select

from portal.data.db import db
from portal.data.models import NotificationDelivery
from portal.domain.notify.jobs import deliver
from portal.domain.notify.service import notify
from portal.jobs.outbox import relay_pending
from portal.jobs.worker import make_simple_worker
from tests.sessions import sign_in_as

DOCUMENT = {"document": {"km": "លិខិតបញ្ជាក់ទីលំនៅ", "en": "Residence certificate"}}


def files(app, kind: str) -> set[Path]:
    folder = Path(app.instance_path) / kind
    return set(folder.glob("*")) if folder.exists() else set()


def run_jobs(app) -> None:
    relay_pending()
    make_simple_worker(app).work(burst=True)
    db.session.expire_all()  # the jobs committed through their own sessions


def test_email_and_sms_go_out_in_the_recipients_language(app, factories):
    person = factories.person(email="dara@example.com", phone="+85512345670", locale="en")
    mails_before, texts_before = files(app, "mail"), files(app, "sms")
    notify(person, "document_issued", DOCUMENT, link="/documents")
    db.session.commit()
    run_jobs(app)
    (mail,) = files(app, "mail") - mails_before
    email = message_from_bytes(mail.read_bytes(), policy=policy.default)
    assert email["To"] == "dara@example.com"
    assert email["Subject"] == "Your document is ready: Residence certificate"
    assert "http://portal.test/documents" in email.get_content()
    (text,) = files(app, "sms") - texts_before
    assert "One Window: your Residence certificate is ready" in text.read_text()


def test_a_khmer_sms_is_counted_in_ucs2_parts(app, factories):
    person = factories.person(phone="+85512345671", locale="km")
    notify(person, "document_issued", DOCUMENT, channels=("sms",))
    db.session.commit()
    run_jobs(app)
    delivery = db.session.scalar(select(NotificationDelivery))
    assert delivery.status == "sent"
    assert delivery.sms_parts >= 1


def test_a_delivery_job_run_twice_sends_once(app, factories):
    person = factories.person(email="once@example.com", phone=None)
    notification = notify(person, "document_issued", DOCUMENT, channels=("email",))
    db.session.commit()
    before = files(app, "mail")
    delivery_id = notification.deliveries[0].id
    assert deliver(delivery_id) == "sent"
    assert deliver(delivery_id) == "sent"
    assert len(files(app, "mail") - before) == 1


def test_channels_the_person_cannot_receive_are_not_created(factories):
    person = factories.person(phone="+85512345672")
    notification = notify(person, "document_issued", DOCUMENT)
    assert [d.channel for d in notification.deliveries] == ["sms"]


def test_the_inbox_shows_the_message_and_marks_it_read(client, factories):
    person = factories.person(locale="en")
    notify(person, "document_issued", DOCUMENT, link="/documents")
    db.session.commit()
    sign_in_as(client, person)
    client.expected_lang = "en"
    page = client.get("/inbox")
    assert "Your document is ready: Residence certificate" in page.soup.select_one(".inbox").get_text()
    assert page.soup.select_one(".inbox-item.unread")
    client.submit(page, {}, selector="main form")
    assert client.get("/inbox").soup.select_one(".inbox-item.unread") is None


def test_another_persons_messages_are_not_shown(client, factories):
    notify(factories.person(), "document_issued", DOCUMENT)
    db.session.commit()
    sign_in_as(client, factories.person())
    assert client.get("/inbox").soup.select_one(".inbox-item") is None
