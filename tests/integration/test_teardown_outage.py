"""The database going away after a page was made (PostgreSQL stopped between the page and the request's
teardown): the page goes out whole, and an error after an answer was started replaces that answer entirely
(a reliability run once got a 503 page cut short under the first page's Content-Length)."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from portal.data.db import db
from portal.web.outages import LastResort, static_page


def test_a_rollback_that_fails_at_teardown_does_not_replace_the_page(app, client, monkeypatch):
    def gone():
        raise OperationalError("ROLLBACK", {}, Exception("terminating connection due to administrator command"))

    monkeypatch.setattr(db.session, "remove", gone)
    response = client.get("/")
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.data) > 4000


def test_an_error_after_the_answer_started_replaces_it_headers_and_all():
    def page_then_outage(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", "4134")])
        raise OperationalError("ROLLBACK", {}, Exception("terminating connection due to administrator command"))

    calls = []

    def start_response(status, headers, exc_info=None):
        calls.append((status, headers))

    body = b"".join(LastResort(page_then_outage)({"PATH_INFO": "/applications"}, start_response))
    [(status, headers)] = calls  # one answer only: the server never sees the page's headers
    assert status.startswith("503") and "Content-Length" not in dict(headers)
    assert body == static_page(503).encode()


def test_the_outage_page_does_not_ask_the_database_again_who_is_signed_in(client, trader, monkeypatch):
    """Flask-Login's template context loads the user on every render: on a locked SQLite file that second
    question was a second full busy wait, and a signed-in page under an outage took twice the timeout."""
    from portal.data import people

    asked = []

    def unreachable(public_id):
        asked.append(public_id)
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

    monkeypatch.setattr(people, "get_signed_in", unreachable)
    client.expected_lang = None  # the person's language is on their row, which could not be read: both are shown
    response = client.get("/applications")
    assert response.status_code == 503
    assert "error-code" in response.text  # the portal's own outage page, not the static fallback
    assert len(asked) == 1
