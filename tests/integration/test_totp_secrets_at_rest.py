"""TOTP secrets are kept sealed with a data key outside the database; plain ones from before migration
0013 keep working until `flask data-keys reseal` seals them; rotation; a missing key is a 503, not a 500."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import text

from portal.data.db import db
from portal.domain.identity import totp
from portal.domain.keys.data_keys import CannotOpen, current_ring, key_id_of
from tests.factories import PASSWORD


def stored(person) -> dict:
    """The row as the database holds it, past the ORM."""
    row = db.session.execute(text("SELECT totp_secret, totp_secret_sealed FROM people WHERE id = :id"),
                             {"id": person.id}).one()
    return {"plain": row[0], "sealed": row[1]}


def sign_in_with_code(client, member, code: str):
    client.submit(client.get("/sign-in"), {"contact": member.email, "password": PASSWORD})
    return client.submit(client.get("/sign-in/code"), {"code": code})


def make_plain(member, secret: str) -> None:
    """As a row written before migration 0013 looks."""
    db.session.execute(text("UPDATE people SET totp_secret = :secret, totp_secret_sealed = NULL WHERE id = :id"),
                       {"secret": secret, "id": member.id})
    db.session.commit()
    db.session.expire_all()


@pytest.fixture
def own_key_ring(app, tmp_path, monkeypatch):
    """A key ring of this test's own, so that making keys does not change the other tests' ring."""
    settings = dataclasses.replace(app.config["PORTAL_SETTINGS"], data_keys_path=tmp_path / "data")
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)
    return current_ring()


class TestSealedAtRest:
    def test_the_database_holds_no_plain_secret_and_signing_in_with_a_code_works(self, en, factories):
        member = factories.staff(email="clerk@moc.gov.kh", locale="en")
        secret = totp.secret_of(member)
        row = stored(member)
        assert row["plain"] is None
        assert row["sealed"].startswith("gcm1:") and secret not in row["sealed"]
        response = sign_in_with_code(en, member, factories.totp_for(member).now())
        assert response.status_code == 302 and response.headers["Location"] == "/account"

    def test_a_sealed_secret_copied_onto_another_account_does_not_open_there(self, en, factories):
        victim = factories.staff(email="victim@moc.gov.kh", locale="en")
        mine = factories.staff(email="mine@moc.gov.kh", locale="en")
        db.session.execute(text("UPDATE people SET totp_secret_sealed = :sealed WHERE id = :id"),
                           {"sealed": stored(mine)["sealed"], "id": victim.id})
        db.session.commit()
        db.session.expire_all()
        with pytest.raises(CannotOpen):
            totp.secret_of(victim)
        response = sign_in_with_code(en, victim, factories.totp_for(mine).now())
        assert response.status_code == 503  # an operator's problem, told plainly; never a sign-in
        assert "not available right now" in response.get_data(as_text=True)

    def test_production_without_a_data_key_answers_503_not_500(self, app, en, factories, tmp_path, monkeypatch):
        member = factories.staff(email="clerk@moc.gov.kh", locale="en")
        production = dataclasses.replace(app.config["PORTAL_SETTINGS"], env="production",
                                         data_keys_path=tmp_path / "empty")
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", production)
        response = sign_in_with_code(en, member, "123456")
        assert response.status_code == 503


class TestSecretsFromBeforeTheUpgrade:
    def test_a_plain_secret_still_signs_in_until_it_is_resealed(self, en, runner, factories):
        member = factories.staff(email="clerk@moc.gov.kh", locale="en")
        secret = totp.new_secret()
        make_plain(member, secret)
        assert totp.secret_of(member) == secret
        assert sign_in_with_code(en, member, factories.totp_for(member).now()).status_code == 302

        result = runner.invoke(args=["data-keys", "reseal"])
        assert result.exit_code == 0, result.output
        assert "Sealed 1 plain-text and 0 older-key TOTP secret(s)" in result.output
        db.session.expire_all()
        row = stored(member)
        assert row["plain"] is None and secret not in row["sealed"]
        assert totp.secret_of(member) == secret

    def test_resealing_again_changes_nothing(self, runner, factories):
        member = factories.staff()
        before = stored(member)
        result = runner.invoke(args=["data-keys", "reseal"])
        assert result.exit_code == 0, result.output
        assert "Sealed 0 plain-text and 0 older-key" in result.output
        db.session.expire_all()
        assert stored(member) == before

    def test_the_list_counts_secrets_by_key_and_names_plain_ones(self, runner, factories):
        make_plain(factories.staff(), totp.new_secret())
        factories.staff()
        result = runner.invoke(args=["data-keys", "list"])
        assert result.exit_code == 0, result.output
        assert "active" in result.output and "1 secret(s) still in plain text" in result.output


class TestRotation:
    def test_a_new_key_seals_new_secrets_and_reseal_moves_the_old_ones(self, runner, factories, own_key_ring):
        member = factories.staff()
        old_key = key_id_of(stored(member)["sealed"])
        secret = totp.secret_of(member)
        result = runner.invoke(args=["data-keys", "generate", "--id", "k2"])
        assert result.exit_code == 0, result.output
        assert totp.secret_of(member) == secret  # still opens with the older key
        assert "Sealed 0 plain-text and 1 older-key" in runner.invoke(args=["data-keys", "reseal"]).output
        db.session.expire_all()
        assert key_id_of(stored(member)["sealed"]) == "k2" != old_key
        assert totp.secret_of(member) == secret

    def test_a_key_made_inactive_waits_for_activate(self, runner, factories, own_key_ring):
        first = own_key_ring.active_id()
        made = runner.invoke(args=["data-keys", "generate", "--inactive", "--id", "k2"])
        assert made.exit_code == 0 and "flask data-keys activate k2" in made.output
        assert key_id_of(stored(factories.staff())["sealed"]) == first
        assert runner.invoke(args=["data-keys", "activate", "k2"]).exit_code == 0
        assert key_id_of(stored(factories.staff())["sealed"]) == "k2"
        assert runner.invoke(args=["data-keys", "activate", "nokey"]).exit_code != 0

    def test_a_missing_key_stops_reseal_without_changing_anything(self, runner, factories, own_key_ring):
        member = factories.staff()
        before = stored(member)
        runner.invoke(args=["data-keys", "generate", "--id", "k2"])
        (own_key_ring.directory / f"{key_id_of(before['sealed'])}.key").unlink()
        result = runner.invoke(args=["data-keys", "reseal"])
        assert result.exit_code != 0 and "is missing" in result.output and "nothing was changed" in result.output
        db.session.expire_all()
        assert stored(member) == before
