"""Signing a test client in: through the form, as a person does, or straight into the session."""

from __future__ import annotations

import time

from tests import factories


def sign_in_as(client, person, seen_ago: int = 0) -> None:
    """Put `person` into the client's server-side session, as a completed sign-in (TOTP included)
    would; `seen_ago` makes the session look idle for that many seconds."""
    now = int(time.time())
    with client.session_transaction() as session:
        session["_user_id"] = person.public_id
        session["_fresh"] = True
        session["_started"] = now - seen_ago
        session["_seen"] = now - seen_ago
        session["_stamp"] = person.session_stamp


def sign_in_through_form(client, person, password: str = factories.PASSWORD) -> None:
    """Sign in through the sign-in form, as the person would (after leaving any earlier session)."""
    client.delete_cookie("session")
    expected_lang, client.expected_lang = client.expected_lang, None
    page = client.get("/sign-in")
    response = client.submit(page, {"contact": person.email or person.phone, "password": password})
    assert response.status_code == 302, "signing in failed"
    client.expected_lang = expected_lang


def stored_sessions() -> int:
    """How many sessions the server keeps."""
    from portal.data import web_sessions

    return web_sessions.count()


def session_is_stored(sid: str) -> bool:
    from portal.data import web_sessions
    from portal.web.security.sessions import digest

    return web_sessions.read(digest(sid)) is not None
