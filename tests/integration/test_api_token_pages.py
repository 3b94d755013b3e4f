"""Issue 17: a business owner makes, sees and revokes the business's API tokens; the secret is on one answer
only; members who are not owners and outsiders cannot see or touch them (the authorisation walk covers the
routes for every role as well)."""

from __future__ import annotations

import pytest

from portal.data import organisations
from portal.data.db import db
from portal.domain import api_tokens
from tests.sessions import sign_in_as


@pytest.fixture
def owner(factories):
    return factories.person(email="sreymom@example.com")


@pytest.fixture
def business(factories, owner):
    return factories.business(owner)


def _page(business) -> str:
    return f"/account/businesses/{business.public_id}/api-tokens"


def test_an_owner_makes_a_token_and_sees_its_secret_once(client, business, owner):
    sign_in_as(client, owner)
    page = client.get(_page(business))
    assert page.status_code == 200
    made = client.submit(page, {"name": "Books", "scopes": ["read"], "lifetime": "365"},
                         selector="main form.api-token")
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    secret = made.soup.select_one("code.secret").get_text()
    [token] = api_tokens.of_organisation(business)
    assert api_tokens.authenticate(secret).id == token.id
    assert (token.name, token.scopes) == ("Books", ["read"])
    again = client.get(_page(business))
    assert secret not in again.get_data(as_text=True)
    assert token.shown_prefix in again.get_data(as_text=True)


def test_what_is_missing_is_said_and_nothing_is_made(client, business, owner):
    sign_in_as(client, owner)
    page = client.get(_page(business))
    answer = client.submit(page, {"name": "", "scopes": [], "lifetime": "9999"}, selector="main form.api-token")
    assert answer.status_code == 400
    assert len(answer.soup.select(".error-summary li")) == 3
    assert api_tokens.of_organisation(business) == []


def test_an_owner_revokes_a_token_and_it_stops_working(client, business, owner):
    made = api_tokens.make(business, owner, "Books", ("read",), 30)
    db.session.commit()
    sign_in_as(client, owner)
    page = client.get(_page(business))
    answer = client.submit(page, {}, selector=f"form[action$='/api-tokens/{made.token.public_id}/revoke']")
    assert answer.status_code == 302
    assert api_tokens.authenticate(made.secret) is None
    assert "Revoke" not in client.get(_page(business)).soup.select_one("table.api-tokens").get_text()


def test_a_member_who_is_not_an_owner_gets_403_and_an_outsider_404(client, factories, business):
    member = factories.person(email="dara@example.com")
    organisations.add_member(business, member)
    db.session.commit()
    sign_in_as(client, member)
    assert client.get(_page(business)).status_code == 403
    sign_in_as(client, factories.person(email="outsider@example.com"))
    assert client.get(_page(business)).status_code == 404


def test_another_business_token_cannot_be_revoked_through_mine(client, factories, business, owner):
    other_owner = factories.person(email="vichea@example.com")
    theirs = api_tokens.make(factories.business(other_owner, name_km="ហាងកាហ្វេ"), other_owner, "Theirs", ("read",), 30)
    db.session.commit()
    sign_in_as(client, owner)
    token = client.csrf_token()
    answer = client.post(f"{_page(business)}/{theirs.token.public_id}/revoke", data={"csrf_token": token})
    assert answer.status_code == 404
    assert api_tokens.authenticate(theirs.secret) is not None
