"""The supervisor's dashboard: open cases by service and state, processing times, work done per day and per
person, the CSV export and the server-drawn chart; only supervisors see it, in Khmer or English."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta

import pytest

from portal.data import agencies as agency_data
from portal.data import applications as application_data
from portal.data.db import db, utcnow
from portal.domain.applications import versions
from portal.domain.applications.reference import new_reference
from portal.domain.applications.workload import exit_states, percentile
from portal.domain.catalogue import get_catalogue
from portal.paths import PROJECT_ROOT
from portal.web.staff.charts import Bar, bar_chart, nice_ticks
from tests.service_roots import services_root
from tests.sessions import sign_in_as
from tests.staff_cases import AGENCY, SLUG, services_fixture, submitted  # noqa: F401 - the `services` fixture

pytestmark = pytest.mark.usefixtures("services")
URLS = ("/staff/dashboard", "/staff/dashboard.csv")


@pytest.fixture
def applicant(factories):
    return factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")


@pytest.fixture
def supervisor(client, factories):
    person = factories.staff(AGENCY, "supervisor", name_km="ចាន់ សុផល", name_latin="Chan Sophal", locale="en")
    sign_in_as(client, person)
    client.expected_lang = "en"
    return person


@pytest.fixture
def clerk(factories):
    return factories.staff(AGENCY, "clerk", name_km="កែវ សុភា", name_latin="Keo Sophea", locale="en")


def cambodian_day(moment):
    return (moment + timedelta(hours=7)).date()


def open_row(page, state: str = "submitted"):
    return page.soup.select_one(f"#open-cases ~ div tbody tr[data-service='{SLUG}'][data-state='{state}']")


def cells(row) -> dict[str, str]:
    return {cls: row.select_one(f"td.{cls}").get_text(" ", strip=True) for cls in ("open", "due-soon", "breached")}


def finished(application, clerk, *, taken: timedelta, ended_ago: timedelta, state: str = "approved",
             role: str = f"{AGENCY}.clerk"):
    """`application` was submitted `taken + ended_ago` ago and moved to `state` by `clerk` `ended_ago` ago."""
    now = utcnow()
    application.submitted_at = now - ended_ago - taken
    application.state, application.current_agency, application.due_at = state, None, None
    application_data.add_event(application, actor_id=clerk.id, actor_role=role, action="approve",
                               from_state="submitted", to_state=state, at=now - ended_ago)
    db.session.commit()


def act(application, person, *, ago: timedelta = timedelta(0), role: str = f"{AGENCY}.clerk"):
    application_data.add_event(application, actor_id=person.id, actor_role=role, action="request_info",
                               from_state="submitted", to_state="more_info", at=utcnow() - ago)


class TestWhoMaySeeIt:
    def test_anonymous_people_are_sent_to_sign_in(self, client):
        for url in URLS:
            response = client.get(url)
            assert response.status_code == 302 and "/sign-in" in response.headers["Location"]

    def test_a_clerk_or_an_applicant_gets_not_found(self, client, clerk, applicant):
        for person in (clerk, applicant):
            sign_in_as(client, person)
            client.expected_lang = "en"
            for url in URLS:
                assert client.get(url).status_code == 404, (person, url)

    def test_only_supervisors_get_the_link_in_the_menu(self, client, supervisor, clerk):
        assert client.get("/staff/queue").soup.select_one("nav.site-nav a[href='/staff/dashboard']") is not None
        sign_in_as(client, clerk)
        assert client.get("/staff/queue").soup.select_one("nav.site-nav a[href='/staff/dashboard']") is None

    def test_the_page_is_never_cached(self, client, supervisor):
        for url in URLS:
            response = client.get(url)
            assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]


class TestOpenCases:
    def test_counts_open_due_soon_and_overdue_of_the_supervisors_agency_only(self, client, supervisor, applicant):
        submitted(applicant, due_in=timedelta(hours=-2))
        submitted(applicant, due_in=timedelta(days=-3))
        submitted(applicant, due_in=timedelta(hours=3))
        submitted(applicant, due_in=timedelta(days=4))
        submitted(applicant, due_in=None)
        submitted(applicant, agency="moc", due_in=timedelta(hours=-1))  # another agency's queue
        submitted(applicant, state="approved", due_in=timedelta(hours=-1))  # terminal, even if still queued
        submitted(applicant, state="withdrawn", due_in=timedelta(hours=-1))
        submitted(applicant, state="rejected", agency=None, due_in=None)
        page = client.get("/staff/dashboard")
        assert page.status_code == 200
        row = open_row(page)
        assert cells(row) == {"open": "5", "due-soon": "1", "breached": "2 Overdue"}
        assert "Check and approve" in row.get_text() and "Market stall permit" in row.get_text()
        assert len(page.soup.select("#open-cases ~ div tbody tr")) == 1
        assert open_row(page, "approved") is None and open_row(page, "rejected") is None
        assert page.soup.select_one(".lead").get_text(" ", strip=True).endswith("Phnom Penh Capital Administration")

    def test_states_are_counted_apart_and_calm_rows_say_nothing_about_delay(self, client, supervisor, applicant):
        submitted(applicant, due_in=timedelta(days=2))
        submitted(applicant, state="more_info", due_in=timedelta(days=9))
        page = client.get("/staff/dashboard")
        assert cells(open_row(page)) == {"open": "1", "due-soon": "0", "breached": "0"}
        assert cells(open_row(page, "more_info")) == {"open": "1", "due-soon": "0", "breached": "0"}
        assert "Overdue" not in page.soup.select_one("#open-cases ~ div tbody").get_text()

    def test_a_supervisor_at_several_agencies_sees_all_of_them(self, client, supervisor, applicant):
        agency_data.grant_role(supervisor, agency_data.get_by_slug("moc"), "supervisor")
        agency_data.grant_role(supervisor, agency_data.get_by_slug("gdt"), "clerk")
        db.session.commit()
        submitted(applicant, due_in=timedelta(hours=-1))
        submitted(applicant, agency="moc", due_in=timedelta(hours=5))
        submitted(applicant, agency="gdt", due_in=timedelta(hours=5))  # a clerk there, not a supervisor
        page = client.get("/staff/dashboard")
        rows = page.soup.select("#open-cases ~ div tbody tr")
        assert len(rows) == 2
        assert "Agency" in page.soup.select_one("#open-cases ~ div thead").get_text()
        assert [r.td.get_text(strip=True) for r in rows] == ["moc", "Phnom Penh Capital Administration"]
        assert page.soup.select_one("#open-cases ~ div tfoot").get_text(" ", strip=True) == "Total 2 1 1"

    def test_no_open_cases_says_so(self, client, supervisor):
        assert "No open cases." in client.get("/staff/dashboard").soup.select_one("main").get_text()


class TestProcessingTime:
    def test_median_and_90th_percentile_of_known_durations(self, client, supervisor, clerk, applicant):
        for hours in (50, 10, 40, 20, 30):
            finished(submitted(applicant), clerk, taken=timedelta(hours=hours), ended_ago=timedelta(days=2))
        # Not counted: ended before the window, withdrawn by the applicant, or done by another agency.
        finished(submitted(applicant), clerk, taken=timedelta(hours=1), ended_ago=timedelta(days=91))
        finished(submitted(applicant), applicant, taken=timedelta(hours=1), ended_ago=timedelta(days=1),
                 state="withdrawn", role="applicant")
        finished(submitted(applicant, agency="moc"), clerk, taken=timedelta(hours=1), ended_ago=timedelta(days=1),
                 role="moc.clerk")
        row = client.get("/staff/dashboard").soup.select_one(f"#processing-times ~ div tr[data-service='{SLUG}']")
        assert row.select_one(".completed").get_text(strip=True) == "5"
        assert row.select_one(".median").get_text(strip=True) == "1 day 6 hours"
        assert row.select_one(".p90").get_text(strip=True) == "1 day 22 hours"

    def test_a_case_rejected_on_the_case_page_counts_with_its_clerk(self, client, supervisor, clerk, applicant):
        application = submitted(applicant)
        sign_in_as(client, clerk)
        page = client.get(f"/staff/cases/{application.public_id}")
        done = client.submit(page, {"reason": "stall_taken"}, selector="main form[action$='/act/reject']")
        assert done.status_code == 303
        sign_in_as(client, supervisor)
        board = client.get("/staff/dashboard").soup
        assert board.select_one(f"#processing-times ~ div tr[data-service='{SLUG}'] .completed").get_text() == "1"
        assert [r.get_text(" ", strip=True) for r in board.select("#actions-per-person tbody tr")] == ["Keo Sophea 1"]

    def test_short_times_are_in_minutes_and_none_says_so(self, client, supervisor, clerk, applicant):
        assert "No case was completed" in client.get("/staff/dashboard").soup.select_one("main").get_text()
        finished(submitted(applicant), clerk, taken=timedelta(minutes=45), ended_ago=timedelta(hours=1))
        row = client.get("/staff/dashboard").soup.select_one(f"#processing-times ~ div tr[data-service='{SLUG}']")
        assert row.select_one(".median").get_text(strip=True) == "45 minutes"


class TestSeveralAgenciesInSequence:
    """The real business registration: the Ministry of Commerce, then the tax department (gdt)."""

    def test_an_agencys_part_ends_when_the_case_ends_or_moves_to_another_agencys_queue(self, app):
        with services_root(app, PROJECT_ROOT / "services"):
            business = get_catalogue().get("business-registration")
            assert exit_states(business, "moc") == {"tax_registration", "approved", "rejected"}
            assert exit_states(business, "gdt") == {"submitted", "moc_decision", "approved", "rejected"}
            residence = get_catalogue().get("residence-certificate")
            assert exit_states(residence, "sangkat-svay-por") == {"approved", "rejected"}

    def test_passing_a_case_on_completes_it_for_the_first_agency_only(self, app, client, factories, applicant):
        with services_root(app, PROJECT_ROOT / "services"):
            service = get_catalogue().get("business-registration")
            boss = factories.staff("moc", "supervisor", name_latin="Moc Boss", locale="en")
            moc_clerk = factories.staff("moc", "clerk", name_latin="Moc Clerk")
            now = utcnow()
            application = application_data.create(
                service_version_id=versions.pin(service).id, service_slug=service.slug,
                applicant_person_id=applicant.id, state="tax_registration", answers={},
                reference=new_reference(service.reference_prefix), current_agency="gdt",
                due_at=now + timedelta(days=3), submitted_at=now - timedelta(hours=30))
            for to_state, role, hours_ago in (("moc_decision", "moc.clerk", 20), ("tax_registration", "moc.clerk", 6)):
                application_data.add_event(application, actor_id=moc_clerk.id, actor_role=role, action="move",
                                           from_state="submitted", to_state=to_state,
                                           at=now - timedelta(hours=hours_ago))
            db.session.commit()
            sign_in_as(client, boss)
            client.expected_lang = "en"
            page = client.get("/staff/dashboard")
            row = page.soup.select_one("#processing-times ~ div tr[data-service='business-registration']")
            assert row.select_one(".completed").get_text(strip=True) == "1"
            assert row.select_one(".median").get_text(strip=True) == "1 day"
            assert page.soup.select_one("#open-cases ~ div tbody") is None  # the case is in gdt's queue now
            assert [r.get_text(" ", strip=True) for r in page.soup.select("#actions-per-person tbody tr")] == [
                "Moc Clerk 2"]


class TestWorkDone:
    def test_actions_per_day_and_per_person_over_thirty_days(self, client, supervisor, clerk, factories, applicant):
        colleague = factories.staff(AGENCY, "clerk", name_latin="Sao Dara", name_km="សៅ ដារា")
        elsewhere = factories.staff("moc", "clerk", name_latin="Outside Person")
        case = submitted(applicant)
        act(case, clerk)
        act(case, clerk)
        act(case, clerk, ago=timedelta(days=3))
        act(case, colleague, ago=timedelta(days=29))
        act(case, supervisor, role=f"{AGENCY}.supervisor")
        act(case, clerk, ago=timedelta(days=31))  # before the window
        act(case, elsewhere, role="moc.clerk")  # another agency
        act(case, applicant, role="applicant")
        db.session.commit()
        page = client.get("/staff/dashboard")
        now = utcnow()
        per_day = {tr["data-day"]: tr.td.get_text(strip=True) for tr in page.soup.select("#actions-per-day tbody tr")}
        assert len(per_day) == 30
        today = cambodian_day(now)
        assert per_day[today.isoformat()] == "3"
        assert per_day[(today - timedelta(days=3)).isoformat()] == "1"
        assert per_day[(today - timedelta(days=29)).isoformat()] == "1"
        assert sum(int(v) for v in per_day.values()) == 5
        people = [r.get_text(" ", strip=True) for r in page.soup.select("#actions-per-person tbody tr")]
        assert people == ["Keo Sophea 3", "Chan Sophal 1", "Sao Dara 1"]
        assert "Sok Chanthy" not in page.soup.select_one("main").get_text()

    def test_days_are_cambodian_days(self, client, supervisor, clerk, applicant):
        # 00:30 yesterday in Phnom Penh is 17:30 UTC the day before: it counts for yesterday.
        now = utcnow()
        yesterday = cambodian_day(now) - timedelta(days=1)
        early = datetime.combine(yesterday, time(0, 30)) - timedelta(hours=7)
        act(submitted(applicant), clerk, ago=now - early)
        db.session.commit()
        per_day = {tr["data-day"]: tr.td.get_text(strip=True)
                   for tr in client.get("/staff/dashboard").soup.select("#actions-per-day tbody tr")}
        assert per_day[yesterday.isoformat()] == "1"
        assert per_day[(yesterday - timedelta(days=1)).isoformat()] == "0"

    def test_the_chart_is_inline_svg_with_a_title_a_description_and_no_script(self, client, supervisor, clerk,
                                                                             applicant):
        act(submitted(applicant), clerk)
        db.session.commit()
        page = client.get("/staff/dashboard")
        svg = page.soup.select_one("main figure svg")
        assert svg["role"] == "img" and svg["aria-label"] == "Actions on cases per day, last 30 days"
        assert svg.title.get_text() == "Actions on cases per day, last 30 days"
        assert "1 actions on cases in the last 30 days" in svg.desc.get_text()
        assert len(svg.select("rect.chart-bar")) == 30
        assert [t.get_text() for t in svg.select("text.chart-axis-label")] == ["Day", "Actions"]
        assert page.soup.select("main script") == [] and svg.select("[href], foreignObject") == []
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]


class TestCsvExport:
    def test_an_attachment_in_utf8_with_a_bom_one_figure_a_row(self, client, supervisor, clerk, applicant):
        submitted(applicant, due_in=timedelta(hours=-2))
        submitted(applicant, due_in=timedelta(hours=2))
        finished(submitted(applicant), clerk, taken=timedelta(hours=10), ended_ago=timedelta(days=1))
        response = client.get("/staff/dashboard.csv?lang=en")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"].startswith('attachment; filename="dashboard-')
        body = response.get_data()
        assert body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert list(rows[0]) == ["section", "agency_code", "agency", "service_code", "service", "state_code",
                                 "state", "staff_member", "day", "measure", "value"]
        figures = {(r["section"], r["state_code"], r["measure"]): r["value"] for r in rows if not r["day"]}
        assert figures[("open_cases", "submitted", "open")] == "2"
        assert figures[("open_cases", "submitted", "due_soon")] == "1"
        assert figures[("open_cases", "submitted", "breached")] == "1"
        assert figures[("processing_time", "", "completed")] == "1"
        assert figures[("processing_time", "", "median_hours")] == "10.0"
        assert figures[("actions_per_person", "", "actions")] == "1"
        assert [r["staff_member"] for r in rows if r["section"] == "actions_per_person"] == ["Keo Sophea"]
        days = [r for r in rows if r["section"] == "actions_per_day"]
        assert len(days) == 30 and days[-1]["day"] == cambodian_day(utcnow()).isoformat()
        assert sum(int(r["value"]) for r in days) == 1
        text = body.decode("utf-8-sig")
        assert "Sok Chanthy" not in text and "សុខ" not in text and applicant.phone not in text

    def test_khmer_labels_and_a_name_that_looks_like_a_formula_is_defused(self, client, supervisor, factories,
                                                                         applicant):
        sneaky = factories.staff(AGENCY, "clerk", name_km="=HYPERLINK(\"http://x\")", name_latin=None)
        act(submitted(applicant), sneaky)
        db.session.commit()
        text = client.get("/staff/dashboard.csv?lang=km").get_data().decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {r["service"] for r in rows if r["section"] == "open_cases"} == {"លិខិតអនុញ្ញាតតូបលក់ដូរក្នុងផ្សារ"}
        assert [r["staff_member"] for r in rows if r["section"] == "actions_per_person"] == ["'=HYPERLINK(\"http://x\")"]


def test_a_khmer_speaking_supervisor_reads_it_in_khmer_with_khmer_digits(client, factories, clerk, applicant):
    supervisor = factories.staff(AGENCY, "supervisor", name_km="ចាន់ សុផល", locale="km")
    sign_in_as(client, supervisor)
    client.expected_lang = "km"
    for _ in range(12):
        submitted(applicant, due_in=timedelta(hours=-1), commit=False)
    db.session.commit()
    finished(submitted(applicant), clerk, taken=timedelta(hours=30), ended_ago=timedelta(days=1))
    page = client.get("/staff/dashboard")
    assert page.status_code == 200
    assert cells(open_row(page))["open"] == "១២"
    assert cells(open_row(page))["breached"] == "១២ ហួសកាលកំណត់"
    median = page.soup.select_one(f"#processing-times ~ div tr[data-service='{SLUG}'] .median").get_text(strip=True)
    assert median.startswith("១ ") and not any(c.isascii() and c.isdigit() for c in median)
    svg = page.soup.select_one("main figure svg")
    labels = [t.get_text() for t in svg.select("text.chart-label, text.chart-tick")]
    assert labels and not any(c in "0123456789" for label in labels for c in label)
    assert "ត្រូវពិនិត្យ និងអនុម័ត" in open_row(page).get_text()


class TestFigures:
    def test_percentiles_interpolate_between_ranks_like_percentile_cont(self):
        assert percentile([10, 20, 30, 40, 50], 0.5) == 30
        assert percentile([10, 20, 30, 40, 50], 0.9) == pytest.approx(46)
        assert percentile([4, 1, 3, 2], 0.5) == 2.5
        assert percentile([7], 0.9) == 7
        with pytest.raises(ValueError):
            percentile([], 0.5)

    def test_axis_ticks_are_round_numbers_reaching_the_largest_value(self):
        assert nice_ticks(0) == [0, 1]
        assert nice_ticks(3) == [0, 1, 2, 3]
        assert nice_ticks(47) == [0, 10, 20, 30, 40, 50]
        assert nice_ticks(120) == [0, 50, 100, 150]

    def test_chart_texts_are_escaped(self):
        svg = str(bar_chart([Bar("<b>&", 2)], title='"><script>', description="a < b", x_label="x", y_label="y",
                            number=str, chart_id="c"))
        assert "<script>" not in svg and "<b>" not in svg
        assert "&lt;b&gt;&amp;: 2" in svg and 'aria-label="&#34;&gt;&lt;script&gt;"' in svg
