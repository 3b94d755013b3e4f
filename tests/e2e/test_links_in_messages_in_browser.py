"""Issue 12, item 16: a portal served on another port than 5000 (`flask serve --port`, PORTAL_BASE_URL
unset) sends links that lead back to it: the reset link its worker emails opens in the browser."""

from __future__ import annotations

import email
import re
import time
import uuid
from email import policy

from tests.e2e.test_password_reset_in_browser import reset_token


def emailed_link(instance, address: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((instance / "mail").glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == address:
                body = message.get_body(("plain",)).get_content()
                return re.search(r"https?://\S+/password/reset#\S+", body).group(0)
        time.sleep(0.2)
    raise AssertionError(f"no email reached {address} within {timeout} s")


def test_the_emailed_reset_link_points_at_the_port_served_and_opens(page, portal_url, portal_instance):
    assert not portal_url.endswith(":5000")
    address = f"links-{uuid.uuid4().hex[:8]}@example.com"
    reset_token(portal_instance, address)  # makes the account
    page.goto(f"{portal_url}/password/forgot?lang=en")
    page.fill("input[name=contact]", address)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{portal_url}/password/forgot/sent")
    link = emailed_link(portal_instance, address)
    assert link.startswith(portal_url + "/password/reset#")
    page.goto(link)
    page.wait_for_url(f"{portal_url}/password/new")
