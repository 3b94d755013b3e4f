"""Issue 16: the catalogue pages of anonymous visitors are kept rendered (portal/web/public/page_cache.py),
and answered from memory only when the page would be the same as a fresh render."""

from __future__ import annotations

import pytest

from portal.domain.catalogue import get_catalogue
from portal.web.public import routes
from tests.integration.test_kiosks import make_kiosk
from tests.service_roots import copy_of_fixture, edit_service, services_root
from tests.sessions import sign_in_as, stored_sessions


@pytest.fixture
def renders(monkeypatch):
    """How many times the public routes rendered a page (a kept page is not rendered)."""
    count = {"n": 0}
    real = routes.render_template

    def counting(*args, **kwargs):
        count["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(routes, "render_template", counting)
    return count


def first_live_slug() -> str:
    return get_catalogue().live()[0].slug


def _headers(response) -> dict:
    return {name: value for name, value in response.headers.items() if name != "Date"}


@pytest.mark.parametrize("lang", ["km", "en"])
def test_a_kept_page_is_the_page_a_fresh_render_gives_in_each_language(app, client, renders, lang):
    client.expected_lang = lang
    client.set_cookie("lang", lang)
    for path in ("/", "/?audience=business", f"/services/{first_live_slug()}"):
        first, kept = client.get(path), client.get(path)
        assert first.status_code == kept.status_code == 200
        assert kept.soup.html["lang"] == lang
        # A cookie the portal does not know makes the request be rendered for itself: the fresh render.
        other = app.test_client()
        other.set_cookie("lang", lang)
        other.set_cookie("unrelated", "1")
        fresh = other.get(path)
        assert kept.get_data() == first.get_data() == fresh.get_data()
        assert _headers(kept) == _headers(first)
    assert renders["n"] == 6  # each path rendered once for the kept page and once for the fresh one


def test_the_language_is_part_of_the_key(client):
    slug = first_live_slug()
    khmer = client.get(f"/services/{slug}")
    client.expected_lang = "en"
    english = client.get(f"/services/{slug}?lang=en")
    again = client.get(f"/services/{slug}")  # the cookie now says English
    assert khmer.soup.html["lang"] == "km" and english.soup.html["lang"] == again.soup.html["lang"] == "en"
    assert khmer.headers["ETag"] != again.headers["ETag"] == english.headers["ETag"]


def test_etag_and_last_modified_answer_304(client):
    page = client.get("/")
    assert page.headers["Cache-Control"] == "no-cache" and "Cookie" in page.headers["Vary"]
    assert page.headers["ETag"].startswith('"') and "Last-Modified" in page.headers
    not_modified = client.get("/", headers={"If-None-Match": page.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.get_data() == b""
    assert not_modified.headers["X-Frame-Options"] == "DENY"  # the after-request headers are kept
    assert client.get("/", headers={"If-Modified-Since": page.headers["Last-Modified"]}).status_code == 304
    assert client.get("/", headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_catalogue_reload_changes_the_page(app, client, tmp_path):
    with services_root(app, copy_of_fixture(tmp_path)) as root:
        slug = first_live_slug()
        before = client.get(f"/services/{slug}")
        assert client.get(f"/services/{slug}").headers["ETag"] == before.headers["ETag"]  # kept

        def retitle(data):
            data["title"]["km"] = "សេវាដែលបានប្តូរឈ្មោះ"

        edit_service(app, root, slug, retitle)
        after = client.get(f"/services/{slug}")
        assert "សេវាដែលបានប្តូរឈ្មោះ" in after.soup.h1.get_text()
        assert after.headers["ETag"] != before.headers["ETag"]
        assert client.get("/", headers={"If-None-Match": client.get("/").headers["ETag"]}).status_code == 304


def test_a_flashed_message_is_shown_not_a_kept_page(client, renders):
    client.get("/")
    client.get("/")
    assert renders["n"] == 1
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "A notice for this visitor only")]
    page = client.get("/")
    assert "A notice for this visitor only" in page.soup.select_one(".notices").get_text()
    assert renders["n"] == 2 and "ETag" not in page.headers


def test_a_signed_in_person_gets_their_own_page(client, factories, renders):
    slug = first_live_slug()
    client.get(f"/services/{slug}")
    sign_in_as(client, factories.person())
    page = client.get(f"/services/{slug}")
    assert page.headers["Cache-Control"] == "no-store" and "ETag" not in page.headers
    assert page.soup.select_one("form[action='/sign-out']") is not None
    assert renders["n"] == 2


def test_anonymous_views_make_no_session(client):
    before = stored_sessions()
    for path in ("/", "/?audience=citizen", f"/services/{first_live_slug()}", "/healthz"):
        for _ in range(2):  # rendered, then kept
            response = client.get(path)
            assert response.status_code == 200
            assert "session=" not in response.headers.get("Set-Cookie", "")
    assert client.get_cookie("session") is None
    assert stored_sessions() == before


def test_a_kiosk_gets_its_own_variant_of_a_kept_page(app, client, factories):
    slug = first_live_slug()
    visitor = client.get(f"/services/{slug}")
    assert visitor.soup.select_one(".kiosk-bar") is None
    kiosk = app.test_client()
    _, secret = make_kiosk(factories)
    assert kiosk.get(f"/kiosk/enrol/{secret}").status_code == 302
    page = kiosk.get(f"/services/{slug}")
    assert page.soup.select_one(".kiosk-bar") is not None
    assert page.headers["Cache-Control"] == "no-store" and "ETag" not in page.headers
    assert client.get(f"/services/{slug}").soup.select_one(".kiosk-bar") is None  # nor the other way round
