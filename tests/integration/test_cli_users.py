from __future__ import annotations

import re

import pyotp
import pytest

from portal.data import people
from portal.data import staff as staff_data
from portal.security.passwords import verify_password


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
    def test_creates_a_clerk_and_prints_the_password_and_totp_secret_once(self, runner):
        result = runner.invoke(args=staff_args())
        assert result.exit_code == 0, result.output
        person = people.get_by_email("sophea.chan@moc.gov.kh")
        assert person is not None and (person.name_km, person.name_latin) == ("ចាន់ សុភា", "Chan Sophea")
        assert roles(person) == {("moc", "clerk")}
        assert verify_password(person.password_hash, printed(result.output, "Initial password"))
        assert printed(result.output, "TOTP secret") == person.totp_secret
        uri = printed(result.output, "otpauth URI")
        assert pyotp.parse_uri(uri).secret == person.totp_secret
        assert "issuer=One%20Window" in uri

    def test_agency_and_role_pairs_can_be_repeated(self, runner):
        result = runner.invoke(args=[*staff_args(), "--agency", "gdt", "--role", "supervisor"])
        assert result.exit_code == 0, result.output
        assert roles(people.get_by_email("sophea.chan@moc.gov.kh")) == {("moc", "clerk"), ("gdt", "supervisor")}

    def test_two_accounts_get_different_passwords_and_secrets(self, runner):
        first = runner.invoke(args=staff_args())
        second = runner.invoke(args=staff_args(email="vanna@gdt.gov.kh", name_km="កែវ វណ្ណា", name_latin="Keo Vanna"))
        for label in ("Initial password", "TOTP secret"):
            assert printed(first.output, label) != printed(second.output, label)

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
    def test_creates_an_administrator_with_a_totp_secret(self, runner):
        result = runner.invoke(args=["users", "create-admin", "--email", "root@onewindow.gov.kh"])
        assert result.exit_code == 0, result.output
        admin = people.get_by_email("root@onewindow.gov.kh")
        assert admin.is_admin and not admin.is_staff
        assert admin.totp_secret == printed(result.output, "TOTP secret")
        assert verify_password(admin.password_hash, printed(result.output, "Initial password"))

    def test_an_existing_account_is_refused(self, runner, factories):
        factories.person(email="root@onewindow.gov.kh")
        result = runner.invoke(args=["users", "create-admin", "--email", "root@onewindow.gov.kh"])
        assert_refused(result, "already exists")
        assert not people.get_by_email("root@onewindow.gov.kh").is_admin

    def test_a_bad_email_is_refused(self, runner):
        assert_refused(runner.invoke(args=["users", "create-admin", "--email", "root"]), "not a usable email")
