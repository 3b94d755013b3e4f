"""Inviting members into a business: the owner learns nothing about whose contact it is, nobody becomes a
member (or sees the business's files, or is seen by name) without accepting, and invitations are throttled.

The tests of the security issue work through the pages only, so that they also run (and fail) against the
portal before invitations existed; what they need of the new code is imported where it is used."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.data import notifications, organisations, people
from portal.data.db import db
from portal.data.models import AuditEntry, Document, Notification
from portal.jobs.outbox import relay_pending
from portal.jobs.worker import make_simple_worker
from portal.redis_server import connect
from tests import docfiles, factories
from tests.integration.test_business import business_url, member_roles
from tests.sessions import sign_in_as
from tests.sessions import sign_in_through_form as sign_in

INVITE_FORM = "main form:has(#contact)"


@pytest.fixture
def owner(client):
    someone = factories.person(email="owner@example.com", locale="en", name_latin="Sok Chanthy")
    sign_in(client, someone)
    client.expected_lang = "en"
    return someone


@pytest.fixture
def shop(owner):
    return factories.business(owner=owner, name_km="ហាងលក់គ្រឿងទេស", name_en="Spice Shop")


@pytest.fixture
def dara():
    return factories.person(email="dara@example.com", phone="+85512345678", locale="en",
                            name_latin="Dara Vann", name_km="ដារា វណ្ណ")


def invite(client, organisation, contact: str, role: str | None = None, **kwargs):
    """What an owner does: open the business page, fill in its invitation form, send it."""
    page = client.get(business_url(organisation), **kwargs)
    data = {"contact": contact} | ({"role": role} if role is not None else {})
    return client.submit(page, data, selector=INVITE_FORM, **kwargs)


def invitation_rows(organisation) -> list:
    from portal.data.models import OrganisationInvitation

    db.session.expire_all()
    return list(db.session.scalars(select(OrganisationInvitation).where(
        OrganisationInvitation.organisation_id == organisation.id).order_by(OrganisationInvitation.id)))


def notice(page) -> str:
    notices = page.soup.select_one(".notices")
    return notices.get_text(" ", strip=True) if notices else ""


def errors(response) -> list[str]:
    return [el.get_text(" ", strip=True) for el in response.soup.select(".error-summary li, .error-summary p")]


def waiting(page) -> list[list[str]]:
    """The owner's list of invitations, one list of cell texts per row."""
    return [[cell.get_text(" ", strip=True) for cell in row.select("th, td")]
            for row in page.soup.select("table.invitations tbody tr")]


def answer(client, person, which: str):
    """`person` signs in, opens their account page and presses Accept or Decline on the (only) invitation."""
    sign_in(client, person)
    client.expected_lang = person.locale
    page = client.get("/account")
    return client.submit(page, {}, selector=f"#invitations form[action$='/{which}']")


def run_jobs(app) -> None:
    """What the relay and a worker do, until no job leaves another behind (telling an invited person
    schedules the email and SMS deliveries)."""
    while relay_pending():
        make_simple_worker(app).work(burst=True)
    db.session.expire_all()


class TestTheOwnersAnswer:
    def test_is_the_same_whether_the_contact_has_an_account_is_a_member_or_is_unknown(self, client, owner, shop,
                                                                                        dara):
        member = factories.person(email="mealea@example.com")
        organisations.add_member(shop, member)
        factories.person(phone="+85597123456")
        db.session.commit()
        contacts = {"dara@example.com": "dara@example.com", "nobody@example.com": "nobody@example.com",
                    "mealea@example.com": "mealea@example.com", "097 123 456": "+85597123456",
                    "097 765 4321": "+855977654321"}
        answers, pages = set(), {}
        for typed, stored in contacts.items():
            response = invite(client, shop, typed)
            pages[stored] = page = client.get(response.headers.get("Location", business_url(shop)))
            answers.add((response.status_code, response.headers.get("Location"), notice(page)))
        assert len(answers) == 1, answers  # one answer, whoever the contact belongs to
        [(status, location, text)] = answers
        assert status == 302 and location == business_url(shop)
        assert "If this email address or phone number belongs to an account" in text and "expires on" in text
        # Each contact is listed as the owner typed it, in a row that is otherwise like every other.
        rows = set()
        for stored, page in pages.items():
            [row] = [cells for cells in waiting(page) if cells[0] == stored]
            rows.add(tuple(cell.replace(stored, "...") for cell in row))
        assert len(rows) == 1, rows
        assert len(invitation_rows(shop)) == len(contacts)

    def test_shows_no_name_of_the_invited_person_anywhere_before_they_accept(self, client, owner, shop, dara):
        response = invite(client, shop, "012 345 678")
        assert response.status_code == 302
        page = client.get(business_url(shop)).get_data(as_text=True)
        for name in ("Dara Vann", "ដារា", "dara@example.com", dara.public_id):
            assert name not in page
        assert "+85512345678" in page  # what the owner typed, and nothing more

    def test_is_an_error_only_for_what_the_owner_already_knows(self, client, owner, shop):
        yourself = invite(client, shop, "Owner@Example.com")
        assert yourself.status_code == 400 and "your own email address" in errors(yourself)[0]
        assert invite(client, shop, "nobody@example.com").status_code == 302
        again = invite(client, shop, "nobody@example.com", role="owner")
        assert again.status_code == 400 and "already invited" in errors(again)[0]
        assert [(i.contact, i.role) for i in invitation_rows(shop)] == [("nobody@example.com", "member")]

    @pytest.mark.parametrize("contact, message", [
        ("", "Enter the email address or mobile phone number of the person you want to invite"),
        ("សុខ", "Enter an email address"),
        ("🙂", "Enter an email address"),
        ("sok@", "correct format"),
        ("x" * 300, "254 characters or fewer"),
    ])
    def test_an_unusable_contact_is_refused_and_nothing_is_made(self, client, owner, shop, contact, message):
        response = invite(client, shop, contact)
        assert response.status_code == 400
        messages = errors(response)
        assert len(messages) == 1 and message in messages[0]
        assert response.soup.select_one("#contact")["aria-invalid"] == "true"
        assert invitation_rows(shop) == []

    @pytest.mark.parametrize("role", ["admin", "", "ម្ចាស់", "🙂"])
    def test_a_forged_role_is_refused(self, client, owner, shop, role):
        response = invite(client, shop, "dara@example.com", role=role)
        assert response.status_code == 400 and "Choose a role" in errors(response)[0]
        assert invitation_rows(shop) == []

    def test_inviting_without_the_csrf_token_is_refused(self, client, owner, shop):
        response = client.post(business_url(shop) + "/invitations", data={"contact": "dara@example.com"})
        assert response.status_code == 400
        assert invitation_rows(shop) == []


class TestTheInvitedPerson:
    def test_becomes_a_member_only_by_accepting_with_the_role_offered(self, client, owner, shop, dara):
        assert invite(client, shop, "dara@example.com", role="owner").status_code == 302
        assert dara.public_id not in member_roles(shop)
        sign_in(client, dara)
        assert client.get(business_url(shop)).status_code == 404  # not a member yet
        page = client.get("/account")
        offer = page.soup.select_one("#invitations").get_text(" ", strip=True)
        assert "Spice Shop" in offer and "Owner" in offer and "dara@example.com" in offer
        accepted = client.submit(page, {}, selector="#invitations form[action$='/accept']")
        assert accepted.status_code == 302 and accepted.headers["Location"] == business_url(shop)
        assert member_roles(shop)[dara.public_id] == "owner"
        shown = client.get(business_url(shop))
        assert "You are now a member of Spice Shop." in notice(shown)
        assert client.get("/account").soup.select_one("#invitations") is None
        # The owner now sees the name, and the invitation has left the list.
        sign_in(client, owner)
        page = client.get(business_url(shop))
        assert "ដារា វណ្ណ" in page.soup.select_one("table.members").get_text()
        assert waiting(page) == []

    def test_who_declines_is_not_a_member_and_the_owner_cannot_tell_it_from_silence(self, client, owner, shop, dara):
        invite(client, shop, "dara@example.com")
        before = client.get(business_url(shop))
        declined = answer(client, dara, "decline")
        assert declined.status_code == 302 and declined.headers["Location"] == "/account"
        assert "You declined the invitation from Spice Shop" in notice(client.get("/account"))
        assert dara.public_id not in member_roles(shop)
        assert client.get("/account").soup.select_one("#invitations") is None
        [invitation] = invitation_rows(shop)
        assert invitation.status == "declined"
        assert client.post(f"/account/invitations/{invitation.public_id}/accept",
                           data={"csrf_token": client.csrf_token()}).status_code == 404
        sign_in(client, owner)
        client.expected_lang = "en"
        assert waiting(client.get(business_url(shop))) == waiting(before)
        assert invite(client, shop, "dara@example.com").status_code == 400  # no second message to Dara
        assert "Dara Vann" not in client.get(business_url(shop)).get_data(as_text=True)

    def test_finds_an_invitation_sent_before_they_had_an_account_once_they_have_one(self, client, owner, shop):
        invite(client, shop, "newcomer@example.com")
        # However the account comes to be (registration proves the contact), it has the invited contact.
        newcomer = factories.person(email="newcomer@example.com")
        sign_in(client, newcomer)
        client.expected_lang = None
        page = client.get("/account")
        assert "ហាងលក់គ្រឿងទេស" in page.soup.select_one("#invitations").get_text()

    def test_only_the_person_it_was_sent_to_can_answer_it(self, client, owner, shop, dara):
        invite(client, shop, "dara@example.com")
        [invitation] = invitation_rows(shop)
        someone_else = factories.person(email="someone@example.com")
        sign_in(client, someone_else)
        client.expected_lang = None
        assert client.get("/account").soup.select_one("#invitations") is None
        for which in ("accept", "decline"):
            response = client.post(f"/account/invitations/{invitation.public_id}/{which}",
                                   data={"csrf_token": client.csrf_token()})
            assert response.status_code == 404
        assert client.get(f"/account/invitations/{invitation.public_id}/accept").status_code == 405
        sign_in(client, dara)
        assert client.post(f"/account/invitations/{invitation.public_id}/accept").status_code == 400  # no CSRF
        assert invitation_rows(shop)[0].status == "pending" and len(member_roles(shop)) == 1

    def test_sees_the_business_as_an_owner_for_uploads_only_after_accepting(self, client, owner, shop, dara):
        invite(client, shop, "dara@example.com")
        sign_in(client, dara)
        client.expected_lang = "en"

        def owner_choices():
            return [o["value"] for o in client.get("/documents").soup.select("select#owner option")]

        def upload_for_the_business():
            page = client.get("/documents")
            return client.post("/documents", data={
                "csrf_token": client.form_values(page, "form[enctype]")[1]["csrf_token"], "owner": shop.public_id,
                "file": (io.BytesIO(docfiles.pdf()), "a.pdf")}, content_type="multipart/form-data")

        assert shop.public_id not in owner_choices()
        assert upload_for_the_business().status_code in (400, 404)
        assert db.session.scalar(select(func.count()).select_from(Document).where(
            Document.owner_organisation_id == shop.id)) == 0
        client.submit(client.get("/account"), {}, selector="#invitations form[action$='/accept']")
        assert shop.public_id in owner_choices()
        assert upload_for_the_business().status_code == 302

    def test_is_told_in_their_language_without_the_business_name_and_strangers_are_sent_nothing(
            self, app, client, owner, shop):
        khmer = factories.person(email="srey@example.com", phone="+85512999888", locale="km")
        sent_before = db.session.scalar(select(func.count()).select_from(Notification))
        invite(client, shop, "nobody@example.com")
        invite(client, shop, "097 765 4321")
        run_jobs(app)
        assert db.session.scalar(select(func.count()).select_from(Notification)) == sent_before
        mails = _files(app, "mail")
        invite(client, shop, "srey@example.com")
        run_jobs(app)
        [told] = notifications.inbox(khmer.id)
        assert told.link == "/account#invitations"
        assert sorted(d.channel for d in told.deliveries) == ["email", "sms"]
        [mail] = _files(app, "mail") - mails
        email = message_from_bytes(mail.read_bytes(), policy=policy.default)
        assert email["To"] == "srey@example.com"
        assert email["Subject"] == "អ្នកត្រូវបានអញ្ជើញឱ្យចូលរួមជាមួយអាជីវកម្មមួយ"
        assert "ហាងលក់គ្រឿងទេស" not in email.get_content() and "Spice Shop" not in email.get_content()
        # The job looked each contact up once; run again, it tells nobody twice.
        from portal.domain.organisations.invitations import tell_invited_person

        assert all(i.looked_up_at is not None for i in invitation_rows(shop))
        assert tell_invited_person(invitation_rows(shop)[-1].id) == "done already"
        assert len(notifications.inbox(khmer.id)) == 1

    def test_a_member_already_in_the_business_is_not_told_and_sees_nothing_to_answer(self, app, client, owner,
                                                                                       shop, dara):
        organisations.add_member(shop, people.get_by_public_id(dara.public_id))
        db.session.commit()
        invite(client, shop, "dara@example.com", role="owner")
        run_jobs(app)
        assert notifications.inbox(dara.id) == []
        sign_in(client, dara)
        assert client.get("/account").soup.select_one("#invitations") is None
        assert member_roles(shop)[dara.public_id] == "member"

    def test_one_contact_is_told_of_at_most_three_invitations_a_day(self, app, client, dara):
        businesses = []
        for n in range(4):
            inviter = factories.person(email=f"inviter{n}@example.com")
            businesses.append(factories.business(owner=inviter, name_km=f"ហាង {n}"))
            sign_in_as(client, inviter)
            assert invite(client, businesses[-1], "dara@example.com").status_code == 302
        run_jobs(app)
        assert len(notifications.inbox(dara.id)) == 3
        sign_in(client, dara)
        client.expected_lang = "en"
        assert len(client.get("/account").soup.select("#invitations .invitation")) == 4


class TestWithdrawingAndExpiry:
    def test_an_owner_withdraws_an_invitation_and_it_can_no_longer_be_accepted(self, client, owner, shop, dara):
        invite(client, shop, "dara@example.com")
        page = client.get(business_url(shop))
        withdrawn = client.submit(page, {}, selector="table.invitations form[action$='/withdraw']")
        assert withdrawn.status_code == 302
        assert waiting(client.get(business_url(shop))) == []
        [invitation] = invitation_rows(shop)
        assert (invitation.status, invitation.contact) == ("revoked", None)
        sign_in(client, dara)
        assert client.get("/account").soup.select_one("#invitations") is None
        assert client.post(f"/account/invitations/{invitation.public_id}/accept",
                           data={"csrf_token": client.csrf_token()}).status_code == 404
        assert dara.public_id not in member_roles(shop)

    def test_withdrawing_an_invitation_of_another_business_or_twice_is_404(self, client, owner, shop):
        other = factories.business(owner=owner, name_km="ហាងទីពីរ")
        invite(client, other, "dara@example.com")
        [invitation] = invitation_rows(other)
        token = client.csrf_token()
        assert client.post(business_url(shop) + f"/invitations/{invitation.public_id}/withdraw",
                           data={"csrf_token": token}).status_code == 404
        path = business_url(other) + f"/invitations/{invitation.public_id}/withdraw"
        assert client.post(path, data={"csrf_token": token}).status_code == 302
        assert client.post(path, data={"csrf_token": token}).status_code == 404

    def test_an_invitation_past_its_date_is_gone_for_both_sides_and_the_sweep_erases_its_contact(
            self, client, owner, shop, dara):
        from portal.domain.organisations import invitations

        invite(client, shop, "dara@example.com")
        invite(client, shop, "nobody@example.com")
        for invitation in invitation_rows(shop):
            invitation.expires_at -= invitations.VALID_FOR + timedelta(minutes=1)
        db.session.commit()
        assert waiting(client.get(business_url(shop))) == []
        assert invite(client, shop, "dara@example.com").status_code == 302  # a new one may be sent
        assert invitations.expire_invitations() == 1  # the nobody@ one; dara's was replaced at once
        assert [(i.status, i.contact) for i in invitation_rows(shop)] == [
            ("expired", None), ("expired", None), ("pending", "dara@example.com")]


class TestThrottling:
    # The contacts have accounts, so that only the throttle can refuse them (before invitations, they were added).
    def test_one_account_may_send_twenty_invitations_a_day(self, client, owner, shop):
        for n in range(22):
            factories.person(email=f"person{n}@example.com")
        for n in range(20):
            assert invite(client, shop, f"person{n}@example.com").status_code == 302
        refused = invite(client, shop, "person20@example.com")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 23 * 3600
        assert "Too many invitations" in refused.soup.select_one("h1").get_text()
        assert len(invitation_rows(shop)) == 20
        # From another address too: the limit is the account's.
        assert invite(client, shop, "person21@example.com",
                      environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 429

    def test_one_address_may_send_fifty_invitations_a_day_whoever_sends_them(self, client):
        address = {"environ_base": {"REMOTE_ADDR": "203.0.113.7"}}
        for n in range(50):
            factories.person(email=f"person{n}@example.com")
        factories.person(email="one-more@example.com")
        sent = 0
        for n in range(3):
            inviter = factories.person(email=f"clerk{n}@example.com")
            business = factories.business(owner=inviter, name_km=f"ហាង {n}")
            sign_in_as(client, inviter)
            for _ in range(20 if n < 2 else 10):
                assert invite(client, business, f"person{sent}@example.com", **address).status_code == 302
                sent += 1
        refused = invite(client, business, "one-more@example.com", **address)
        assert refused.status_code == 429
        assert refused.soup.html["lang"] == "km" and "អញ្ជើញ" in refused.soup.select_one("h1").get_text()
        assert invite(client, business, "one-more@example.com",
                      environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 302

    def test_without_redis_invitations_are_still_made_and_counted_in_memory(self, client, owner, shop, dara,
                                                                          monkeypatch):
        """Issue 11: a Redis outage no longer refuses invitations; the counters fall back to this process's
        memory with halved limits (10 a day from one account), never to no limit at all."""
        from portal.domain.identity import throttle
        from portal.domain.organisations.throttle import ACCOUNT_LIMIT, InvitationThrottle
        from portal.web.accounts import business as business_routes

        monkeypatch.setattr(business_routes, "InvitationThrottle",
                            lambda client: InvitationThrottle(connect("redis://127.0.0.1:1/0")))
        throttle._local.reset()
        try:
            response = client.submit(client.get(business_url(shop)), {"contact": "dara@example.com"},
                                     selector=INVITE_FORM)
            assert response.status_code == 302
            assert len(invitation_rows(shop)) == 1
            for n in range(1, throttle.fallback_limit(ACCOUNT_LIMIT)):
                assert invite(client, shop, f"person{n}@example.com").status_code == 302
            assert invite(client, shop, "one-more@example.com").status_code == 429
        finally:
            throttle._local.reset()


class TestTheAuditLog:
    def test_records_each_step_with_ids_and_the_role_only(self, client, owner, shop, dara):
        first_seq = db.session.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0)))
        invite(client, shop, "dara@example.com")
        invite(client, shop, "nobody@example.com")
        client.submit(client.get(business_url(shop)), {},
                      selector="table.invitations tbody tr:nth-of-type(2) form[action$='/withdraw']")
        answer(client, dara, "accept")
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.seq > first_seq)
                                          .order_by(AuditEntry.seq)))
        invitation_ids = [i.public_id for i in invitation_rows(shop)]
        steps = [(e.action, e.subject_id, e.actor_id) for e in entries if e.action.startswith("invitation_")]
        assert steps == [
            ("invitation_sent", invitation_ids[0], owner.id), ("invitation_sent", invitation_ids[1], owner.id),
            ("invitation_withdrawn", invitation_ids[1], owner.id), ("invitation_accepted", invitation_ids[0], dara.id),
        ]
        written = json.dumps([e.details for e in entries], ensure_ascii=False)
        for personal in ("dara@example.com", "nobody@example.com", "+855", "Dara", "ដារា"):
            assert personal not in written
        assert {e.details["organisation"] for e in entries if e.action.startswith("invitation_")} == {shop.public_id}


def _files(app, kind: str) -> set[Path]:
    folder = Path(app.instance_path) / kind
    return set(folder.glob("*")) if folder.exists() else set()
