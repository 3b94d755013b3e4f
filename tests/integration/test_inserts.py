"""`insert_or_get` (portal/data/inserts.py) tells its callers whether it made the row: "the role was
added" or "already held", how many agencies a sync made. (The concurrent cases: test_insert_races.py.)"""

from __future__ import annotations

from types import SimpleNamespace

from portal.data import agencies as agency_data
from portal.data.inserts import insert_or_get
from portal.data.models import Blob


def test_the_first_call_inserts_and_the_next_finds_the_same_row():
    made, inserted = insert_or_get(Blob, {"sha256": "5" * 64}, size=3, media_type="application/pdf")
    assert inserted and made.size == 3
    found, inserted = insert_or_get(Blob, {"sha256": "5" * 64}, size=999, media_type="image/png")
    assert not inserted and found is made and found.size == 3  # the existing row, as it was


def test_a_sync_counts_only_the_agencies_it_made_and_updates_the_others():
    agency = SimpleNamespace(slug="sangkat-test-sync", name={"km": "សង្កាត់", "en": "Sangkat"}, kind="commune_office",
                             commune_code="120101")
    assert agency_data.sync([agency]) == 1
    agency.name = {"km": "សង្កាត់ថ្មី", "en": "New sangkat"}
    assert agency_data.sync([agency]) == 0
    assert agency_data.get_by_slug("sangkat-test-sync").name_en == "New sangkat"


def test_granting_a_role_twice_grants_it_once(factories):
    clerk = factories.staff("moc", "clerk")
    gdt = agency_data.get_by_slug("gdt")
    assert agency_data.grant_role(clerk, gdt, "supervisor")[1] is True
    assert agency_data.grant_role(clerk, gdt, "supervisor")[1] is False
    assert sorted((r.agency.slug, r.role) for r in clerk.staff_roles) == [("gdt", "supervisor"), ("moc", "clerk")]
