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
    after = client.get(_page(business)).soup
    assert after.select_one(f"form[action$='/api-tokens/{made.token.public_id}/revoke']") is None
    assert after.select_one("table.api-tokens tbody tr") is not None  # still listed, as revoked


def test_a_member_who_is_not_an_owner_gets_403_and_an_outsider_404(client, factories, business, owner):
    made = api_tokens.make(business, owner, "Books", ("read",), 30)
    db.session.commit()
    member = factories.person(email="dara@example.com")
    organisations.add_member(business, member)
    db.session.commit()
    for person, refused in ((member, 403), (factories.person(email="outsider@example.com"), 404)):
        sign_in_as(client, person)
        token = client.csrf_token()
        assert client.get(_page(business)).status_code == refused
        assert client.post(_page(business), data={"csrf_token": token, "name": "Mine", "scopes": "read",
                                                   "lifetime": "30"}).status_code == refused
        assert client.post(f"{_page(business)}/{made.token.public_id}/revoke",
                           data={"csrf_token": token}).status_code == refused
    assert len(api_tokens.of_organisation(business)) == 1
    assert api_tokens.authenticate(made.secret) is not None


def test_an_owner_who_leaves_takes_their_tokens_with_them(client, factories, business, owner):
    partner = factories.person(email="partner@example.com")
    organisations.add_member(business, partner, role="owner")
    db.session.commit()
    leaving = api_tokens.make(business, partner, "Partner's script", ("read",), 30)
    staying = api_tokens.make(business, owner, "Books", ("read",), 30)
    db.session.commit()
    sign_in_as(client, owner)
    page = client.get(f"/account/businesses/{business.public_id}")
    answer = client.submit(page, {}, selector=f"form[action$='/members/{partner.public_id}/remove']")
    assert answer.status_code == 302
    assert api_tokens.authenticate(leaving.secret) is None
    assert api_tokens.authenticate(staying.secret) is not None
    listed = client.get(_page(business)).soup.select_one("table.api-tokens").get_text()
    assert partner.display_name in listed  # who made each token is shown


def test_another_business_token_cannot_be_revoked_through_mine(client, factories, business, owner):
    other_owner = factories.person(email="vichea@example.com")
    theirs = api_tokens.make(factories.business(other_owner, name_km="ហាងកាហ្វេ"), other_owner, "Theirs", ("read",), 30)
    db.session.commit()
    sign_in_as(client, owner)
    token = client.csrf_token()
    answer = client.post(f"{_page(business)}/{theirs.token.public_id}/revoke", data={"csrf_token": token})
    assert answer.status_code == 404
    assert api_tokens.authenticate(theirs.secret) is not None
