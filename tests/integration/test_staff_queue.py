"""The clerk's queue: only their agency's open cases, filters, search, urgency, keyset pagination."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.data.db import db
from tests.sessions import sign_in_as
from tests.staff_cases import AGENCY, services_fixture, submitted  # noqa: F401 - the `services` fixture

pytestmark = pytest.mark.usefixtures("services")


@pytest.fixture
def applicant(factories):
    return factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")


@pytest.fixture
def clerk(client, factories):
    person = factories.staff(AGENCY, "clerk", locale="en")
    sign_in_as(client, person)
    client.expected_lang = "en"
    return person


def references(page) -> list[str]:
    return [a.get_text(strip=True) for a in page.soup.select("main tbody th a.reference")]


def search(client, text: str, **filters):
    page = client.get("/staff/queue")
    return client.submit(page, {"q": text, **filters})


class TestWhatTheQueueShows:
    def test_only_open_cases_of_the_clerks_own_agency(self, client, clerk, applicant):
        mine = submitted(applicant)
        elsewhere = submitted(applicant, agency="moc")
        ended = submitted(applicant, state="approved", agency=None, due_in=None)
        page = client.get("/staff/queue")
        assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
        shown = references(page)
        assert mine.reference in shown
        assert elsewhere.reference not in shown and ended.reference not in shown

    def test_overdue_and_soon_due_cases_are_said_in_words(self, client, clerk, applicant):
        late = submitted(applicant, due_in=timedelta(hours=-2))
        soon = submitted(applicant, due_in=timedelta(hours=3))
        calm = submitted(applicant, due_in=timedelta(days=4))
        rows = {row.select_one("th").get_text(strip=True): row.get_text(" ", strip=True)
                for row in client.get("/staff/queue").soup.select("main tbody tr")}
        assert "Overdue" in rows[late.reference]
        assert "Due within a day" in rows[soon.reference]
        assert "Overdue" not in rows[calm.reference] and "Due within a day" not in rows[calm.reference]
        assert list(rows) == [late.reference, soon.reference, calm.reference]

    def test_filters_by_assignee_and_state(self, client, clerk, factories, applicant):
        colleague = factories.staff(AGENCY, "clerk")
        claimed = submitted(applicant, assignee=clerk)
        theirs = submitted(applicant, assignee=colleague)
        free = submitted(applicant)
        waiting = submitted(applicant, state="more_info")
        assert references(client.get("/staff/queue?who=mine")) == [claimed.reference]
        unassigned = references(client.get("/staff/queue?who=unassigned"))
        assert free.reference in unassigned and theirs.reference not in unassigned
        assert references(client.get("/staff/queue?state=more_info")) == [waiting.reference]
        assert len(references(client.get("/staff/queue?who=everyone"))) == 4

    def test_a_forged_filter_gets_a_message_not_an_error(self, client, clerk, applicant):
        submitted(applicant)
        page = client.get("/staff/queue?who=somebody&state=%F0%9F%98%80")
        assert page.status_code == 400 and page.soup.select_one(".error-summary") is not None


class TestSearch:
    def test_by_reference_as_a_person_types_it(self, client, clerk, applicant):
        wanted = submitted(applicant)
        submitted(applicant)
        typed = wanted.reference.replace("-", " ").lower()
        assert references(search(client, typed)) == [wanted.reference]

    def test_by_part_of_a_khmer_or_latin_name(self, client, clerk, factories, applicant):
        other = factories.person(name_km="ចាន់ ដារ៉ា", name_latin="Chan Dara")
        sok = submitted(applicant)
        chan = submitted(other)
        assert references(search(client, "ចាន់ធី")) == [sok.reference]
        assert references(search(client, "chan dara")) == [chan.reference]
        assert set(references(search(client, "CHAN"))) == {sok.reference, chan.reference}
        nothing = search(client, "😀%_")
        assert nothing.status_code == 200 and references(nothing) == []

    def test_a_name_search_keeps_the_name_out_of_every_url(self, client, clerk, applicant):
        for _ in range(55):
            submitted(applicant, commit=False)
        db.session.commit()
        page = search(client, "Sok")
        assert len(references(page)) == 50
        assert all("Sok" not in a["href"] for a in page.soup.select("a[href]"))
        more = client.submit(page, selector="main form.next-page")
        assert len(references(more)) == 5


class TestPagination:
    def test_pages_follow_urgency_then_id_with_an_opaque_cursor(self, client, clerk, applicant):
        made = []
        for number in range(120):
            due = None if number % 17 == 0 else timedelta(hours=(number * 37) % 300 - 50)
            made.append(submitted(applicant, due_in=due, commit=False))
        db.session.commit()
        expected = [a.reference for a in sorted(made, key=lambda a: (a.due_at is None, a.due_at or 0, a.id))]
        seen, url, pages = [], "/staff/queue", 0
        while url:
            page = client.get(url)
            assert page.status_code == 200
            rows = references(page)
            assert len(rows) <= 50
            seen += rows
            pages += 1
            link = page.soup.select_one("a.next-page")
            url = link["href"] if link else None
            if url:
                assert "after=" in url and ":" not in url.split("after=")[1]  # no readable date in it
        assert pages == 3
        assert seen == expected

    def test_a_damaged_cursor_opens_the_first_page(self, client, clerk, applicant):
        first = submitted(applicant)
        assert references(client.get("/staff/queue?after=not-a-cursor!!")) == [first.reference]


def test_a_clerk_does_not_see_cases_waiting_for_the_supervisor_and_the_supervisor_sees_all(
        client, factories, applicant, services):
    def supervisor_reviews(data):
        data["workflow"]["states"]["supervisor_review"] = {
            "label": {"km": "កំពុងពិនិត្យ", "en": "Being reviewed"}, "actor": f"{AGENCY}.supervisor"}
        # Reached and left, as the loader wants of every state.
        data["workflow"]["transitions"] += [
            {"action": "recommend", "label": {"km": "ផ្តល់យោបល់", "en": "Recommend"}, "from": "submitted",
             "to": "supervisor_review", "roles": [f"{AGENCY}.clerk"]},
            {"action": "decide", "label": {"km": "សម្រេច", "en": "Decide"}, "from": "supervisor_review",
             "to": "approved", "roles": [f"{AGENCY}.supervisor"]}]

    services.edit(supervisor_reviews)
    clerks_case = submitted(applicant)
    supervisors_case = submitted(applicant, state="supervisor_review")
    sign_in_as(client, factories.staff(AGENCY, "clerk", locale="en"))
    client.expected_lang = "en"
    shown = references(client.get("/staff/queue"))
    assert clerks_case.reference in shown and supervisors_case.reference not in shown
    sign_in_as(client, factories.staff(AGENCY, "supervisor", locale="en"))
    shown = references(client.get("/staff/queue"))
    assert clerks_case.reference in shown and supervisors_case.reference in shown
