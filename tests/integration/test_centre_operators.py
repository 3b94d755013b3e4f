"""Operators of centres (issue 14): administrators add and remove them on the kiosk pages and with
`flask kiosks operator-add / operator-remove / operators`; a new account gets the staff enrolment link."""

from __future__ import annotations

from sqlalchemy import select

from portal.data import people
from portal.data.db import db
from portal.data.models import AssistedSession, AuditEntry, CentreOperator, Kiosk, OutboxMessage
from portal.domain import assisted, audit, kiosks
from portal.domain.identity import enrolment
from portal.domain.identity.passwords import UNUSABLE_HASH
from portal.jobs import names
from tests.integration.test_kiosks import PLACE, actions, make_kiosk
from tests.sessions import sign_in_as


def operator_changes() -> list[dict]:
    return [d for d in actions(audit.KIOSK_CHANGE) if d["change"].startswith("operator_")]


def admin_client(client, factories):
    sign_in_as(client, factories.admin(locale="en"))
    client.expected_lang = "en"
    return client


def add(client, **values):
    page = client.get("/admin/kiosks/operators/new")
    assert page.status_code == 200
    return client.submit(page, {"centre": "ctc-test", **values})


def test_an_existing_account_found_by_phone_becomes_operator_and_gets_its_link_shown_once(app, client, factories):
    make_kiosk(factories)
    citizen = factories.person(phone="+85512600601", name_latin="Vanna Helper")
    admin_client(client, factories)
    shown = add(client, contact="012 600 601")
    assert shown.status_code == 200
    notice = shown.soup.select_one(".kiosk-link").get_text(" ", strip=True)
    assert "Vanna Helper" in notice and "/enrol" in notice  # no email address: the link is shown, once
    operator = db.session.scalar(select(CentreOperator).where(CentreOperator.person_id == citizen.id))
    assert operator is not None and operator.centre.slug == "ctc-test"
    assert db.session.get(type(citizen), citizen.id).needs_totp and enrolment.is_pending(citizen)
    [change] = operator_changes()
    assert change["operator"] == citizen.public_id and change["new_account"] is False
    listed = client.get("/admin/kiosks").soup.select_one("[data-operators='ctc-test']").get_text(" ", strip=True)
    assert "Vanna Helper" in listed
    # A person is an operator of one centre at most.
    admin = factories.admin()
    other = kiosks.create_centre(admin, slug="ctc-other", name_km="មជ្ឈមណ្ឌលផ្សេង", name_en="Other centre",
                                 kind="post_office", **PLACE)
    db.session.commit()
    again = add(client, centre=other.slug, contact="+85512600601")
    assert again.status_code == 400 and "already an operator of Test centre" in again.get_data(as_text=True)
    assert len(operator_changes()) == 1


def test_a_new_account_is_made_from_an_email_address_with_the_staff_enrolment(app, client, factories):
    make_kiosk(factories)
    admin_client(client, factories)
    response = add(client, contact="Dara.Op@ctc.org.kh", name_km="ដារា", name_latin="Dara Op")
    assert response.status_code == 302
    person = people.get_by_contact("email", "dara.op@ctc.org.kh")
    assert person.password_hash == UNUSABLE_HASH and person.name_km == "ដារា" and not person.staff_roles
    assert enrolment.is_pending(person) and person.operator_post is not None
    assert [row.arguments for row in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.job_name == names.SEND_ENROLMENT_LINK))] == [[person.id]]
    [change] = operator_changes()
    assert change["new_account"] is True and change["enrolment"] is True
    # A phone number with no account makes no account; a bad name is refused.
    refused = add(client, contact="012 600 602")
    assert refused.status_code == 400 and "enter the person's email address" in refused.soup.get_text()
    assert people.get_by_contact("phone", "+85512600602") is None
    refused = add(client, contact="new.one@ctc.org.kh", name_km="Latin")
    assert refused.status_code == 400 and people.get_by_contact("email", "new.one@ctc.org.kh") is None
    refused = add(client, contact="new.one@ctc.org.kh")
    assert refused.status_code == 400 and "Enter the operator's name" in refused.soup.get_text()


def test_removing_an_operator_asks_once_then_removes_and_is_audited(app, client, factories):
    make_kiosk(factories)
    person = factories.staff()
    assisted.make_operator(person, kiosks_centre())
    db.session.commit()
    admin_client(client, factories)
    page = client.get("/admin/kiosks")
    asked = client.submit(page, {}, selector="form[action='/admin/kiosks/operators/remove']")
    assert asked.status_code == 200 and assisted.operator_of(person) is not None
    done = client.confirm(asked)
    assert done.status_code == 302
    db.session.expire_all()
    assert assisted.operator_of(person) is None
    assert [c["change"] for c in operator_changes()] == ["operator_added", "operator_removed"]
    token = client.csrf_token()
    assert client.post("/admin/kiosks/operators/remove", data={"csrf_token": token, "person": person.public_id,
                                                               "confirm": "1"}).status_code == 404


def test_removing_an_operator_with_sessions_on_record_ends_the_open_one_and_keeps_their_record(
        app, client, factories):
    kiosk, _secret = make_kiosk(factories)
    person = factories.staff()
    operator = assisted.make_operator(person, kiosks_centre())
    citizen = factories.person()
    earlier = assisted.start(db.session.get(Kiosk, kiosk.id), operator, citizen)
    assisted.end(earlier)
    assisted.start(db.session.get(Kiosk, kiosk.id), operator, citizen)
    db.session.commit()
    admin_client(client, factories)
    token = client.csrf_token()
    response = client.post("/admin/kiosks/operators/remove",
                           data={"csrf_token": token, "person": person.public_id, "confirm": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert assisted.operator_of(person) is None and db.session.get(type(person), person.id).operator_post is None
    assert all(s.ended_at is not None for s in db.session.scalars(select(AssistedSession)))
    # The row stays, marked removed: the sessions they ran still name them.
    row = db.session.scalar(select(CentreOperator).where(CentreOperator.person_id == person.id))
    assert row.removed_at is not None and row.id == operator.id
    listed = client.get("/admin/kiosks").soup.select_one("[data-operators='ctc-test']")
    assert listed is None or person.display_name not in listed.get_text(" ", strip=True)
    # Added again later, the same row is theirs again.
    assisted.add_operator(None, kiosks_centre(), "email", person.email, send_link=False)
    db.session.commit()
    db.session.expire_all()
    assert assisted.operator_of(person).id == operator.id
    assert [c["change"] for c in operator_changes()] == ["operator_added", "operator_removed", "operator_added"]


def test_only_administrators_manage_operators_and_every_post_needs_its_csrf_token(app, client, factories):
    make_kiosk(factories)
    person = factories.person(email="op@ctc.org.kh")
    assisted.make_operator(person, kiosks_centre())
    db.session.commit()
    assert client.get("/admin/kiosks/operators/new").status_code == 302  # to sign in
    sign_in_as(client, factories.staff())
    assert client.get("/admin/kiosks/operators/new").status_code == 404
    token = client.csrf_token()
    for path, data in (("/admin/kiosks/operators/new", {"centre": "ctc-test", "contact": "x@ctc.org.kh",
                                                          "name_latin": "X"}),
                       ("/admin/kiosks/operators/remove", {"person": person.public_id, "confirm": "1"})):
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 404
    other = client.application.test_client()
    admin_client(other, factories)
    for path, data in (("/admin/kiosks/operators/new", {"centre": "ctc-test", "contact": "x@ctc.org.kh",
                                                          "name_latin": "X"}),
                       ("/admin/kiosks/operators/remove", {"person": person.public_id, "confirm": "1"})):
        assert other.post(path, data=data).status_code == 400  # no CSRF token
    db.session.expire_all()
    assert people.get_by_contact("email", "x@ctc.org.kh") is None and assisted.operator_of(person) is not None
    assert [c["change"] for c in operator_changes()] == ["operator_added"]


def test_the_command_line_adds_lists_and_removes_operators(app, factories):
    make_kiosk(factories)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["kiosks", "operator-add", "ctc-test", "Sok.Op@ctc.org.kh", "--name-latin", "Sok Op"])
    assert result.exit_code == 0, result.output
    assert "New account" in result.output and "/enrol" in result.output
    person = people.get_by_contact("email", "sok.op@ctc.org.kh")
    assert enrolment.link(person) in result.output
    listed = runner.invoke(args=["kiosks", "operators"])
    assert "ctc-test" in listed.output and "Sok Op" in listed.output
    citizen = factories.person(phone="+85512600603")
    result = runner.invoke(args=["kiosks", "operator-add", "ctc-test", "012600603"])
    assert result.exit_code == 0 and "/enrol" in result.output  # no authenticator yet: a link
    again = runner.invoke(args=["kiosks", "operator-add", "ctc-test", "012600603"])
    assert again.exit_code != 0 and "already an operator of ctc-test" in again.output
    unknown = runner.invoke(args=["kiosks", "operator-add", "no-centre", "012600603"])
    assert unknown.exit_code != 0 and "no centre" in unknown.output
    removed = runner.invoke(args=["kiosks", "operator-remove", "+85512600603"])
    assert removed.exit_code == 0, removed.output
    db.session.expire_all()
    assert assisted.operator_of(citizen) is None
    missing = runner.invoke(args=["kiosks", "operator-remove", "012600603"])
    assert missing.exit_code != 0 and "no operator" in missing.output
    changes = [(c["change"], c["operator"]) for c in operator_changes()]
    assert changes == [("operator_added", person.public_id), ("operator_added", citizen.public_id),
                       ("operator_removed", citizen.public_id)]
    assert {e.actor_role for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == audit.KIOSK_CHANGE)) if e.details["change"].startswith("operator_")} == {"cli"}


def kiosks_centre():
    from portal.data import kiosks as kiosk_data

    return kiosk_data.centre_by_slug("ctc-test")


def test_a_citizen_made_operator_enrols_with_the_link_and_then_signs_in_with_a_code(app, client, factories):
    from tests.integration.test_enrolment import PASSWORD, choose_password, finish, open_link

    make_kiosk(factories)
    citizen = factories.person(phone="+85512600604", name_latin="Vanna Helper")
    result = app.test_cli_runner().invoke(args=["kiosks", "operator-add", "ctc-test", "012600604"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    client.expected_lang = None
    open_link(client, link)
    assert choose_password(client).status_code == 302
    assert finish(client).status_code == 302
    db.session.expire_all()
    assert not enrolment.is_pending(citizen) and citizen.has_authenticator
    other = client.application.test_client()
    other.expected_lang = None
    signed = other.submit(other.get("/sign-in"), {"contact": "012600604", "password": PASSWORD})
    assert signed.status_code == 302 and signed.headers["Location"] == "/sign-in/code"  # an operator's second step
