"""Issue 17: businesses' personal API tokens (portal.domain.api_tokens): shown once, kept as a digest, scoped,
expiring, revocable, bound to one business, every change audited without the secret."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.data.db import db
from portal.data.models import ApiToken, AuditEntry
from portal.domain import api_tokens


@pytest.fixture
def owner(factories):
    return factories.person(email="sreymom@example.com")


@pytest.fixture
def business(factories, owner):
    return factories.business(owner)


def _made(business, owner, scopes=("read", "file"), days=90) -> api_tokens.MadeToken:
    made = api_tokens.make(business, owner, "Accounting software", scopes, days)
    db.session.commit()
    return made


def test_the_secret_is_given_once_and_only_its_digest_is_stored(business, owner):
    made = _made(business, owner)
    assert made.secret.startswith("ow_") and len(made.secret) == 46
    row = db.session.scalar(select(ApiToken).where(ApiToken.id == made.token.id))
    stored = [str(value) for value in (row.secret_digest, row.shown_prefix, row.name, row.public_id)]
    assert made.secret not in " ".join(stored)
    assert row.secret_digest == api_tokens.digest(made.secret) and made.secret.startswith(row.shown_prefix)


def test_the_secret_authenticates_the_token_and_nothing_else_does(business, owner):
    made = _made(business, owner)
    assert api_tokens.authenticate(made.secret).id == made.token.id
    for wrong in (None, "", made.secret[:-1] + ("A" if made.secret[-1] != "A" else "B"), made.secret + "x",
                  "Bearer " + made.secret, made.token.public_id, made.token.secret_digest):
        assert api_tokens.authenticate(wrong) is None, wrong


def test_an_expired_or_revoked_token_authenticates_nothing(business, owner):
    expired, revoked = _made(business, owner), _made(business, owner)
    expired.token.expires_at = expired.token.created_at - timedelta(seconds=1)
    api_tokens.revoke(revoked.token, owner)
    db.session.commit()
    assert api_tokens.authenticate(expired.secret) is None
    assert api_tokens.authenticate(revoked.secret) is None


def test_scopes_are_what_the_owner_chose(business, owner):
    reading = _made(business, owner, scopes=("read",))
    assert reading.token.scopes == ["read"]


@pytest.mark.parametrize(("name", "scopes", "days", "reason"), [
    ("", ("read",), 90, "name"), ("x" * 81, ("read",), 90, "name"), ("Books", (), 90, "scopes"),
    ("Books", ("read", "admin"), 90, "scopes"), ("Books", ("read",), 3650, "lifetime"),
])
def test_what_cannot_be_made_is_refused_and_nothing_is_written(business, owner, name, scopes, days, reason):
    with pytest.raises(api_tokens.TokenRefused) as refused:
        api_tokens.make(business, owner, name, scopes, days)
    assert refused.value.reason == reason
    assert api_tokens.of_organisation(business) == []


def test_last_use_moves_at_most_once_a_minute(business, owner):
    made = _made(business, owner)
    api_tokens.authenticate(made.secret)
    first = made.token.last_used_at
    assert first is not None
    api_tokens.authenticate(made.secret)
    assert made.token.last_used_at == first
    made.token.last_used_at = first - api_tokens.LAST_USE_STEP
    api_tokens.authenticate(made.secret)
    assert made.token.last_used_at > first - api_tokens.LAST_USE_STEP


def test_a_business_finds_only_its_own_tokens(factories, business, owner):
    other_owner = factories.person(email="vichea@example.com")
    other = factories.business(other_owner, name_km="ហាងកាហ្វេ")
    theirs = _made(other, other_owner)
    ours = _made(business, owner)
    assert [token.id for token in api_tokens.of_organisation(business)] == [ours.token.id]
    assert api_tokens.find(business, theirs.token.public_id) is None
    assert api_tokens.find(business, ours.token.public_id).id == ours.token.id


def test_making_and_revoking_are_audited_without_the_secret(business, owner):
    made = _made(business, owner)
    api_tokens.revoke(made.token, owner)
    api_tokens.revoke(made.token, owner)  # again: nothing more happens
    db.session.commit()
    entries = list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.subject_id == business.public_id, AuditEntry.action.like("api_token_%")).order_by(AuditEntry.seq)))
    assert [entry.action for entry in entries] == [api_tokens.TOKEN_MADE, api_tokens.TOKEN_REVOKED]
    assert all(entry.details["token"] == made.token.public_id for entry in entries)
    assert made.secret not in repr([entry.details for entry in entries])
