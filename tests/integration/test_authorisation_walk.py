"""Authorisation, walked over the whole URL map.

Every route that acts on one record is opened, its URL filled from real records of applicant A (whose
application agency X handles), as every role: anonymous, another applicant, a clerk of another agency,
A, a clerk of X, a supervisor of X and an administrator. Only the record's own people get through;
everyone else is sent to sign in or answered 404/403 (404 from the back office, unless they may read the
case), and the record stays as it was. Routes that name no one's record are listed,
with why, in tests/route_walk.py; a route in neither table fails the walk, so a new route is walked (or
consciously listed) before it ships.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from portal.data import agencies
from portal.data.db import db
from portal.domain.catalogue import get_catalogue
from tests.route_walk import (
    ACCESS,
    AGENCY_CLERK,
    AGENCY_SUPERVISOR,
    ANONYMOUS,
    APPLICANT,
    CASE_READERS,
    NOT_PER_RECORD,
    PUBLIC,
    ROLES,
    TOKEN_ONLY,
    WALKS,
    Records,
    a_staff_step,
    application_unchanged,
    chief_decides,
    fill,
    routes,
    walked,
)
from tests.service_roots import copy_of_fixture, edit_service, services_root
from tests.sessions import sign_in_as
from tests.staff_cases import SLUG, fuller_workflow

pytestmark = pytest.mark.usefixtures("services")


@pytest.fixture(scope="module")
def services(app, tmp_path_factory):
    """The fixture service with the fuller workflow (tests/staff_cases.py), loaded once for the module:
    the walk is a few hundred small tests, and reading the definition for each would be most of its time."""
    root = copy_of_fixture(tmp_path_factory.mktemp("walk"))
    edit_service(app, root, SLUG, lambda data: (fuller_workflow(data), chief_decides(data), a_staff_step(data)))
    with services_root(app, root):
        yield root


@pytest.fixture(autouse=True)
def _fixture_agencies(services):
    # Inside each test's rolled-back transaction, as `services_root(sync_agencies=True)` would do.
    agencies.sync(get_catalogue().all_agencies())
    db.session.commit()


# (role, Walk.name) -> why: routes known to let in someone they should not. Each stays a failing test
# (strict xfail) until the route is fixed, when the xfail itself fails and this entry must go.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}

ALLOWED = (200, 302, 303)


def visit(client, person, method: str, url: str, form: dict | None = None):
    """`method` on `url` as `person` (None: signed out), a POST with a valid CSRF token of their session,
    so that only authorisation can stop it."""
    client.delete_cookie("session")
    if person is not None:
        sign_in_as(client, person)
    if method == "GET":
        return client.get(url)
    token = client.csrf_token()
    return client.open(url, method=method, data={"csrf_token": token, **(form or {})})


def refusal_problem(response, role: str, not_found_only: bool, token_only: bool = False) -> str | None:
    """Why `response` is not a refusal `role` should get, or None if it is one. `token_only`: a route no
    browser's sign-in opens (the API's, for tokens), which says 401 to everyone alike."""
    status = response.status_code
    if token_only:
        return None if status == 401 else f"got {status}, expected 401"
    if role == ANONYMOUS:
        if status in (302, 303) and urlsplit(response.headers.get("Location", "")).path == "/sign-in":
            return None
        return None if status in (401, 403, 404) else f"got {status}, not the sign-in page or 401/403/404"
    expected = (404,) if not_found_only else (403, 404)
    return None if status in expected else f"got {status}, expected {' or '.join(map(str, expected))}"


def test_every_route_is_walked_or_listed_as_not_per_record(app):
    everything = routes(app)
    listed = {(method, rule) for method, rule in everything if rule in NOT_PER_RECORD}
    endpoints = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
    missing = [f"{method} {rule} ({endpoints[rule]})" for method, rule in sorted(everything - walked() - listed)]
    assert not missing, (
        "routes neither walked nor listed as not per-record: add each to WALKS (with real records that fill "
        f"its URL) or to NOT_PER_RECORD (with why) in tests/route_walk.py: {missing}")
    assert not walked() & listed, f"routes both walked and listed: {sorted(walked() & listed)}"
    rules = {rule for _method, rule in everything}
    stale = sorted(walked() - everything) + sorted(set(NOT_PER_RECORD) - rules)
    assert not stale, f"tests/route_walk.py names routes the portal no longer has: {stale}"


def _walk_cases():
    for walk in WALKS:
        for role in ROLES:
            leak = KNOWN_LEAKS.get((role, walk.name))
            yield pytest.param(walk, role, id=f"{role}: {walk.name}",
                               marks=[pytest.mark.xfail(strict=True, reason=leak)] if leak else [])


@pytest.mark.parametrize(("walk", "role"), list(_walk_cases()))
def test_a_record_route_lets_in_only_the_record_s_own_people(app, client, factories, walk, role):
    records = Records(app, factories, walk.state)
    url, form = walk.url(records), walk.form(records)
    before = walk.unchanged(records)
    response = visit(client, records.visitor(role), walk.method, url, form)
    where = f"{role}: {walk.method} {walk.rule} ({url})"
    if role in walk.allowed:
        # The positive control: the URL is real and the request would do its work.
        assert response.status_code in ALLOWED, f"{where}: got {response.status_code}, so the walk proves nothing"
        if walk.method == "POST":
            assert walk.unchanged(records) != before, f"{where}: the allowed request changed nothing"
        return
    problem = refusal_problem(response, role, walk.shows_agency_record() and role not in CASE_READERS)
    assert problem is None, f"{where}: {problem}"
    assert walk.unchanged(records) == before, f"{where}: refused, but the record changed"


def _listed_cases():
    for rule, listed in NOT_PER_RECORD.items():
        if listed.access == PUBLIC:
            continue
        for role in ROLES:
            if role in (APPLICANT, AGENCY_CLERK, AGENCY_SUPERVISOR) and listed.access in ACCESS[role]:
                continue  # A and X's staff may see A's records on their own lists
            yield pytest.param(rule, role, id=f"{role}: {rule}")


@pytest.mark.parametrize(("rule", "role"), list(_listed_cases()))
def test_a_route_that_is_not_per_record_shows_no_one_else_s_record(app, client, factories, rule, role):
    """Those without access are refused; those with access see none of A's records on it."""
    listed = NOT_PER_RECORD[rule]
    records = Records(app, factories)
    may_open = listed.access in ACCESS[role]
    markers = records.markers() if may_open else set()  # A's records exist before anyone looks
    url = fill(rule, listed.url_values(records))
    for method in sorted(method for method, each in routes(app) if each == rule):
        where = f"{role}: {method} {rule} ({url})"
        # A POST without a listed form acts on the visitor's own things (or is refused as incomplete).
        form = listed.form(records) if listed.form and method == "POST" else None
        response = visit(client, records.visitor(role), method, url, form)
        if not may_open:
            problem = refusal_problem(response, role, not_found_only=False, token_only=listed.access == TOKEN_ONLY)
            assert problem is None, f"{where}: {problem}"
            continue
        assert response.status_code < 500, f"{where}: got {response.status_code}"
        echoed = set((form or {}).values())  # a search box shows what was searched for
        body = response.get_data(as_text=True)
        assert not {m for m in markers - echoed if m in body}, f"{where}: shows A's application or document"


def test_the_lists_show_a_s_records_to_a_and_to_x_s_clerks(app, client, factories):
    """The other side of the test above: the markers it looks for are really on the pages of those who
    may see them."""
    records = Records(app, factories)
    application = records.application
    mine = visit(client, records.applicant, "GET", "/applications").get_data(as_text=True)
    assert application.reference in mine and application.public_id in mine
    documents = visit(client, records.applicant, "GET", "/documents").get_data(as_text=True)
    assert records.upload.public_id in documents
    queue = visit(client, records.agency_clerk, "GET", "/staff/queue").get_data(as_text=True)
    assert application.reference in queue
    found = visit(client, records.agency_clerk, "POST", "/staff/queue", {"q": application.reference})
    assert application.public_id in found.get_data(as_text=True)


def test_a_document_named_in_a_form_is_authorised_like_one_in_the_url(app, client, factories):
    """B may attach documents to B's own application, but not A's document, by its id in the form."""
    records = Records(app, factories)
    theirs = Records(app, factories, "more_info", applicant=records.other_applicant)  # open for documents
    url = f"/applications/{theirs.application.public_id}/documents"
    requirement = theirs.service.documents[0].id
    before = application_unchanged(theirs)
    stolen = visit(client, records.other_applicant, "POST", url,
                   {"requirement": requirement, "existing": records.other_upload.public_id})
    made_up = visit(client, records.other_applicant, "POST", url, {"requirement": requirement, "existing": "x" * 22})
    # Refused, and exactly as an id that exists nowhere: the answer does not tell B that A's document exists.
    assert stolen.status_code in (400, 403, 404) and stolen.status_code == made_up.status_code
    assert application_unchanged(theirs) == before
    own = visit(client, records.other_applicant, "POST", url,
                {"requirement": requirement, "existing": theirs.other_upload.public_id})
    assert own.status_code == 302 and application_unchanged(theirs) != before
