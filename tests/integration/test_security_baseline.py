"""DESIGN.md section 8 on every request: headers, cookies, no-store, idle limits, CSRF."""

from __future__ import annotations

import pytest

from portal.data import people
from tests.sessions import sign_in_as, stored_sessions


class TestHeaders:
    def test_every_page_has_a_content_security_policy_without_inline_code(self, client):
        response = client.get("/")
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"

    def test_error_pages_carry_the_headers_too(self, client):
        response = client.get("/nowhere")
        assert response.status_code == 404
        assert "Content-Security-Policy" in response.headers

    def test_public_pages_may_be_cached_but_signed_in_pages_are_not(self, client, factories):
        assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
        sign_in_as(client, factories.person())
        assert client.get("/").headers["Cache-Control"] == "no-store"


class TestSessionCookie:
    def test_the_session_cookie_is_http_only_and_same_site(self, client):
        response = client.get("/sign-in")  # the sign-in form puts a CSRF token in the session
        cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        # A random id only: the session data stays on the server.
        assert len(cookie.split(";")[0].split("=", 1)[1]) == 43


class TestIdleTimeout:
    def test_an_applicant_idle_for_more_than_15_minutes_is_signed_out(self, client, factories):
        sign_in_as(client, factories.person(), seen_ago=16 * 60)
        response = client.get("/")
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]
        with client.session_transaction() as session:
            assert "_user_id" not in session

    def test_an_applicant_active_14_minutes_ago_stays_signed_in(self, client, factories):
        sign_in_as(client, factories.person(), seen_ago=14 * 60)
        assert client.get("/").status_code == 200

    def test_staff_may_be_idle_for_up_to_30_minutes(self, client, factories):
        sign_in_as(client, factories.staff(), seen_ago=25 * 60)
        assert client.get("/").status_code == 200
        sign_in_as(client, factories.staff(), seen_ago=31 * 60)
        assert client.get("/").status_code == 302


class TestLanguageSwitch:
    def test_switching_saves_the_choice_for_a_signed_in_person(self, client, factories):
        person = factories.person()
        sign_in_as(client, person)
        page = client.get("/")
        response = client.submit(page, {"lang": "en"}, selector="form.language-switch")
        assert response.status_code == 302
        assert people.get_by_public_id(person.public_id).locale == "en"
        client.expected_lang = "en"
        assert client.get("/").soup.html["lang"] == "en"

    def test_a_signed_in_persons_switch_without_a_csrf_token_is_refused_with_a_clear_page(self, client, factories):
        person = factories.person()
        sign_in_as(client, person)
        response = client.post("/language", data={"lang": "en", "next": "/"})
        assert response.status_code == 400
        assert response.soup.find("h1").get_text(strip=True)
        assert people.get_by_public_id(person.public_id).locale == "km"

    def test_a_visitors_switch_sets_only_a_cookie_and_needs_no_session(self, client):
        response = client.post("/language", data={"lang": "en", "next": "/services"})
        assert response.status_code == 302
        cookies = response.headers.getlist("Set-Cookie")
        assert any(c.startswith("lang=en;") for c in cookies)
        assert not any(c.startswith("session=") for c in cookies)
        assert stored_sessions() == 0

    def test_the_switch_never_redirects_to_another_site(self, client):
        page = client.get("/")
        response = client.submit(page, {"lang": "en", "next": "//evil.example/"}, selector="form.language-switch")
        assert response.headers["Location"] == "/"


class TestNoSessionUntilSomethingNeedsStoring:
    """Issue 9, item 11: a flood of cookieless page views must not fill the store with sessions."""

    @pytest.mark.parametrize("path", ["/", "/services/residence-certificate", "/healthz", "/nowhere",
                                      "/verify/keys.json"])
    def test_anonymous_catalogue_pages_store_no_session_and_set_no_cookie(self, client, path):
        for _ in range(3):
            response = client.get(path)
            assert not any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
        assert stored_sessions() == 0

    def test_a_page_with_a_form_stores_one_session_for_its_token(self, client):
        client.get("/sign-in")
        client.get("/sign-in")
        assert stored_sessions() == 1

    def test_a_visitor_can_still_switch_language_from_a_catalogue_page(self, client):
        page = client.get("/")
        response = client.submit(page, {"lang": "en"}, selector="form.language-switch")
        assert response.status_code == 302
        client.expected_lang = "en"
        assert client.get("/").soup.html["lang"] == "en"
        assert stored_sessions() == 0


class TestParallelRequestsShareASession:
    """A browser sends requests in parallel; each must keep what the others stored (found in Chromium:
    a font request overwrote the reset token a form had just put in the session)."""

    @staticmethod
    def _open(app, sid):
        with app.test_request_context(headers={"Cookie": f"session={sid}"}) as context:
            return app.session_interface.open_session(app, context.request)

    @staticmethod
    def _save(app, session):
        with app.test_request_context(headers={"Cookie": f"session={session.sid}"}):
            app.session_interface.save_session(app, session, app.response_class())

    def _new_session(self, app, client) -> str:
        client.get("/sign-in")  # a form: the session now holds its CSRF token
        return client.get_cookie("session").value

    def test_two_requests_that_change_different_keys_keep_both(self, app, client):
        sid = self._new_session(app, client)
        first, second = self._open(app, sid), self._open(app, sid)
        first["password_reset"] = {"token": "t"}
        second["_fresh"] = False
        self._save(app, first)
        self._save(app, second)
        stored = self._open(app, sid)
        assert stored["password_reset"] == {"token": "t"} and stored["_fresh"] is False
        assert "csrf_token" in stored

    def test_a_request_overlapping_a_sign_out_cannot_bring_the_session_back(self, app, client):
        sid = self._new_session(app, client)
        signing_out, overlapping = self._open(app, sid), self._open(app, sid)
        signing_out.clear()
        self._save(app, signing_out)
        overlapping["_seen"] = 1
        self._save(app, overlapping)
        assert stored_sessions() == 0


def test_no_one_time_secret_travels_in_a_url_path(app):
    """Reset and enrolment links carry their token after '#', posted by the page (issue 9, item 8). Only
    /verify keeps its token in the path: a printed QR code must open in any reader, and it grants nothing. An
    API token's public id (`<token_id>`, to revoke it) names the record, never its secret; the OAuth token
    endpoint's name is fixed by the standard, and its secrets travel in the body or the Authorization header."""
    carrying = {rule.rule for rule in app.url_map.iter_rules()
                if "token" in rule.rule.replace("/api-tokens", "").replace("<token_id>", "")
                .replace("/oauth/token", "")}
    assert carrying == {"/verify/<token>"}
