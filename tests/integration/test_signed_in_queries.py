"""How many SQL statements a signed-in page sends (issue 16): a bound per page, so that a lazy load per row
(an N+1) or a second lookup of the same row coming back fails here, not only in a benchmark. The bounds are
the counts measured when they were set (docs/performance.md); the session row is read, never written, on
a page seen again within the minute the idle clock moves by."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from flask.globals import app_ctx
from flask.testing import FlaskClient
from sqlalchemy import event

from portal.data.db import db
from tests import journey
from tests.integration.test_required_zero import citizen  # noqa: F401

RESIDENCE = {"person": {}, "residence": {"years": "12", "book_type": "family_book", "book_number": "020310-123"},
             "purpose": {"purpose": "bank", "equity_card": "no"}, "declaration": {"declaration": "y"}}
# The session, the person (with their staff roles and centre post), the application (with its pinned version)
# and one more: the person's documents (a step's document choices) or the application's attachments (review).
STEP_OR_REVIEW_BOUND = 4
MY_APPLICATIONS_BOUND = 3  # the session, the person, the applications (with their versions)


@contextmanager
def _own_app_context():
    """Each request in an app context of its own, as in production: the test's context, which requests would
    otherwise share, keeps the signed-in person in `g` and rows in its session, hiding their queries."""
    outer = app_ctx._get_current_object()
    outer.pop()
    try:
        yield
    finally:
        outer.push()


def statements_of(client, url: str) -> list[str]:
    """The SQL statements one GET of `url` sends (transaction control left out); the page must be a 200."""
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        if statement.split(None, 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
            seen.append(statement)

    engine = db.engine
    with _own_app_context():
        # FlaskClient's own open: PortalClient checks the page afterwards, in the app context popped here.
        FlaskClient.open(client, url)  # the first view of a page may move the idle clock: a write not counted here
        event.listen(engine, "before_cursor_execute", listen)
        try:
            response = FlaskClient.open(client, url)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
    assert response.status_code == 200, url
    return seen


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if not s.lstrip().upper().startswith(("SELECT", "WITH"))]


@pytest.fixture
def first_step(client, citizen):  # noqa: F811
    return journey.start(client, "residence-certificate")


def test_a_form_step_reads_the_session_person_application_and_documents_once_each(client, first_step):
    statements = statements_of(client, first_step)
    assert len(statements) <= STEP_OR_REVIEW_BOUND, statements
    assert _writes(statements) == []  # no session write, no audit row, on a page seen again


def test_the_review_page_keeps_to_its_bound(client, first_step):
    journey.fill_steps(client, first_step, RESIDENCE)
    statements = statements_of(client, first_step.split("/steps/")[0] + "/review")
    assert len(statements) <= STEP_OR_REVIEW_BOUND, statements
    assert _writes(statements) == []


def test_my_applications_sends_as_many_statements_for_thirty_applications_as_for_three(client, first_step):
    for _ in range(2):
        journey.start(client, "residence-certificate")
    with_three = statements_of(client, "/applications")
    for _ in range(27):
        journey.start(client, "residence-certificate")
    with_thirty = statements_of(client, "/applications")
    assert len(with_thirty) == len(with_three) <= MY_APPLICATIONS_BOUND, with_thirty
    assert _writes(with_thirty) == []
