from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.data import agencies as agency_data
from portal.data import people
from portal.data import staff as staff_data
from portal.data.db import db
from portal.data.models import OutboxMessage
from portal.domain.i18n.formatting import date_time
from portal.domain.identity import enrolment
from portal.domain.identity.passwords import UNUSABLE_HASH
from tests.sessions import sign_in_as as sign_in


@pytest.fixture
def admin_client(client, factories):
    client.admin = factories.admin(name_latin="Tep Sotheany", locale="en")
    sign_in(client, client.admin)
    client.expected_lang = "en"
    return client


def new_staff_values(**overrides) -> dict:
    values = {"email": "vanna.keo@moc.gov.kh", "name_km": "កែវ វណ្ណា", "name_latin": "Keo Vanna",
              "agency": "moc", "role": "clerk"}
    values.update(overrides)
    return values


def outbox_jobs() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.job_name).order_by(OutboxMessage.id)))


def roles(person) -> set[tuple[str, str]]:
    return {(r.agency.slug, r.role) for r in staff_data.roles_of(person)}


class TestWhoMayEnter:
    def test_a_signed_out_visitor_is_sent_to_sign_in(self, client):
        response = client.get("/admin/staff")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in")

    @pytest.mark.parametrize("path", ["/admin/staff", "/admin/staff/new"])
    def test_a_signed_in_citizen_gets_not_found_as_if_the_area_did_not_exist(self, client, factories, path):
        sign_in(client, factories.person())
        response = client.get(path)
        assert response.status_code == 404

    def test_a_signed_in_citizen_cannot_post_to_the_area_either(self, client, factories):
        sign_in(client, factories.person())
        home = client.get("/")
        response = client.post("/admin/staff/new", data={"csrf_token": csrf_token(home), **new_staff_values()})
        assert response.status_code == 404
        assert not people.email_taken("vanna.keo@moc.gov.kh")

    def test_a_clerk_gets_not_found_even_for_their_own_staff_page(self, client, factories):
        clerk = factories.staff()
        sign_in(client, clerk)
        assert client.get(f"/admin/staff/{clerk.public_id}").status_code == 404

    def test_the_layout_links_administrators_to_the_staff_list(self, admin_client):
        response = admin_client.get("/admin/staff?lang=en")
        assert response.status_code == 200
        assert response.soup.select_one("nav.site-nav a[href='/admin/staff']") is not None


class TestStaffList:
    def test_lists_staff_with_their_agency_roles_and_status(self, admin_client, factories):
        clerk = factories.staff("moc", "clerk", name_latin="Heng Sovann", name_km="ហេង សុវណ្ណ")
        agency_data.grant_role(clerk, agency_data.get_by_slug("gdt"), "supervisor")
        response = admin_client.get("/admin/staff?lang=en")
        row = next(tr for tr in response.soup.select("tbody tr") if "Heng Sovann" in tr.get_text())
        text = " ".join(row.get_text(" ").split())
        assert "Clerk, Ministry of Commerce" in text
        assert "Supervisor, General Department of Taxation" in text
        assert "Active" in text

    def test_staff_pages_are_addressed_by_opaque_ids(self, admin_client, factories):
        clerk = factories.staff()
        response = admin_client.get("/admin/staff?lang=en")
        links = [a["href"] for a in response.soup.select("tbody a")]
        assert f"/admin/staff/{clerk.public_id}" in links
        assert f"/admin/staff/{clerk.id}" not in links

    def test_citizens_and_administrators_without_roles_are_not_listed(self, admin_client, factories):
        factories.person(email="citizen@example.com", name_latin="Plain Citizen")
        response = admin_client.get("/admin/staff?lang=en")
        assert "Plain Citizen" not in response.get_data(as_text=True)
        assert "Tep Sotheany" not in response.get_data(as_text=True)


class TestCreatingAStaffMember:
    def test_the_admin_creates_a_clerk_who_gets_an_enrolment_link_and_the_admin_sees_no_credentials(
            self, admin_client):
        form_page = admin_client.get("/admin/staff/new?lang=en")
        assert form_page.soup.select_one("main form").has_attr("novalidate")
        response = admin_client.submit(form_page, new_staff_values())
        person = people.get_by_email("vanna.keo@moc.gov.kh")
        assert response.status_code == 302 and response.headers["Location"] == f"/admin/staff/{person.public_id}"
        assert person.name_km == "កែវ វណ្ណា" and person.name_latin == "Keo Vanna"
        assert roles(person) == {("moc", "clerk")}
        assert not person.is_admin and person.is_active
        # Nobody has credentials for the account yet: the staff member chooses them with the link.
        assert person.password_hash == UNUSABLE_HASH and not person.has_authenticator
        assert enrolment.is_pending(person)
        assert outbox_jobs() == ["identity.send_enrolment_link"]

        page = admin_client.get(response.headers["Location"])
        text = " ".join(page.soup.get_text(" ").split())
        assert "An enrolment link was sent to the staff member's email address" in text
        expires = date_time(person.enrolment_expires_at, "medium", "en")
        assert f"The link works once, until {expires}" in text
        assert "Not enrolled yet" in admin_client.get("/admin/staff?lang=en").get_data(as_text=True)
        body = page.get_data(as_text=True)
        assert "otpauth" not in body and "data-credential" not in body and "secret" not in body.lower()
        assert "Initial password" not in response.get_data(as_text=True) + body

    def test_the_admin_sends_a_new_link_and_the_earlier_one_stops_working(self, admin_client):
        admin_client.submit(admin_client.get("/admin/staff/new?lang=en"), new_staff_values())
        person = people.get_by_email("vanna.keo@moc.gov.kh")
        first = enrolment.link(person)
        page = admin_client.get(f"/admin/staff/{person.public_id}?lang=en")
        response = admin_client.submit(page, selector="form[action$='/enrolment']")
        assert response.status_code == 302
        assert "Earlier links no longer work" in admin_client.get(response.headers["Location"]).get_data(as_text=True)
        assert enrolment.claim_for_token(first.partition("#")[2]) is None
        assert enrolment.claim_for_token(enrolment.link(person).partition("#")[2]) is not None
        assert outbox_jobs().count("identity.send_enrolment_link") == 2

    def test_a_deactivated_account_gets_no_enrolment_link(self, admin_client, factories):
        clerk = factories.staff(is_active=False)
        page = admin_client.get(f"/admin/staff/{clerk.public_id}?lang=en")
        assert page.soup.select_one("form[action$='/enrolment']") is None
        token = csrf_token(page)
        response = admin_client.post(f"/admin/staff/{clerk.public_id}/enrolment", data={"csrf_token": token})
        assert response.status_code == 400
        assert "Reactivate it before you send an enrolment link" in response.get_data(as_text=True)
        assert not enrolment.is_pending(clerk)

    def test_the_new_staff_member_appears_in_the_list(self, admin_client):
        admin_client.submit(admin_client.get("/admin/staff/new?lang=en"), new_staff_values())
        assert "Keo Vanna" in admin_client.get("/admin/staff?lang=en").get_data(as_text=True)

    def test_the_agency_list_offers_real_offices_only(self, admin_client):
        response = admin_client.get("/admin/staff/new?lang=en")
        values = [o["value"] for o in response.soup.select("select[name=agency] option") if o["value"]]
        assert "moc" in values and "sangkat-svay-por" in values
        assert "commune-office" not in values

    def test_names_and_email_are_tidied_before_they_are_stored(self, admin_client):
        admin_client.submit(admin_client.get("/admin/staff/new?lang=en"), new_staff_values(
            email="  Vanna.Keo@MOC.gov.kh ", name_km=" កែវ\u200b  វណ្ណា ", name_latin="Keo   Vanna "))
        person = people.get_by_email("vanna.keo@moc.gov.kh")
        assert (person.name_km, person.name_latin) == ("កែវ វណ្ណា", "Keo Vanna")

    @pytest.mark.parametrize(("field", "value", "message"), [
        ("email", "", "Enter the staff member's email address"),
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("email", "a" * 250 + "@moc.gov.kh", "must be 254 characters or fewer"),
        ("email", "សុខា@moc.gov.kh", "Enter an email address in the correct format"),
        ("email", "🙂@moc.gov.kh", "Enter an email address in the correct format"),
        ("name_km", "", "Enter the name in Khmer"),
        ("name_km", "   ", "Enter the name in Khmer"),
        ("name_km", "ក" * 121, "must be 120 characters or fewer"),
        ("name_km", "Keo Vanna", "Write the name in Khmer script only"),
        ("name_km", "កែវ វណ្ណា 🙂", "Write the name in Khmer script only"),
        ("name_latin", "", "Enter the name in Latin letters"),
        ("name_latin", "K" * 121, "must be 120 characters or fewer"),
        ("name_latin", "កែវ វណ្ណា", "Write the name in Latin letters only"),
        ("name_latin", "Keo 🙂", "Write the name in Latin letters only"),
        ("agency", "", "Choose an agency"),
        ("agency", "commune-office", "Choose an agency from the list"),
        ("agency", "no-such-agency", "Choose an agency from the list"),
        ("agency", "ក្រសួង", "Choose an agency from the list"),
        ("agency", "🙂", "Choose an agency from the list"),
        ("role", "", "Choose a role"),
        ("role", "administrator", "Choose a role from the list"),
        ("role", "មន្ត្រី", "Choose a role from the list"),
        ("role", "🙂", "Choose a role from the list"),
    ])
    def test_bad_input_is_refused_with_a_message_and_nothing_is_written(self, admin_client, field, value,
                                                                        message):
        before = len(staff_data.list_staff())
        response = admin_client.submit(admin_client.get("/admin/staff/new?lang=en"),
                                       new_staff_values(**{field: value}))
        assert response.status_code == 400
        summary = response.soup.select_one(".error-summary")
        assert summary is not None and message in summary.get_text()
        assert summary.select_one(f"a[href='#{field}']") is not None
        assert response.soup.title.get_text().startswith("Error")
        assert len(staff_data.list_staff()) == before
        assert not people.email_taken("vanna.keo@moc.gov.kh")

    def test_an_email_that_already_has_an_account_is_refused(self, admin_client, factories):
        factories.person(email="vanna.keo@moc.gov.kh")
        response = admin_client.submit(admin_client.get("/admin/staff/new?lang=en"),
                                       new_staff_values(email="VANNA.KEO@moc.gov.kh"))
        assert response.status_code == 400
        assert "An account with this email address already exists" in response.get_data(as_text=True)
        assert staff_data.list_staff() == []

    def test_in_khmer_a_refused_form_is_a_khmer_page_with_an_error_summary(self, client, factories):
        sign_in(client, factories.admin())
        response = client.submit(client.get("/admin/staff/new"), new_staff_values(name_latin="🙂"))
        assert response.status_code == 400
        assert response.soup.html["lang"] == "km"
        assert response.soup.select_one(".error-summary a[href='#name_latin']") is not None

    def test_a_form_without_its_csrf_token_is_refused(self, admin_client):
        response = admin_client.post("/admin/staff/new?lang=en", data=new_staff_values())
        assert response.status_code == 400
        assert not people.email_taken("vanna.keo@moc.gov.kh")


class TestAgencyRoles:
    def test_the_admin_adds_a_role(self, admin_client, factories):
        clerk = factories.staff("moc", "clerk")
        page = admin_client.get(f"/admin/staff/{clerk.public_id}?lang=en")
        response = admin_client.submit(page, {"agency": "gdt", "role": "supervisor"},
                                       selector="form[action$='/roles']")
        assert response.status_code == 302
        assert roles(clerk) == {("moc", "clerk"), ("gdt", "supervisor")}
        assert "The role was added." in admin_client.get(response.headers["Location"]).get_data(as_text=True)

    @pytest.mark.parametrize(("agency", "role"), [
        ("", "clerk"), ("moc", ""), ("commune-office", "clerk"), ("🙂", "clerk"), ("moc", "ប្រធាន"),
        ("x" * 500, "clerk"),
    ])
    def test_a_forged_or_missing_agency_or_role_is_refused(self, admin_client, factories, agency, role):
        clerk = factories.staff("moc", "clerk")
        page = admin_client.get(f"/admin/staff/{clerk.public_id}?lang=en")
        response = admin_client.submit(page, {"agency": agency, "role": role}, selector="form[action$='/roles']")
        assert response.status_code == 400
        assert response.soup.select_one(".error-summary") is not None
        assert roles(clerk) == {("moc", "clerk")}

    def test_the_admin_removes_one_of_two_roles(self, admin_client, factories):
        clerk = factories.staff("moc", "clerk")
        agency_data.grant_role(clerk, agency_data.get_by_slug("gdt"), "supervisor")
        page = admin_client.get(f"/admin/staff/{clerk.public_id}?lang=en")
        forms = page.soup.select("form[action$='/roles/remove']")
        assert len(forms) == 2
        gdt_form = next(f for f in forms if f.select_one("input[name=agency]")["value"] == "gdt")
        response = admin_client.post(gdt_form["action"], data={
            i["name"]: i["value"] for i in gdt_form.select("input[type=hidden]")})
        assert response.status_code == 302
        assert roles(clerk) == {("moc", "clerk")}

    def test_the_last_role_cannot_be_removed(self, admin_client, factories):
        clerk = factories.staff("moc", "clerk")
        page = admin_client.get(f"/admin/staff/{clerk.public_id}?lang=en")
        assert page.soup.select_one("form[action$='/roles/remove']") is None
        response = admin_client.post(f"/admin/staff/{clerk.public_id}/roles/remove?lang=en",
                                     data={"csrf_token": csrf_token(page), "agency": "moc", "role": "clerk"})
        assert response.status_code == 400
        assert "must keep at least one role" in response.soup.select_one(".error-summary").get_text()
        assert roles(clerk) == {("moc", "clerk")}

    @pytest.mark.parametrize(("agency", "role"), [("gdt", "clerk"), ("🙂", "clerk"), ("moc", "ក"), ("", "")])
    def test_removing_a_role_the_person_does_not_hold_is_refused(self, admin_client, factories, agency, role):
        clerk = factories.staff("moc", "clerk")
        agency_data.grant_role(clerk, agency_data.get_by_slug("mpwt"), "clerk")
        page = admin_client.get(f"/admin/staff/{clerk.public_id}?lang=en")
        response = admin_client.post(f"/admin/staff/{clerk.public_id}/roles/remove?lang=en",
                                     data={"csrf_token": csrf_token(page), "agency": agency, "role": role})
        assert response.status_code == 400
        assert "does not have that role" in response.soup.select_one(".error-summary").get_text()
        assert roles(clerk) == {("moc", "clerk"), ("mpwt", "clerk")}


def csrf_token(page) -> str:
    return page.soup.select_one("input[name=csrf_token]")["value"]


class TestDeactivation:
    def test_the_admin_deactivates_and_reactivates_a_staff_member(self, admin_client, factories):
        clerk = factories.staff()
        page = admin_client.get(f"/admin/staff/{clerk.public_id}?lang=en")
        asked = admin_client.submit(page, selector="form[action$='/deactivate']")
        assert clerk.is_active  # not yet: the admin is asked first, once
        assert "can no longer sign in" in asked.soup.select_one(".confirmation-consequences").get_text()
        response = admin_client.confirm(asked)
        assert response.status_code == 302
        assert not clerk.is_active
        page = admin_client.get(response.headers["Location"])
        assert "Deactivated" in page.get_data(as_text=True)
        response = admin_client.submit(page, selector="form[action$='/reactivate']")
        assert response.status_code == 302
        assert clerk.is_active

    def test_a_deactivated_staff_member_is_signed_out(self, client, factories):
        clerk = factories.staff()
        staff_data.set_active(clerk, False)
        sign_in(client, clerk)
        response = client.get("/admin/staff")
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")

    def test_an_administrator_cannot_deactivate_their_own_staff_account(self, admin_client):
        admin = admin_client.admin
        agency_data.grant_role(admin, agency_data.get_by_slug("moc"), "supervisor")
        page = admin_client.get(f"/admin/staff/{admin.public_id}?lang=en")
        response = admin_client.confirm(admin_client.submit(page, selector="form[action$='/deactivate']"))
        assert response.status_code == 400
        assert "cannot deactivate your own account" in response.soup.select_one(".error-summary").get_text()
        assert admin.is_active

    @pytest.mark.parametrize("action", ["deactivate", "reactivate", "roles", "roles/remove"])
    def test_posts_without_a_csrf_token_change_nothing(self, admin_client, factories, action):
        clerk = factories.staff()
        response = admin_client.post(f"/admin/staff/{clerk.public_id}/{action}?lang=en",
                                     data={"agency": "gdt", "role": "clerk"})
        assert response.status_code == 400
        assert clerk.is_active and roles(clerk) == {("moc", "clerk")}

    @pytest.mark.parametrize("public_id", ["does-not-exist", "1", "🙂", "x" * 200])
    def test_an_unknown_staff_member_is_not_found(self, admin_client, public_id):
        assert admin_client.get(f"/admin/staff/{public_id}?lang=en").status_code == 404

    def test_a_citizen_is_not_a_staff_page(self, admin_client, factories):
        citizen = factories.person()
        assert admin_client.get(f"/admin/staff/{citizen.public_id}?lang=en").status_code == 404
