"""Business profiles: creating one, seeing it, and removing members (inviting: test_business_invitations.py)."""

from __future__ import annotations

import pytest

from portal.data import organisations, people
from portal.data.db import db
from tests import factories
from tests.sessions import sign_in_through_form as sign_in


@pytest.fixture
def owner(client):
    someone = factories.person(email="owner@example.com", locale="en", name_latin="Sok Chanthy")
    sign_in(client, someone)
    client.expected_lang = "en"
    return someone


@pytest.fixture
def shop(owner):
    created = factories.business(owner=owner, name_km="ហាងលក់គ្រឿងទេស", name_en="Spice Shop")
    return created


def business_url(organisation) -> str:
    return f"/account/businesses/{organisation.public_id}"


def member_roles(organisation) -> dict[str, str]:
    from sqlalchemy import select

    from portal.data.models import OrganisationMember

    db.session.expire_all()
    members = db.session.scalars(select(OrganisationMember).where(
        OrganisationMember.organisation_id == organisation.id))
    return {m.person.public_id: m.role for m in members}


def error_messages(response):
    return [el.get_text(" ", strip=True) for el in response.soup.select(".error-summary li, .error-summary p")]


class TestCreatingABusiness:
    def test_the_creator_becomes_its_owner_and_sees_it(self, client, owner):
        page = client.get("/account/businesses/new")
        assert page.status_code == 200
        assert page.soup.select_one("#name_km")["lang"] == "km"
        assert page.soup.select_one("#name_en")["lang"] == "en"
        assert page.soup.select_one("main form").has_attr("novalidate")

        response = client.submit(page, {"name_km": "ហាងលក់គ្រឿងទេស ស្រីស្រស់", "name_en": "Srey Sros Spice Shop",
                                        "registration_number": "០០០៤០១២៣", "tax_id": "k001 901234567"})
        assert response.status_code == 302
        public_id = response.headers["Location"].rsplit("/", 1)[1]
        organisation, role = organisations.get_for_member(public_id, people.get_by_public_id(owner.public_id))
        assert role == "owner"
        assert (organisation.name_km, organisation.name_en, organisation.registration_number, organisation.tax_id) == (
            "ហាងលក់គ្រឿងទេស ស្រីស្រស់", "Srey Sros Spice Shop", "00040123", "K001-901234567")

        shown = client.get(response.headers["Location"])
        text = shown.soup.main.get_text(" ", strip=True)
        assert "Srey Sros Spice Shop" in text and "K001-901234567" in text and "Owner" in text
        assert "Spice Shop" in client.get("/account").soup.main.get_text(" ", strip=True)

    def test_only_the_khmer_name_is_needed(self, client, owner):
        response = client.submit(client.get("/account/businesses/new"), {"name_km": "ហាង ABC"})
        assert response.status_code == 302

    def test_the_pages_need_a_signed_in_person(self, client):
        assert client.get("/account/businesses/new").status_code == 302

    @pytest.mark.parametrize("field, value, message", [
        ("name_km", "", "Enter the business name in Khmer"),
        ("name_km", "\u200b ", "Enter the business name in Khmer"),
        ("name_km", "Spice Shop", "Write the business name in Khmer script"),
        ("name_km", "ហាង🙂", "not emoji"),
        ("name_km", "ហ", "at least 2 characters"),
        ("name_km", "ហ" * 201, "200 characters or fewer"),
        ("name_en", "ហាងលក់គ្រឿងទេស", "Latin letters"),
        ("name_en", "Spice 🙂", "Latin letters"),
        ("name_en", "S", "at least 2 characters"),
        ("name_en", "a" * 201, "200 characters or fewer"),
        ("registration_number", "លេខ", "as printed on the Ministry of Commerce certificate"),
        ("registration_number", "12🙂", "as printed on the Ministry of Commerce certificate"),
        ("registration_number", "ABC", "as printed on the Ministry of Commerce certificate"),
        ("registration_number", "1" * 41, "40 characters or fewer"),
        ("tax_id", "123456789", "a letter, 3 digits, a hyphen and 9 digits"),
        ("tax_id", "K001-9012345", "a letter, 3 digits, a hyphen and 9 digits"),
        ("tax_id", "ក001-901234567", "a letter, 3 digits, a hyphen and 9 digits"),
        ("tax_id", "K001-901234567🙂", "a letter, 3 digits, a hyphen and 9 digits"),
        ("tax_id", "K" * 5000, "a letter, 3 digits, a hyphen and 9 digits"),
    ])
    def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_created(
            self, client, owner, field, value, message):
        good = {"name_km": "ហាងលក់គ្រឿងទេស", "name_en": "Spice Shop", "registration_number": "00040123",
                "tax_id": "K001-901234567"}
        response = client.submit(client.get("/account/businesses/new"), {**good, field: value})
        assert response.status_code == 400
        messages = error_messages(response)
        assert len(messages) == 1 and message in messages[0]
        assert response.soup.select_one(f"#{field}")["aria-invalid"] == "true"
        assert organisations.for_member(people.get_by_public_id(owner.public_id)) == []

    def test_a_post_without_its_csrf_token_is_refused(self, client, owner):
        response = client.post("/account/businesses/new", data={"name_km": "ហាងលក់គ្រឿងទេស"})
        assert response.status_code == 400
        assert organisations.for_member(people.get_by_public_id(owner.public_id)) == []

    def test_the_khmer_page_answers_bad_input_with_an_error_summary(self, client):
        sign_in(client, factories.person())
        response = client.submit(client.get("/account/businesses/new"), {"name_km": "🙂"})
        assert response.status_code == 400
        assert response.soup.html["lang"] == "km"
        assert response.soup.select_one(".error-summary[role=alert]") is not None


class TestSeeingABusiness:
    def test_an_owner_sees_the_members_and_the_invitation_form(self, client, shop):
        page = client.get(business_url(shop))
        assert page.status_code == 200
        assert "Sok Chanthy (you)" in page.soup.select_one("table.members").get_text(" ", strip=True)
        assert page.soup.select_one("form.invite-member") is not None
        assert page.soup.select_one("#contact")["autocomplete"] == "off"

    def test_someone_who_is_not_a_member_gets_404_everywhere(self, client, shop):
        stranger = factories.person(email="stranger@example.com")
        sign_in(client, stranger)
        client.expected_lang = None
        token = client.get("/account/businesses/new").soup.select_one("main form input[name=csrf_token]")["value"]
        assert client.get(business_url(shop)).status_code == 404
        assert client.post(business_url(shop) + "/invitations",
                           data={"csrf_token": token, "contact": "stranger@example.com"}).status_code == 404
        assert client.post(business_url(shop) + f"/members/{shop.members[0].person.public_id}/remove",
                           data={"csrf_token": token}).status_code == 404
        assert len(member_roles(shop)) == 1

    def test_an_unknown_business_is_404(self, client, owner):
        assert client.get("/account/businesses/no-such-business").status_code == 404
        assert client.get("/account/businesses/" + "x" * 300).status_code == 404


class TestRemovingMembers:
    def remove(self, client, organisation, person):
        page = client.get(business_url(organisation))
        return client.submit(page, {}, selector=f"form[action$='/members/{person.public_id}/remove']")

    def test_an_owner_removes_a_member(self, client, owner, shop):
        colleague = factories.person(email="dara@example.com")
        organisations.add_member(shop, colleague)
        db.session.commit()
        response = self.remove(client, shop, colleague)
        assert response.status_code == 302
        assert colleague.public_id not in member_roles(shop)

    def test_the_last_owner_has_no_remove_button_and_cannot_be_removed(self, client, owner, shop):
        colleague = factories.person(email="dara@example.com")
        organisations.add_member(shop, colleague)
        db.session.commit()
        page = client.get(business_url(shop))
        assert page.soup.select_one(f"form[action$='/members/{owner.public_id}/remove']") is None
        token = page.soup.select_one("form.invite-member input[name=csrf_token]")["value"]
        response = client.post(business_url(shop) + f"/members/{owner.public_id}/remove", data={"csrf_token": token})
        assert response.status_code == 400
        assert "at least one owner" in error_messages(response)[0]
        assert member_roles(shop)[owner.public_id] == "owner"

    def test_with_two_owners_one_can_leave(self, client, owner, shop):
        partner = factories.person(email="partner@example.com")
        organisations.add_member(shop, partner, role="owner")
        db.session.commit()
        removed_partner = self.remove(client, shop, partner)
        assert removed_partner.status_code == 302
        organisations.add_member(shop, people.get_by_public_id(partner.public_id), role="owner")
        db.session.commit()
        left = self.remove(client, shop, owner)
        assert left.status_code == 302 and left.headers["Location"] == "/account"
        assert client.get(business_url(shop)).status_code == 404

    def test_removing_someone_who_is_not_a_member_is_404(self, client, owner, shop):
        outsider = factories.person()
        token = client.get(business_url(shop)).soup.select_one("form.invite-member input[name=csrf_token]")["value"]
        for person_id in (outsider.public_id, "no-such-person", "x" * 300):
            response = client.post(business_url(shop) + f"/members/{person_id}/remove", data={"csrf_token": token})
            assert response.status_code == 404

    def test_removing_is_only_done_with_post_and_its_csrf_token(self, client, owner, shop):
        colleague = factories.person()
        organisations.add_member(shop, colleague)
        db.session.commit()
        path = business_url(shop) + f"/members/{colleague.public_id}/remove"
        assert client.get(path).status_code == 405
        assert client.post(path).status_code == 400
        assert colleague.public_id in member_roles(shop)


class TestAPlainMember:
    @pytest.fixture
    def member(self, client, shop):
        someone = factories.person(email="dara@example.com", locale="en")
        organisations.add_member(shop, someone)
        db.session.commit()
        sign_in(client, someone)
        return someone

    def test_sees_the_members_but_no_buttons_or_forms(self, client, shop, member):
        page = client.get(business_url(shop))
        assert page.status_code == 200
        assert len(page.soup.select("table.members tbody tr")) == 2
        assert page.soup.main.select("form") == []
        assert "Only the owners" in page.soup.main.get_text()

    def test_sees_neither_the_invitations_nor_their_contacts_and_cannot_withdraw_them(self, client, shop, member,
                                                                                       owner):
        from portal.domain.identity.contacts import Contact
        from portal.domain.organisations import invitations

        invitation = invitations.invite(shop, owner, Contact("email", "invited@example.com"), "member")
        db.session.commit()
        page = client.get(business_url(shop))
        assert "invited@example.com" not in page.get_data(as_text=True)
        token = client.get("/account/businesses/new").soup.select_one("main form input[name=csrf_token]")["value"]
        response = client.post(business_url(shop) + f"/invitations/{invitation.public_id}/withdraw",
                               data={"csrf_token": token})
        assert response.status_code == 403
        db.session.expire_all()
        assert invitation.status == "pending"

    def test_cannot_invite_or_remove_members(self, client, shop, member, owner):
        factories.person(email="other@example.com")
        token = client.get("/account/businesses/new").soup.select_one("main form input[name=csrf_token]")["value"]
        invited = client.post(business_url(shop) + "/invitations",
                              data={"csrf_token": token, "contact": "other@example.com"})
        assert invited.status_code == 403
        for person in (owner, member):
            removed = client.post(business_url(shop) + f"/members/{person.public_id}/remove",
                                  data={"csrf_token": token})
            assert removed.status_code == 403
        assert len(member_roles(shop)) == 2

