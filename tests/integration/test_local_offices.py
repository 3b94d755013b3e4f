"""Every commune, sangkat, district, khan and province has its office (generated from the address data),
so a service routed to `commune-office` works for an address anywhere in the country, staffed or not."""

from __future__ import annotations

import pytest

from tests import docfiles, journey
from tests.sessions import sign_in_as

SIEM_REAP = {"province": "17", "district": "1710", "commune": "171001", "village": "17100101",
             "street": "ផ្ទះលេខ ៧ ផ្លូវសីវត្ថា"}
KAMPOT = {"province": "07", "district": "0708", "commune": "070801", "village": "07080101", "street": "ផ្ទះលេខ ៣"}


@pytest.fixture
def citizen(client, factories):
    person = factories.person(
        email="sreymom@example.com", phone="+85512345671", locale="km", name_km="ចាន់ ស្រីមុំ",
        name_latin="Chan Sreymom", national_id="112345678", date_of_birth=__import__("datetime").date(1992, 5, 1),
        province_code="17", district_code="1710", commune_code="171001", village_code="17100101",
        street="ផ្ទះលេខ ៧ ផ្លូវសីវត្ថា",
    )
    sign_in_as(client, person)
    return person


def submit_residence_certificate(client, place: dict) -> str:
    first = journey.start(client, "residence-certificate")
    end = journey.fill_steps(client, first, {
        "person": {},
        "residence": {**{f"address-{k}": v for k, v in place.items()}, "years": "៣", "book_type": "family_book",
                      "book_number": "១៧១០០១-០០៧"},
        "purpose": {"purpose": "other", "purpose_other": "ដាក់ពាក្យសុំការងារ", "equity_card": "no"},
        "declaration": {"declaration": "y"},
    })
    for requirement in ("id_card", "household_book"):
        journey.attach(client, end, requirement, docfiles.jpeg(), f"{requirement}.jpg")
    url = end.removesuffix("/documents")
    journey.submit(client, url)
    return url


@pytest.mark.parametrize(("place", "office"), [(SIEM_REAP, "commune-171001"), (KAMPOT, "commune-070801")])
def test_a_residence_certificate_for_a_commune_not_in_agencies_yaml_goes_to_that_communes_office(
        client, citizen, place, office):
    application = journey.application_for(submit_residence_certificate(client, place))
    assert application.state == "submitted"
    assert application.reference.startswith("RC-")
    assert application.routed_agency == office
    assert application.current_agency == office
    assert application.due_at is not None


def test_every_commune_district_and_province_of_the_address_data_has_an_office_with_an_agency_row(app):
    from sqlalchemy import select

    from portal.data.db import db
    from portal.data.models import Agency
    from portal.domain.catalogue import get_catalogue
    from portal.domain.catalogue.model import COMMUNE_OFFICE_KIND, DISTRICT_OFFICE_KIND, PROVINCE_OFFICE_KIND
    from portal.domain.geo import places

    offices = get_catalogue().offices
    rows = dict(db.session.execute(select(Agency.slug, Agency.kind)).all())
    for province in places.children("province"):
        assert rows[offices.for_place(PROVINCE_OFFICE_KIND, province.code).slug] == PROVINCE_OFFICE_KIND
        for district in places.children("district", province.code):
            assert rows[offices.for_place(DISTRICT_OFFICE_KIND, district.code).slug] == DISTRICT_OFFICE_KIND
            for commune in places.children("commune", district.code):
                office = offices.for_place(COMMUNE_OFFICE_KIND, commune.code)
                assert (office.commune_code, office.district_code, office.province_code) == (
                    commune.code, district.code, province.code)
                assert rows[office.slug] == COMMUNE_OFFICE_KIND


def test_an_office_agencies_yaml_lists_for_a_commune_replaces_the_generated_one(app):
    from portal.domain.catalogue import get_catalogue
    from portal.domain.catalogue.model import COMMUNE_OFFICE_KIND

    catalogue = get_catalogue()
    listed = next(a for a in catalogue.agencies.values() if a.is_commune_office)
    assert catalogue.offices.for_place(COMMUNE_OFFICE_KIND, listed.commune_code) is listed
    assert catalogue.agency(f"commune-{listed.commune_code}") is None
    assert [a.slug for a in catalogue.all_agencies()].count(listed.slug) == 1
    assert not any(a.slug == f"commune-{listed.commune_code}" for a in catalogue.all_agencies())


@pytest.mark.parametrize(("slug", "km", "en"), [
    ("commune-120101", "រដ្ឋបាលសង្កាត់", "Sangkat Office, Chamkar Mon Khan"),  # the capital: khans and sangkats
    ("district-1201", "រដ្ឋបាលខណ្ឌ", "Khan Office, Phnom Penh"),
    ("province-12", "រដ្ឋបាលរាជធានីភ្នំពេញ", "Phnom Penh Capital Office"),
    ("commune-010201", "រដ្ឋបាលឃុំ", "Commune Office, Mangkul Bourei District"),  # a district: communes
    ("district-0102", "រដ្ឋបាលស្រុក", "District Office, Banteay Meanchey"),
    ("province-01", "រដ្ឋបាលខេត្ត", "Provincial Office"),
    ("commune-171001", "រដ្ឋបាលសង្កាត់", "Sangkat Office, Siem Reab Municipality"),  # a municipality: sangkats
])
def test_generated_offices_are_named_after_their_place_as_commune_or_sangkat_district_khan_or_municipality(
        app, slug, km, en):
    from portal.domain.catalogue import get_catalogue

    office = get_catalogue().agency(slug)
    assert office.name["km"].startswith(km)
    assert en in office.name["en"]


def test_syncing_the_agencies_again_inserts_only_the_missing_ones_and_updates_a_changed_name(app):
    from dataclasses import replace

    from portal.data import agencies as agency_data
    from portal.data.db import db
    from portal.domain.catalogue import get_catalogue

    everything = get_catalogue().all_agencies()
    assert agency_data.sync(everything) == 0
    office = get_catalogue().agency("commune-070801")
    db.session.delete(agency_data.get_by_slug(office.slug))
    db.session.flush()
    renamed = replace(get_catalogue().agency("district-0708"), name={"km": "រដ្ឋបាលថ្មី", "en": "Renamed"})
    assert agency_data.sync([*everything, renamed]) == 1
    assert agency_data.get_by_slug(office.slug).name_en == office.name["en"]
    assert agency_data.get_by_slug("district-0708").name_en == "Renamed"


def test_a_case_routed_to_an_office_without_its_agency_row_gets_the_row(client, citizen):
    from portal.data import agencies as agency_data
    from portal.data.db import db

    db.session.delete(agency_data.get_by_slug("commune-070801"))
    db.session.commit()
    application = journey.application_for(submit_residence_certificate(client, KAMPOT))
    assert application.routed_agency == "commune-070801"
    assert agency_data.get_by_slug("commune-070801").kind == "commune_office"


def test_escalation_with_a_case_in_an_unstaffed_office_fails_nothing_and_records_nothing(client, citizen):
    from datetime import timedelta

    from portal.data import escalations
    from portal.data.db import utcnow
    from portal.domain.applications.escalation import escalate

    application = journey.application_for(submit_residence_certificate(client, SIEM_REAP))
    later = utcnow() + timedelta(days=60)
    assert [a.id for a, _kind in escalations.not_escalated(later, later)] == [application.id]
    escalate(later)
    # Nobody was told, so the case stays to be escalated once someone supervises the office.
    assert [a.id for a, _kind in escalations.not_escalated(later, later)] == [application.id]


class TestUnstaffedOffices:
    @pytest.fixture
    def waiting(self, client, citizen):
        """A residence certificate waiting at the Siem Reap sangkat office, where nobody works."""
        application = journey.application_for(submit_residence_certificate(client, SIEM_REAP))
        return application

    def rows(self, response) -> dict[str, list[str]]:
        assert response.status_code == 200
        return {row.select_one("th").get_text(strip=True): [td.get_text(strip=True) for td in row.select("td")]
                for row in response.soup.select("main tbody tr")}

    def test_an_administrator_sees_every_unstaffed_office_with_its_counts_and_nothing_to_open(
            self, app, waiting, factories):
        from tests.client import PortalClient

        admin = factories.admin(locale="en")
        viewer = PortalClient(app, app.response_class, use_cookies=True)
        sign_in_as(viewer, admin)
        response = viewer.get("/admin/unstaffed-offices?lang=en")
        assert self.rows(response)["Sla Kram Sangkat Office, Siem Reab Municipality"] == ["Siemreap", "1", "0"]
        links = [a["href"] for a in response.soup.select("main a[href]")]
        assert not [link for link in links if link.startswith(("/staff", "/applications"))]
        assert waiting.public_id not in response.get_data(as_text=True)
        assert waiting.reference not in response.get_data(as_text=True)

    def test_once_someone_works_there_the_office_is_no_longer_listed(self, app, waiting, factories):
        factories.staff("commune-171001", "clerk")
        from portal.data.db import utcnow
        from portal.domain.applications import unstaffed

        everything = unstaffed.scope_of((), is_admin=True)
        assert "commune-171001" not in [o.slug for o in unstaffed.unstaffed_offices(everything, utcnow())]

    def test_a_deactivated_clerk_does_not_staff_an_office(self, app, waiting, factories):
        from portal.data.db import db, utcnow
        from portal.domain.applications import unstaffed

        factories.staff("commune-171001", "clerk").is_active = False
        db.session.commit()
        everything = unstaffed.scope_of((), is_admin=True)
        assert "commune-171001" in [o.slug for o in unstaffed.unstaffed_offices(everything, utcnow())]

    @pytest.mark.parametrize(("supervises", "sees"), [
        ("province-17", True), ("district-1710", True), ("province-07", False), ("district-1702", False),
    ])
    def test_a_supervisor_of_a_province_or_district_office_sees_those_below_theirs(
            self, app, waiting, factories, supervises, sees):
        from tests.client import PortalClient

        viewer = PortalClient(app, app.response_class, use_cookies=True)
        sign_in_as(viewer, factories.staff(supervises, "supervisor", locale="en"))
        response = viewer.get("/staff/unstaffed-offices?lang=en")
        assert ("Sla Kram Sangkat Office, Siem Reab Municipality" in self.rows(response)) is sees
        assert "/staff/unstaffed-offices" in viewer.get("/staff/dashboard?lang=en").get_data(as_text=True)

    @pytest.mark.parametrize("agency", ["sangkat-svay-por", "moc"])
    def test_a_supervisor_with_no_office_below_theirs_is_told_so_and_sees_no_office(
            self, app, waiting, factories, agency):
        from tests.client import PortalClient

        viewer = PortalClient(app, app.response_class, use_cookies=True)
        sign_in_as(viewer, factories.staff(agency, "supervisor", locale="en"))
        response = viewer.get("/staff/unstaffed-offices?lang=en")
        assert self.rows(response) == {}
        assert "You supervise no province or district office" in response.get_data(as_text=True)
        assert "/staff/unstaffed-offices" not in viewer.get("/staff/dashboard?lang=en").get_data(as_text=True)
        assert viewer.get("/admin/unstaffed-offices?lang=en").status_code == 404

    def test_a_clerk_has_no_list(self, app, waiting, factories):
        from tests.client import PortalClient

        viewer = PortalClient(app, app.response_class, use_cookies=True)
        sign_in_as(viewer, factories.staff("province-17", "clerk", locale="en"))
        assert viewer.get("/staff/unstaffed-offices?lang=en").status_code == 404
        assert viewer.get("/admin/unstaffed-offices?lang=en").status_code == 404


class TestTheAgencyPicker:
    @pytest.fixture
    def admin_client(self, client, factories):
        sign_in_as(client, factories.admin(locale="en"))
        return client

    def options(self, response) -> dict[str, list[str]]:
        return {group["label"]: [o["value"] for o in group.select("option")]
                for group in response.soup.select("select[name=agency] optgroup")}

    def test_without_a_province_it_lists_no_commune_or_district_office_that_is_not_set_up(self, admin_client):
        groups = self.options(admin_client.get("/admin/staff/new?lang=en"))
        values = [v for group in groups.values() for v in group]
        assert "moc" in values and "sangkat-svay-por" in values and "province-17" in values
        assert "commune-171001" not in values and "district-1710" not in values
        assert "commune-office" not in values

    def test_a_province_shows_its_offices_grouped_by_district(self, admin_client):
        groups = self.options(admin_client.get("/admin/staff/new?lang=en&province=17"))
        assert groups["Siem Reab Municipal Office, Siemreap"][:2] == ["district-1710", "commune-171001"]
        assert not any(v.startswith(("commune-07", "district-07")) for group in groups.values() for v in group)

    @pytest.mark.parametrize("province", ["99", "1", "x" * 300, "<b>"])
    def test_an_unknown_province_shows_no_local_offices(self, admin_client, province):
        from urllib.parse import quote

        response = admin_client.get(f"/admin/staff/new?lang=en&province={quote(province)}")
        assert response.status_code == 200
        assert len(self.options(response)) == 3

    def test_a_role_at_any_office_of_the_country_can_be_given(self, admin_client):
        from portal.data import people

        page = admin_client.get("/admin/staff/new?lang=en&province=17")
        response = admin_client.submit(page, {"email": "dara.sok@siemreap.gov.kh", "name_km": "សុខ ដារា",
                                              "name_latin": "Sok Dara", "agency": "commune-171001", "role": "clerk"})
        assert response.status_code == 302
        person = people.get_by_email("dara.sok@siemreap.gov.kh")
        assert {(r.agency.slug, r.role) for r in person.staff_roles} == {("commune-171001", "clerk")}
