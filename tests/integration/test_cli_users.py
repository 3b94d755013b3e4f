from __future__ import annotations

import re

import pytest

from portal.data import outbox as outbox_data
from portal.data import people
from portal.data import staff as staff_data
from portal.domain.identity import enrolment
from portal.domain.identity.passwords import UNUSABLE_HASH


def staff_args(**changes: str) -> list[str]:
    """The arguments of a good create-staff command for a clerk at moc, with some options changed
    (`name_km="..."` changes `--name-km`)."""
    options = {"email": "Sophea.Chan@moc.gov.kh", "name_km": "ចាន់ សុភា", "name_latin": "Chan Sophea",
               "agency": "moc", "role": "clerk", **changes}
    return ["users", "create-staff", *(a for k, v in options.items() for a in ("--" + k.replace("_", "-"), v))]


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def printed(output: str, label: str) -> str:
    match = re.search(rf"^{re.escape(label)}:\s+(\S+)$", output, re.MULTILINE)
    assert match, f"{label!r} not printed in:\n{output}"
    return match.group(1)


def assert_no_credentials(output: str) -> None:
    for word in ("password:", "TOTP", "secret", "otpauth"):
        assert word not in output, output


def roles(person) -> set[tuple[str, str]]:
    return {(r.agency.slug, r.role) for r in staff_data.roles_of(person)}


def assert_refused(result, *fragments: str) -> None:
    assert result.exit_code != 0
    message = result.output.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("Error: ")
    for fragment in fragments:
        assert fragment in message


class TestCreateStaff:
    def test_creates_a_clerk_who_gets_an_enrolment_link_by_email_and_prints_no_credentials(self, runner):
        result = runner.invoke(args=staff_args())
        assert result.exit_code == 0, result.output
        person = people.get_by_email("sophea.chan@moc.gov.kh")
        assert person is not None and (person.name_km, person.name_latin) == ("ចាន់ សុភា", "Chan Sophea")
        assert roles(person) == {("moc", "clerk")}
        assert person.password_hash == UNUSABLE_HASH and not person.has_authenticator
        assert "An enrolment link is being emailed to sophea.chan@moc.gov.kh" in result.output
        assert_no_credentials(result.output)
        assert outbox_data.pending_count() == 1

    def test_agency_and_role_pairs_can_be_repeated(self, runner):
        result = runner.invoke(args=[*staff_args(), "--agency", "gdt", "--role", "supervisor"])
        assert result.exit_code == 0, result.output
        assert roles(people.get_by_email("sophea.chan@moc.gov.kh")) == {("moc", "clerk"), ("gdt", "supervisor")}

    def test_an_unknown_agency_is_refused_with_the_known_slugs(self, runner):
        result = runner.invoke(args=staff_args(agency="ministry-of-fun"))
        assert_refused(result, "unknown agency 'ministry-of-fun'", "gdt", "moc", "mpwt", "sangkat-svay-por")
        assert "commune-office," not in result.output and not result.output.strip().endswith("commune-office")
        assert not people.email_taken("sophea.chan@moc.gov.kh")

    def test_the_routing_placeholder_commune_office_is_not_an_agency_to_work_in(self, runner):
        result = runner.invoke(args=staff_args(agency="commune-office"))
        assert_refused(result, "unknown agency 'commune-office'")

    @pytest.mark.parametrize("email", ["not-an-email", "សុភា@moc.gov.kh", "🙂@moc.gov.kh", "a" * 250 + "@moc.gov.kh",
                                       ""])
    def test_a_bad_email_is_refused(self, runner, email):
        result = runner.invoke(args=staff_args(email=email))
        assert_refused(result, "not a usable email address")
        assert staff_data.list_staff() == []

    def test_an_existing_account_is_refused(self, runner, factories):
        factories.person(email="sophea.chan@moc.gov.kh")
        result = runner.invoke(args=staff_args())
        assert_refused(result, "already exists")
        assert staff_data.list_staff() == []

    @pytest.mark.parametrize(("option", "value", "fragment"), [
        ("role", "boss", "unknown role 'boss'; roles: clerk, supervisor"),
        ("role", "ប្រធាន", "unknown role"),
        ("agency", "🙂", "unknown agency"),
        ("name_km", "Chan Sophea", "Khmer name must be written in Khmer script"),
        ("name_km", "ចាន់ 🙂", "Khmer name must be written in Khmer script"),
        ("name_km", "", "Khmer name is empty"),
        ("name_latin", "ចាន់ សុភា", "Latin name must be written in Latin letters"),
        ("name_latin", "Chan 🙂", "Latin name must be written in Latin letters"),
        ("name_latin", "C" * 121, "longer than 120 characters"),
    ])
    def test_bad_names_agencies_and_roles_are_refused(self, runner, option, value, fragment):
        result = runner.invoke(args=staff_args(**{option: value}))
        assert_refused(result, fragment)
        assert staff_data.list_staff() == []

    def test_agencies_and_roles_must_come_in_pairs(self, runner):
        result = runner.invoke(args=[*staff_args(), "--agency", "gdt"])
        assert_refused(result, "one --role for each --agency")
        assert staff_data.list_staff() == []


class TestCreateAdmin:
    def test_creates_an_administrator_and_prints_a_one_time_enrolment_link_instead_of_credentials(
            self, runner, client):
        result = runner.invoke(args=["users", "create-admin", "--email", "root@onewindow.gov.kh"])
        assert result.exit_code == 0, result.output
        admin = people.get_by_email("root@onewindow.gov.kh")
        assert admin.is_admin and not admin.is_staff
        assert admin.password_hash == UNUSABLE_HASH and not admin.has_authenticator
        assert_no_credentials(result.output)
        link = printed(result.output, "Enrolment link")
        assert link.startswith("http://portal.test/enrol/link#")
        page = client.get("/enrol/link")
        assert client.submit(page, {"link": link.partition("#")[2]}).headers["Location"] == "/enrol"
        assert outbox_data.pending_count() == 0  # nothing is emailed: there may be no mail server yet

    def test_an_existing_account_is_refused(self, runner, factories):
        factories.person(email="root@onewindow.gov.kh")
        result = runner.invoke(args=["users", "create-admin", "--email", "root@onewindow.gov.kh"])
        assert_refused(result, "already exists")
        assert not people.get_by_email("root@onewindow.gov.kh").is_admin

    def test_a_bad_email_is_refused(self, runner):
        assert_refused(runner.invoke(args=["users", "create-admin", "--email", "root"]), "not a usable email")


class TestSendEnrolment:
    def test_a_staff_member_gets_a_new_link_by_email_and_the_old_one_stops_working(self, runner):
        runner.invoke(args=staff_args())
        person = people.get_by_email("sophea.chan@moc.gov.kh")
        first = enrolment.link(person).partition("#")[2]
        assert enrolment.claim_for_token(first) is not None
        result = runner.invoke(args=["users", "send-enrolment", "--email", "sophea.chan@moc.gov.kh"])
        assert result.exit_code == 0, result.output
        assert "A new enrolment link is being emailed" in result.output and "/enrol/" not in result.output
        assert enrolment.claim_for_token(first) is None
        assert outbox_data.pending_count() == 2

    def test_an_administrator_s_new_link_is_printed(self, runner):
        runner.invoke(args=["users", "create-admin", "--email", "root@onewindow.gov.kh"])
        result = runner.invoke(args=["users", "send-enrolment", "--email", "root@onewindow.gov.kh"])
        assert result.exit_code == 0, result.output
        assert printed(result.output, "Enrolment link").startswith("http://portal.test/enrol/link#")

    def test_citizens_unknown_and_deactivated_accounts_are_refused(self, runner, factories):
        factories.person(email="citizen@example.com")
        factories.staff(email="gone@moc.gov.kh", is_active=False)
        for email, fragment in (("citizen@example.com", "no staff or administrator account"),
                                ("nobody@moc.gov.kh", "no staff or administrator account"),
                                ("gone@moc.gov.kh", "deactivated")):
            assert_refused(runner.invoke(args=["users", "send-enrolment", "--email", email]), fragment)
