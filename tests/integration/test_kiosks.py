"""Kiosk devices (issue 14, first step): registering, enrolling with a one-time link, revoking, kiosk
mode's no-store, finishing a person's session with Clear-Site-Data, and the server's kiosk idle limit."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.config import ConfigError, load_settings
from portal.data.db import db, utcnow
from portal.data.models import AuditEntry, Kiosk
from portal.domain import audit, kiosks
from tests.sessions import sign_in_as, stored_sessions

COOKIE = "kiosk"  # not production: no __Host- prefix (the session cookie does the same)
PLACE = {"province": "02", "district": "0201", "commune": "020101"}


def make_kiosk(factories):
    admin = factories.admin()
    centre = kiosks.create_centre(admin, slug="ctc-test", name_km="មជ្ឈមណ្ឌលសាកល្បង", name_en="Test centre",
                                  kind="tech_center", **PLACE)
    kiosk, secret = kiosks.register_kiosk(admin, centre=centre, name="Kiosk 1", printer_kind="a4", **PLACE)
    db.session.commit()
    return kiosk, secret


def enrolled(client, factories):
    kiosk, secret = make_kiosk(factories)
    response = client.get(f"/kiosk/enrol/{secret}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/kiosk")
    return kiosk, secret, response


def actions(kind: str) -> list[dict]:
    return [entry.details for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.action == kind))]


def test_an_enrolment_link_makes_the_browser_that_kiosk_once(app, client, factories):
    kiosk, secret, response = enrolled(client, factories)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    device_secret = client.get_cookie(COOKIE).value
    row = db.session.get(Kiosk, kiosk.id)
    assert row.enrolment_used_at is not None and secret not in (row.enrolment_digest, row.device_digest)
    assert row.device_digest == kiosks.digest(device_secret)
    home = client.get("/kiosk")
    assert home.status_code == 200 and home.headers["Cache-Control"] == "no-store"
    assert "Kiosk 1" in home.soup.select_one(".kiosk-bar").get_text()
    assert home.soup.select_one("form[action='/kiosk/finish']") is not None
    assert len(actions(audit.KIOSK_ENROLLED)) == 1
    # Used once: a second browser gets the refusal, in Khmer, and does not become the kiosk.
    other = app.test_client()
    refused = other.get(f"/kiosk/enrol/{secret}")
    assert refused.status_code == 410 and "តំណ" in refused.get_data(as_text=True)
    assert other.get_cookie(COOKIE) is None


@pytest.mark.parametrize("case", ["expired", "unknown", "malformed"])
def test_expired_unknown_or_malformed_links_are_refused(app, client, factories, case):
    kiosk, secret = make_kiosk(factories)
    if case == "expired":
        kiosk.enrolment_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    path = {"expired": secret, "unknown": "A" * 43, "malformed": "'; drop table kiosks; --"}[case]
    response = client.get(f"/kiosk/enrol/{path}")
    assert response.status_code in (404, 410) and client.get_cookie(COOKIE) is None
    assert db.session.get(Kiosk, kiosk.id).device_digest is None


def test_a_new_link_replaces_the_old_one(app, client, factories):
    kiosk, old = make_kiosk(factories)
    new = kiosks.issue_link(factories.admin(), db.session.get(Kiosk, kiosk.id))
    db.session.commit()
    assert client.get(f"/kiosk/enrol/{old}").status_code == 410
    assert client.get(f"/kiosk/enrol/{new}").status_code == 302


def test_revoking_stops_the_kiosk_at_its_next_request_and_clears_the_cookie(app, client, factories):
    kiosk, _secret, _response = enrolled(client, factories)
    kiosks.revoke(factories.admin(), db.session.get(Kiosk, kiosk.id))
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 403 and "kiosk" in response.headers["Set-Cookie"]
    assert client.get_cookie(COOKIE) is None
    assert client.get("/kiosk").status_code == 404


def test_without_the_device_cookie_there_is_no_kiosk(client):
    assert client.get("/kiosk").status_code == 404
    assert client.post("/kiosk/finish").status_code == 404
    assert client.get("/").headers.get("Cache-Control") != "no-store"


def test_finishing_ends_the_session_server_side_and_keeps_the_kiosk(app, client, factories):
    kiosk, _secret, _response = enrolled(client, factories)
    citizen = factories.person(email="citizen@example.com")
    sign_in_as(client, citizen)
    assert client.get("/applications").status_code == 200
    before = stored_sessions()
    response = client.post("/kiosk/finish", headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/kiosk")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert response.headers["Cache-Control"] == "no-store"
    assert stored_sessions() == before - 1
    assert client.get_cookie("session") is None and client.get_cookie(COOKIE) is not None
    assert client.get("/applications").status_code == 302  # signed out
    assert client.get("/kiosk").status_code == 200  # still the kiosk


def test_finishing_is_refused_from_another_site(app, client, factories):
    enrolled(client, factories)
    assert client.post("/kiosk/finish", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 404


def test_the_server_ends_a_kiosk_session_idle_longer_than_the_kiosk_limit(app, client, factories):
    enrolled(client, factories)
    citizen = factories.person(email="idle@example.com")
    sign_in_as(client, citizen)
    idle = app.config["KIOSK_IDLE_SECONDS"]
    with client.session_transaction() as session:
        session["_kiosk_seen"] = int(time.time()) - idle - 60
    response = client.get("/applications")
    assert response.status_code == 302 and response.headers["Location"].endswith("/kiosk")
    assert client.get("/applications").status_code == 302
    # Within the limit nothing ends.
    sign_in_as(client, citizen)
    assert client.get("/applications").status_code == 200


def test_still_here_answers_only_on_a_kiosk(app, client, factories):
    assert client.get("/kiosk/still-here").status_code == 404
    enrolled(client, factories)
    assert client.get("/kiosk/still-here").status_code == 204


def test_admin_pages_register_a_kiosk_show_its_link_once_and_revoke_it(app, client, factories):
    admin = factories.admin(locale="en")
    sign_in_as(client, admin)
    client.expected_lang = "en"
    page = client.get("/admin/kiosks/centres/new")
    response = client.submit(page, {"slug": "ctc-battambang", "name_km": "មជ្ឈមណ្ឌលបាត់ដំបង",
                                    "name_en": "Battambang CTC", "kind": "tech_center", **PLACE})
    assert response.status_code == 302
    page = client.get("/admin/kiosks/new")
    shown = client.submit(page, {"name": "Front desk", "centre": "ctc-battambang", "printer_kind": "thermal80",
                                 **PLACE})
    assert shown.status_code == 200
    link = shown.soup.select_one(".kiosk-link-url").get_text()
    assert "/kiosk/enrol/" in link
    assert link not in client.get("/admin/kiosks").get_data(as_text=True)  # shown once
    kiosk = db.session.scalar(select(Kiosk).where(Kiosk.name == "Front desk"))
    assert kiosk.printer_kind == "thermal80" and kiosk.commune_code == "020101"
    again = client.submit(client.get("/admin/kiosks"), {}, selector="form[action='/admin/kiosks/link']")
    assert again.status_code == 200 and again.soup.select_one(".kiosk-link-url").get_text() != link
    asked = client.submit(client.get("/admin/kiosks"), {}, selector="form[action='/admin/kiosks/revoke']")
    assert asked.status_code == 200 and db.session.get(Kiosk, kiosk.id).revoked_at is None
    revoked = client.submit(asked, {}, selector="main form[action='/admin/kiosks/revoke']")
    assert revoked.status_code == 302
    assert db.session.get(Kiosk, kiosk.id).revoked_at is not None
    changes = [d["change"] for d in actions(audit.KIOSK_CHANGE)]
    assert changes == ["centre_created", "kiosk_registered", "enrolment_link_issued", "revoked"]


def test_admin_kiosk_forms_refuse_bad_input_with_400(app, client, factories):
    sign_in_as(client, factories.admin(locale="en"))
    client.expected_lang = "en"
    page = client.get("/admin/kiosks/centres/new")
    response = client.submit(page, {"slug": "X", "name_km": "", "name_en": "n", "kind": "castle",
                                    "province": "02", "district": "9999", "commune": "020101"})
    assert response.status_code == 400
    token = client.csrf_token()
    assert client.post("/admin/kiosks/revoke", data={"csrf_token": token, "kiosk": "nope"}).status_code == 404
    assert client.post("/admin/kiosks/revoke", data={"kiosk": "nope"}).status_code == 400  # no CSRF token
    assert actions(audit.KIOSK_CHANGE) == []


def test_only_administrators_open_the_kiosk_pages(app, client, factories):
    kiosk, _secret = make_kiosk(factories)
    assert client.get("/admin/kiosks").status_code == 302  # to sign in
    sign_in_as(client, factories.staff())
    assert client.get("/admin/kiosks").status_code == 404
    token = client.csrf_token()
    assert client.post("/admin/kiosks/revoke", data={"csrf_token": token, "kiosk": kiosk.public_id}).status_code == 404
    assert db.session.get(Kiosk, kiosk.id).revoked_at is None


@pytest.mark.parametrize("value", ["abc", "5", "99999"])
def test_a_bad_kiosk_idle_time_is_refused(tmp_path, value):
    with pytest.raises(ConfigError, match="KIOSK_IDLE_SECONDS"):
        load_settings({"KIOSK_IDLE_SECONDS": value}, instance_path=tmp_path)
