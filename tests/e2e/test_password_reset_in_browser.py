"""The reset link in a real browser: its token follows '#', which Chromium never sends; the page's
script posts it and the person lands on the page to choose a new password (issue 9, item 8)."""

from __future__ import annotations

import subprocess
import sys
import uuid

from tests.e2e.conftest import PROJECT_ROOT, portal_env

MAKE_PERSON_AND_TOKEN = """
import sys
from flask import current_app
from portal import create_app
from portal.data import people
from portal.data.db import db
from portal.domain.identity.password_reset import make_token
from portal.domain.identity.passwords import hash_password
with create_app().app_context():
    person = people.create(email=sys.argv[1], password_hash=hash_password("old-password-1"), locale="en")
    db.session.commit()
    print(make_token(current_app.config["SECRET_KEY"], person))
"""


def reset_token(instance, email: str | None = None) -> str:
    env = portal_env(instance)
    socket_path = instance / "redis" / "redis.sock"
    env["REDIS_URL"] = f"unix://{socket_path}"
    email = email or f"reset-{uuid.uuid4().hex[:8]}@example.com"
    done = subprocess.run([sys.executable, "-c", MAKE_PERSON_AND_TOKEN, email],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.strip().splitlines()[-1]


def test_opening_the_link_leads_to_choosing_a_password_and_the_token_leaves_the_address_bar(
        page, portal_url, portal_instance):
    token = reset_token(portal_instance)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{portal_url}/password/reset?lang=en#{token}")
    page.wait_for_url(f"{portal_url}/password/new")
    assert page.locator("h1").inner_text() == "Choose a new password"
    assert token not in page.url
    assert not any(token in url for url in requested)
    assert page.evaluate("window.location.hash") == ""

    page.fill("input[name=password]", "ទឹកដោះគោ-milk-tea-7")
    page.fill("input[name=confirm]", "ទឹកដោះគោ-milk-tea-7")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{portal_url}/sign-in")
    assert "Your password has been changed" in page.content()



def test_the_password_change_page_shows_no_username_box(page, portal_url, portal_instance):
    """The username field a password manager reads is `hidden`; a stylesheet rule once showed it anyway."""
    email = f"change-{uuid.uuid4().hex[:8]}@example.com"
    token = reset_token(portal_instance, email)
    page.goto(f"{portal_url}/password/reset?lang=en#{token}")
    page.wait_for_url(f"{portal_url}/password/new")
    for name in ("password", "confirm"):
        page.fill(f"input[name={name}]", "ទឹកដោះគោ-milk-tea-7")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{portal_url}/sign-in")
    page.fill("#contact", email)
    page.fill("#password", "ទឹកដោះគោ-milk-tea-7")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{portal_url}/account")
    page.goto(f"{portal_url}/account/password")
    assert page.locator("input[name=username]").count() == 1
    assert not page.locator("input[name=username]").is_visible()
    assert page.locator("input[name=current]").is_visible()
