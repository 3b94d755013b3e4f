"""What protects the audit log from someone who can write to the database: each entry's MAC with a key
kept outside it, the head published outside it by a periodic job, and triggers that make the table
append-only; and `flask audit verify` saying which of these it checked."""

from __future__ import annotations

import dataclasses
import json
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from portal.data import audit as audit_data
from portal.data.db import db, utcnow
from portal.domain import audit
from portal.domain.audit.chain import entry_hash, entry_mac
from portal.domain.audit.keys import NoAuditKey, active_key, get_audit_keyring
from portal.extensions import redis_connection
from tests.audit_log import broken_at, entries, five_entries, rehash_from, tampering, verify, verify_with
from tests.journey import run_cron_once, run_jobs

REDIS_KEY = "test:audit:head"


def settings_of(app):
    return app.config["PORTAL_SETTINGS"]


@pytest.fixture
def configure(app, monkeypatch):
    """Change some settings for this test only (dataclasses.replace on the frozen Settings)."""

    def replace(**changes):
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", dataclasses.replace(settings_of(app), **changes))

    return replace


@pytest.fixture
def own_keys(app, configure, tmp_path, monkeypatch):
    """An empty key folder, and no key remembered from earlier tests (as a freshly started process)."""
    configure(audit_keys_path=tmp_path / "audit-keys")
    monkeypatch.setitem(app.extensions, "audit_active_key", {})
    return get_audit_keyring()


def head_lines(app) -> list[dict]:
    path = settings_of(app).audit_head_file
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


class TestKeyedMacs:
    def test_an_entry_changed_and_re_hashed_to_the_end_is_caught_by_its_mac(self, app):
        made = five_entries()
        rehash_from(made[2], details={"n": 99})
        assert [audit.entry_hash(e) == e.hash for e in entries()] == [True] * len(entries())  # the hashes hold
        output = broken_at(app)
        assert f"entry #{made[2].seq} " in output and "MAC does not match" in output

    def test_an_entry_without_a_mac_after_entries_with_one_is_caught(self, app):
        made = five_entries()
        with tampering():
            db.session.execute(text("UPDATE audit_entries SET mac = NULL, mac_key_id = NULL WHERE id = :id"),
                               {"id": made[3].id})
        output = broken_at(app)
        assert f"entry #{made[3].seq} " in output and "has no MAC" in output

    def test_entries_from_before_macs_are_counted_and_covered_by_the_first_mac_after_them(self, app):
        assert audit_data.head() is None
        # As migration 0011 leaves them: hash-chained, no MAC.
        prev_hash = audit.GENESIS
        for seq in (1, 2, 3):
            fields = {"at": utcnow(), "actor_id": None, "actor_role": "anonymous", "action": "sign_in_failed",
                      "subject_type": None, "subject_id": None, "application_id": None, "details": {},
                      "prev_hash": prev_hash}
            prev_hash = fields["hash"] = entry_hash(fields)
            audit_data.append(seq=seq, **fields)
        legacy = entries()
        five_entries()
        result = verify(app)
        assert result.exit_code == 0, result.output
        assert "3 entries written before MACs existed (#1-#3): hash chain only; covered by the MAC of the entry " \
               "after them" in result.output
        rehash_from(legacy[1], actor_role="admin")
        output = broken_at(app)
        assert "entry #4 " in output and "MAC does not match" in output  # the first MAC covers what came before


class TestAuditKeys:
    def test_development_makes_a_key_on_first_use_outside_the_database(self, app, own_keys):
        audit.record("test_entry")
        [key_file] = own_keys.directory.glob("*.key")
        assert key_file.stat().st_mode & 0o777 == 0o600
        assert len(bytes.fromhex(key_file.read_text())) == 32
        assert entries()[-1].mac_key_id == key_file.stem == own_keys.active_id()

    def test_production_refuses_to_write_the_log_until_a_key_is_generated(self, app, own_keys, configure):
        configure(env="production")
        with pytest.raises(NoAuditKey, match="flask audit keys generate"):
            audit.record("test_entry")
        assert not own_keys.directory.exists() or not list(own_keys.directory.glob("*.key"))
        result = app.test_cli_runner().invoke(args=["audit", "keys", "generate"])
        assert result.exit_code == 0 and "is now the active audit key" in result.output
        assert audit.record("test_entry").mac_key_id == own_keys.active_id()

    def test_a_rotated_key_keeps_old_entries_verifiable_and_a_lost_key_is_named(self, app, own_keys, monkeypatch):
        runner = app.test_cli_runner()
        assert runner.invoke(args=["audit", "keys", "generate", "--id", "old1"]).exit_code == 0
        made = five_entries()
        assert runner.invoke(args=["audit", "keys", "generate", "--id", "new1"]).exit_code == 0
        monkeypatch.setitem(app.extensions, "audit_active_key", {})  # the restart the command asks for
        five_entries()
        listing = runner.invoke(args=["audit", "keys", "list"]).output
        assert "old1       verify only" in listing and "new1       active" in listing
        result = verify(app)
        assert result.exit_code == 0, result.output
        assert "with keys new1 (5), old1 (5)" in result.output
        assert "taken" in runner.invoke(args=["audit", "keys", "generate", "--id", "old1"]).output
        (own_keys.directory / "old1.key").unlink()
        output = broken_at(app)
        assert f"entry #{made[0].seq} " in output and "key 'old1' is not in AUDIT_KEYS_PATH" in output


class TestPublishedHead:
    def test_the_workers_publish_the_head_to_a_file_redis_and_the_log(self, app, configure, caplog):
        configure(audit_head_redis_key=REDIS_KEY)
        made = five_entries()
        assert "portal.domain.audit.head.publish_head" in run_cron_once(app)
        with caplog.at_level(logging.INFO, logger="portal.domain.audit.head"):
            run_jobs(app)
        last = made[-1]
        [line] = head_lines(app)
        assert (line["seq"], line["hash"], line["mac"], line["mac_key_id"]) == (last.seq, last.hash, last.mac,
                                                                                 last.mac_key_id)
        assert json.loads(redis_connection.client.lindex(REDIS_KEY, -1)) == line
        [logged] = [r.getMessage() for r in caplog.records if r.name == "portal.domain.audit.head"]
        assert logged == f"audit head #{last.seq} mac {last.mac}"
        app.test_cli_runner().invoke(args=["audit", "publish-head"])
        assert len(head_lines(app)) == 1 and redis_connection.client.llen(REDIS_KEY) == 1  # not moved: not again
        audit.record("test_entry")
        db.session.commit()
        app.test_cli_runner().invoke(args=["audit", "publish-head"])
        assert [h["seq"] for h in head_lines(app)] == [last.seq, last.seq + 1]

    def test_the_end_cut_off_is_caught_from_the_published_head_without_an_anchor(self, app):
        made = five_entries()
        assert app.test_cli_runner().invoke(args=["audit", "publish-head"]).exit_code == 0
        with tampering():
            db.session.execute(text("DELETE FROM audit_entries WHERE id IN (:a, :b)"),
                               {"a": made[3].id, "b": made[4].id})
        output = broken_at(app)
        assert f"broken at entry #{made[3].seq}: missing" in output and "cut off" in output
        assert f"the head published to the file {settings_of(app).audit_head_file}" in output

    def test_the_redis_copy_catches_a_cut_off_end_when_the_file_is_gone(self, app, configure):
        configure(audit_head_redis_key=REDIS_KEY)
        made = five_entries()
        app.test_cli_runner().invoke(args=["audit", "publish-head"])
        settings_of(app).audit_head_file.unlink()
        with tampering():
            db.session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": made[4].id})
        output = broken_at(app)
        assert f"broken at entry #{made[4].seq}: missing" in output and f"Redis key {REDIS_KEY}" in output

    def test_an_end_rewritten_with_the_key_is_caught_by_the_published_head(self, app):
        made = five_entries()
        app.test_cli_runner().invoke(args=["audit", "publish-head"])
        last, before = made[-1], made[-2]
        key_id, key = active_key()
        forged = {**{c: getattr(last, c) for c in ("at", "actor_id", "subject_type", "subject_id",
                                                   "application_id", "prev_hash")},
                  "actor_role": "admin", "action": "test_entry", "details": {"n": 4, "forged": True}}
        digest = entry_hash(forged)
        with tampering():
            db.session.execute(text("UPDATE audit_entries SET actor_role = 'admin', details = :d, hash = :h, mac = :m "
                                    "WHERE id = :id"),
                               {"d": json.dumps(forged["details"]), "h": digest, "id": last.id,
                                "m": entry_mac(key, key_id, last.seq, digest, before.mac)})
        output = broken_at(app)
        assert f"entry #{last.seq} " in output and "does not match the head published" in output


class TestAppendOnly:
    def test_the_database_refuses_to_update_or_delete_audit_entries(self):
        made = five_entries()
        statements = ["UPDATE audit_entries SET details = '{}' WHERE id = :id",
                      "DELETE FROM audit_entries WHERE id = :id"]
        if db.session.get_bind().dialect.name == "postgresql":
            statements.append("TRUNCATE audit_entries")
        for statement in statements:
            with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
                db.session.execute(text(statement), {"id": made[2].id})
        assert [e.id for e in entries()][-5:] == [e.id for e in made]

    def test_verify_fails_while_a_trigger_is_missing_or_disabled(self, app):
        five_entries()
        with tampering():
            output = broken_at(app)
        assert "MISSING or disabled" in output and "audit log not verified" in output


def test_verify_reports_the_protections_it_checked(app):
    made = five_entries()
    app.test_cli_runner().invoke(args=["audit", "publish-head"])
    anchor = f"{made[1].seq}:{made[1].hash}"
    result = verify_with(app, "--anchor", anchor)
    assert result.exit_code == 0, result.output
    count, key_id = len(entries()), made[0].mac_key_id
    database = db.session.get_bind().dialect.name
    triggers = ", ".join(audit_data.APPEND_ONLY_TRIGGERS[database])
    for line in [f"chain:     hashes and links of {count} entries",
                 f"MACs:      {count} entries checked with keys {key_id} ({count})",
                 f"published: file {settings_of(app).audit_head_file}: entry #{made[-1].seq} published ",
                 f"triggers:  {database}: {triggers} present",
                 f"anchor:    {made[1].seq}:{made[1].hash[:16]}..., held unchanged",
                 f"audit log intact: {count} entries"]:
        assert line in result.output
    if database == "postgresql":  # the suite connects as the owner: verify says what that means
        assert "can disable them" in result.output
