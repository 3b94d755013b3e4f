"""The back office in a real browser, in Khmer, on the demo data (`flask demo load`): a clerk signs in
with a TOTP code and works a case from the queue to a recommendation; a supervisor's dashboard draws
its chart and downloads its CSV; axe finds no serious problem on the queue, a case or the dashboard.

Each demo account signs in once per module and the session is reused in fresh browser contexts.
Screenshots go to the directory named by PORTAL_E2E_SHOTS, when it is set."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import pyotp
import pytest
import yaml
from babel.support import Translations

from portal.cli import demo
from tests.e2e.conftest import PHONE, PROJECT_ROOT, flask_command
from tests.e2e.test_public_pages_in_browser import serious_problems

DESKTOP = {"width": 1280, "height": 900}
CLERK = f"clerk.moc@{demo.EMAIL_DOMAIN}"
SUPERVISOR = f"supervisor.moc@{demo.EMAIL_DOMAIN}"
# The commune office whose clerk handed a residence certificate case over to the chief (demo_cases.py).
COMMUNE_CLERK = f"clerk.sangkat-boeng-keng-kang-1@{demo.EMAIL_DOMAIN}"
SERVICE = "business-registration"
# Cases of the Ministry of Commerce's clerk, as the demo data makes them (portal/cli/demo_cases.py).
UNASSIGNED_TO_REVIEW = f"/staff/queue?service={SERVICE}&state=submitted&who=unassigned"
MINE_TO_REVIEW = f"/staff/queue?service={SERVICE}&state=submitted&who=mine"
UTF8_BOM = b"\xef\xbb\xbf"

_KM = Translations.load(str(PROJECT_ROOT / "translations"), ["km"])


def km(msgid: str) -> str:
    """The Khmer the portal shows for `msgid`; refuses an untranslated one, which would prove nothing."""
    text = _KM.gettext(msgid)
    assert any("\u1780" <= c <= "\u17ff" for c in text), f"no Khmer translation of {msgid!r} (messages.mo?)"
    return text


def workflow() -> dict:
    definition = yaml.safe_load((PROJECT_ROOT / "services" / SERVICE / "service.yaml").read_text("utf-8"))
    return definition["workflow"]


def staff_label(state: str) -> str:
    found = workflow()["states"][state]
    return (found.get("staff_label") or found["label"])["km"]


def action_label(action: str) -> str:
    return next(t["label"]["km"] for t in workflow()["transitions"] if t["action"] == action)


def shot(page, name: str) -> None:
    """A full-page screenshot for a person to look at, when PORTAL_E2E_SHOTS names a directory."""
    directory = os.environ.get("PORTAL_E2E_SHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"back-office-{name}.png"), full_page=True)


# --- demo data and signing in -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_totp(portal_url, portal_instance) -> dict[str, pyotp.TOTP]:
    """Loads the demo data into the session's portal; the staff accounts' TOTP, by email address."""
    output = flask_command(portal_instance, "demo", "load").stdout
    uris = [word for word in output.split() if word.startswith("otpauth://totp/")]
    found = {otp.name: otp for otp in map(pyotp.parse_uri, uris)}
    assert {CLERK, SUPERVISOR} <= found.keys(), output
    return found


# The portal refuses a code it accepted before (replay), so one account signs in at most once per step.
_last_step: dict[str, int] = {}


def unused_code(email: str, totp: pyotp.TOTP) -> str:
    step = totp.timecode(datetime.now())
    if _last_step.get(email) == step:
        # Not a wait for the portal: the clock must reach the authenticator's next 30-second step.
        time.sleep(totp.interval - time.time() % totp.interval + 0.1)
        step = totp.timecode(datetime.now())
    _last_step[email] = step
    return totp.generate_otp(step)


def sign_in(browser, portal_url: str, email: str, totp: pyotp.TOTP, landing: str) -> dict:
    """Signs in through the forms, password then code, and returns the signed-in browser state."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{portal_url}/sign-in?next={landing}")
        page.fill("#contact", email)
        page.fill("#password", demo.STAFF_PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(portal_url + "/sign-in/code")
        assert page.get_by_role("heading", level=1).inner_text() == km("Enter your security code")
        shot(page, f"sign-in-code-{email.split('@')[0]}")
        page.fill("#code", unused_code(email, totp))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(portal_url + landing)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture(scope="module")
def signed_in(browser, portal_url, demo_totp):
    """`signed_in(email)`: that demo account's browser state, signing in the first time it is asked."""
    states: dict[str, dict] = {}
    landings = {CLERK: "/staff/queue", SUPERVISOR: "/staff/dashboard", COMMUNE_CLERK: "/staff/queue"}

    def state(email: str) -> dict:
        if email not in states:
            states[email] = sign_in(browser, portal_url, email, demo_totp[email], landings[email])
        return states[email]

    return state


@pytest.fixture
def staff_page(browser, signed_in):
    """`staff_page(email, viewport=..., axe=False)`: a page in a fresh context, signed in as `email`.
    With axe=True the context ignores our CSP, which rightly blocks axe's injected script."""
    contexts = []

    def open_page(email: str, viewport: dict = DESKTOP, axe: bool = False):
        context = browser.new_context(viewport=viewport, storage_state=signed_in(email), bypass_csp=axe)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def first_case_in(page, portal_url: str, queue: str) -> None:
    """Opens the first (most urgent) case of a filtered queue."""
    page.goto(portal_url + queue)
    links = page.locator(".queue-table tbody a.reference")
    assert links.count() > 0, f"the demo data has no case in {queue}"
    links.first.click()
    page.wait_for_url(f"{portal_url}/staff/cases/**")


def click_and_wait(page, button) -> None:
    """Submits one of the case page's forms; each answers with a redirect back to the case."""
    with page.expect_navigation():
        button.click()


# --- the clerk's work ----------------------------------------------------------------------------------


class TestClerk:
    def test_the_queue_is_in_khmer_and_marks_overdue_cases_in_words(self, staff_page, portal_url):
        page = staff_page(CLERK)
        page.goto(portal_url + "/staff/queue")
        assert page.get_attribute("html", "lang") == "km"
        assert page.get_by_role("heading", level=1).inner_text() == km("Case queue")
        table = page.locator(".queue-table")
        assert table.locator("caption").inner_text() == km("Most urgent first")
        headers = table.locator("thead th").all_inner_texts()
        assert [km("Reference"), km("Status"), km("Due"), km("Assigned to")] == [headers[0], *headers[3:]]
        overdue = table.locator("tbody tr.row-breached")
        assert overdue.count() >= 1
        for row in overdue.all():
            assert row.locator(".tag-error").inner_text() == km("Overdue")
        # Most urgent first: the overdue rows come before every other row.
        classes = table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.className)")
        assert classes[: overdue.count()] == ["row-breached"] * overdue.count()
        shot(page, "queue")

    def test_a_clerk_claims_a_submitted_case_writes_on_it_and_recommends_it(self, staff_page, portal_url):
        page = staff_page(CLERK)
        first_case_in(page, portal_url, UNASSIGNED_TO_REVIEW)
        assert page.get_attribute("html", "lang") == "km"
        status = page.locator(".facts .tag").first
        assert status.inner_text() == staff_label("submitted")
        actions = page.locator(".case-actions")
        assert actions.get_by_role("heading", level=2).inner_text() == km("What you can do")
        # The recommendation waits for the documents to be checked, and the page says so.
        assert km("documents not checked") in actions.inner_text()
        assert actions.get_by_role("button", name=action_label("recommend")).count() == 0
        shot(page, "case-before")

        click_and_wait(page, actions.get_by_role("button", name=km("Claim this case")))
        assert page.locator(".notice-success").inner_text() == km("The case is now assigned to you.")
        assert actions.get_by_role("button", name=km("Release this case")).is_visible()

        note = "ពិនិត្យលិខិតជួលទីតាំងរួចហើយ (e2e)"
        message = "សូមរង់ចាំការសម្រេចរបស់ក្រសួង។ (e2e)"
        notes = page.locator("#notes")
        notes.get_by_label(km("Internal note (only staff see it)")).fill(note)
        click_and_wait(page, notes.get_by_role("button", name=km("Save the note")))
        assert page.locator(".notice-success").inner_text() == km("Your note was saved.")
        notes.get_by_label(km("Message to the applicant")).fill(message)
        click_and_wait(page, notes.get_by_role("button", name=km("Send to the applicant")))
        assert page.locator(".notice-success").inner_text() == km("Your message was sent to the applicant.")

        click_and_wait(page, actions.get_by_role("button", name=km("Mark documents as checked")))
        assert page.locator(".notice-success").inner_text() == km("Marked as documents checked.")
        # Paid at the counter: the form offers what is due; the clerk writes the paper receipt's number.
        payment = page.locator("#payment")
        assert km("Balance due") in payment.inner_text()
        payment.get_by_label(km("Receipt number you wrote")).fill("MOC-E2E-0001")
        click_and_wait(page, payment.get_by_role("button", name=km("Record the payment")))
        assert page.locator(".notice-success").inner_text().startswith(km("Payment recorded: %(amount)s.")[:10])
        assert km("Paid in full") in page.locator("#payment").inner_text()
        facts = dict(zip(page.locator(".facts dt").all_inner_texts(), page.locator(".facts dd").all_inner_texts(),
                         strict=True))
        assert facts[km("Payment")] == km("Paid in full") and facts[km("Documents checked")] == km("Yes")
        shot(page, "case-ready")

        click_and_wait(page, actions.get_by_role("button", name=action_label("recommend")))
        new_state = staff_label("moc_decision")
        assert page.locator(".notice-success").inner_text() == km("Done: %(status)s.") % {"status": new_state}
        assert status.inner_text() == new_state
        history = page.locator("ol.timeline").first.locator(":scope > li").last.inner_text()
        assert new_state in history and action_label("recommend") in history
        assert notes.get_by_role("heading", level=2).inner_text() == km("Notes and messages")
        internal = notes.locator("li.note-internal", has_text=note)
        assert internal.locator(".tag").inner_text() == km("Internal note: not shown to the applicant")
        sent = notes.locator("li.note-message", has_text=message)
        assert sent.locator(".tag").inner_text() == km("Message sent to the applicant")
        shot(page, "case-recommended")

    def test_on_a_phone_the_case_shows_what_is_owed_and_the_counter_form_in_khmer(self, staff_page, portal_url):
        page = staff_page(CLERK, PHONE)
        first_case_in(page, portal_url, UNASSIGNED_TO_REVIEW)
        payment = page.locator("#payment")
        assert payment.get_by_role("heading", level=2).inner_text() == km("Payment")
        due = payment.locator(".balance-due dd").inner_text()
        assert "៛" in due and any(digit in due for digit in "០១២៣៤៥៦៧៨៩"), due
        assert payment.get_by_role("button", name=km("Record the payment")).is_visible()
        sideways = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert sideways <= 0, f"the case scrolls sideways by {sideways} px at 390 px"
        payment.scroll_into_view_if_needed()
        shot(page, "case-balance-phone")

    def test_on_a_phone_the_queue_is_a_stacked_list_that_never_scrolls_sideways(self, staff_page, portal_url):
        page = staff_page(COMMUNE_CLERK, PHONE)
        page.goto(portal_url + "/staff/queue")
        assert page.get_attribute("html", "lang") == "km"
        assert page.locator(".queue-table tbody tr").count() > 1
        sideways = page.evaluate("""() => [document.documentElement, ...document.querySelectorAll('.table-scroll')]
            .map(box => box.scrollWidth - box.clientWidth)""")
        assert max(sideways) <= 0, f"the queue scrolls sideways by {sideways} px at 390 px"
        # Each case is a card: its reference as a heading, then each column's name before its value.
        first_row = page.locator(".queue-table tbody tr").first
        assert first_row.locator("td").first.evaluate("td => getComputedStyle(td).display") == "block"
        shot(page, "queue-phone-km")

    def test_the_queue_says_which_cases_are_checked_and_ready_for_decision(self, staff_page, portal_url):
        page = staff_page(COMMUNE_CLERK, PHONE)
        page.goto(portal_url + "/staff/queue")
        ready = page.locator(".queue-table tbody tr", has=page.locator(".tag-ready"))
        assert ready.count() == 1
        assert ready.locator(".tag-ready").inner_text() == km("Checked, ready for decision")
        ready.locator("a.reference").click()
        page.wait_for_url(f"{portal_url}/staff/cases/**")
        assert km("Checked, ready for decision") in page.locator(".facts").first.inner_text()
        history = page.locator("ol.timeline li.case-record").all_inner_texts()
        assert any(km("Checked, ready for decision") in line for line in history)
        shot(page, "case-ready-phone-km")
        english = staff_page(COMMUNE_CLERK)
        english.goto(portal_url + "/staff/queue?lang=en")
        assert english.locator(".queue-table .tag-ready").inner_text() == "Checked, ready for decision"
        shot(english, "queue-ready-desktop-en")

    def test_staff_pages_are_not_stored_by_the_browser(self, staff_page, portal_url):
        page = staff_page(CLERK)
        response = page.goto(portal_url + "/staff/queue")
        assert response.status == 200
        assert "no-store" in response.headers["cache-control"]


# --- the supervisor's dashboard -----------------------------------------------------------------------


class TestSupervisor:
    def test_the_dashboard_draws_its_chart_and_downloads_its_figures_with_a_byte_order_mark(
        self, staff_page, portal_url
    ):
        page = staff_page(SUPERVISOR)
        page.goto(portal_url + "/staff/dashboard")
        assert page.get_attribute("html", "lang") == "km"
        assert page.get_by_role("heading", level=1).inner_text() == km("Supervisor dashboard")
        assert page.get_by_role("heading", name=km("Work done")).is_visible()
        chart = page.locator("figure.chart-figure svg")
        box = chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
        assert page.locator(".dashboard-table tbody tr").count() > 0
        shot(page, "dashboard")

        with page.expect_download() as info:
            page.get_by_role("link", name=km("Download these figures as a spreadsheet (CSV)")).click()
        download = info.value
        assert download.suggested_filename.endswith("-km.csv")
        content = Path(download.path()).read_bytes()
        assert content.startswith(UTF8_BOM + b"section,agency_code,")
        assert "ក្រសួងពាណិជ្ជកម្ម".encode() in content  # names in the page's language, in UTF-8


# --- accessibility ---------------------------------------------------------------------------------------

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


class TestAccessibility:
    def test_the_queue(self, staff_page, portal_url, axe_script):
        page = staff_page(CLERK, axe=True)
        page.goto(portal_url + "/staff/queue")
        assert serious_problems(page, axe_script) == []

    def test_a_case_with_notes_and_actions(self, staff_page, portal_url, axe_script):
        page = staff_page(CLERK, axe=True)
        first_case_in(page, portal_url, MINE_TO_REVIEW)
        assert page.locator("#notes li.note").count() > 0 and page.locator(".case-action").count() > 0
        assert serious_problems(page, axe_script) == []

    # On a phone the dashboard's tables are wider than the screen: their scroll boxes must take the focus.
    @pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
    def test_the_dashboard(self, staff_page, portal_url, axe_script, viewport):
        page = staff_page(SUPERVISOR, viewport, axe=True)
        page.goto(portal_url + "/staff/dashboard")
        assert serious_problems(page, axe_script) == []
        if viewport == PHONE:
            shot(page, "dashboard-phone")
