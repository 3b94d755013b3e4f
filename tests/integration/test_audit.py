"""The hash-chained audit log: what is recorded, `flask audit verify`, tampering of each kind,
concurrent writers, and the applicant's "who in government has looked at this application".
The keyed MACs, the published head and the append-only triggers: test_audit_protections.py."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest
from sqlalchemy import text

from portal.data.db import db
from portal.data.models import AuditEntry
from portal.domain import audit
from portal.domain.audit.chain import entry_mac
from portal.domain.audit.keys import active_key
from portal.domain.catalogue import get_catalogue
from tests import docfiles, journey
from tests.audit_log import broken_at, entries, five_entries, tampering, verify
from tests.service_roots import copy_of_fixture, services_root
from tests.sessions import sign_in_as

SLUG = "market-stall-permit"
STALL = {"market": "olympic", "stall_number": "B12", "goods": "បន្លែ", "months": "2", "equity_card": "no"}


@pytest.fixture
def services(app, tmp_path):
    with services_root(app, copy_of_fixture(tmp_path), sync_agencies=True) as root:
        yield root


@pytest.fixture
def applicant(client, factories):
    person = factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy",
                              national_id="012345678", phone="+85512777889")
    sign_in_as(client, person)
    client.expected_lang = "en"
    return person


def submitted_application(client) -> str:
    first = journey.start(client, SLUG)
    documents = journey.fill_steps(client, first, {"stall": STALL, "declaration": {"declaration": "y"}})
    journey.attach(client, documents, "id_card", docfiles.png(), "id.png")
    url = documents.removesuffix("/documents")
    journey.submit(client, url)
    return url


def as_text(entry: AuditEntry) -> str:
    return json.dumps({c.name: str(getattr(entry, c.name)) for c in AuditEntry.__table__.columns}, ensure_ascii=False)


class TestVerifying:
    def test_the_chain_verifies_after_normal_use(self, app, client, applicant, services, factories):
        url = submitted_application(client)
        client.expected_lang = None
        sign_in_as(client, factories.staff("phnom-penh-capital", "clerk", name_latin="Dara Keo"))
        document = journey.application_for(url).attachments[0].document
        assert client.get(f"/documents/{document.public_id}/download").status_code == 200
        result = verify(app)
        assert result.exit_code == 0, result.output
        assert f"audit log intact: {len(entries())} entries" in result.output
        assert {"state_change", "staff_downloaded"} <= {e.action for e in entries()}

    def test_a_changed_entry_is_named(self, app):
        made = five_entries()
        changed = made[2].seq
        with tampering():
            db.session.execute(text("UPDATE audit_entries SET details = :d WHERE id = :id"),
                               {"d": json.dumps({"n": 99}), "id": made[2].id})
        output = broken_at(app)
        assert f"entry #{changed} " in output and "content changed" in output

    def test_a_removed_entry_is_named_by_the_entry_after_the_gap(self, app):
        made = five_entries()
        after_gap = made[3].seq
        with tampering():
            db.session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": made[2].id})
        output = broken_at(app)
        assert f"entry #{after_gap} " in output and "removed" in output

    def test_an_inserted_entry_is_named_even_with_a_well_computed_hash(self, app):
        made = five_entries()
        forged_seq = made[2].seq
        # Make room after the second entry, then forge an entry that chains onto it correctly.
        with tampering():
            for entry in reversed(made[2:]):
                db.session.execute(text("UPDATE audit_entries SET seq = seq + 1 WHERE id = :id"), {"id": entry.id})
        forged = {"at": made[1].at, "actor_id": None, "actor_role": "admin", "action": "admin_change",
                  "subject_type": None, "subject_id": None, "application_id": None, "details": {},
                  "prev_hash": made[1].hash}
        db.session.execute(
            text("INSERT INTO audit_entries (seq, at, actor_id, actor_role, action, details, prev_hash, hash) "
                 "VALUES (:seq, :at, NULL, 'admin', 'admin_change', '{}', :prev, :hash)"),
            {"seq": forged_seq, "at": made[1].at, "prev": made[1].hash, "hash": audit.entry_hash(forged)},
        )
        output = broken_at(app)
        assert f"entry #{forged_seq} " in output and "inserted" in output

    def test_two_swapped_entries_are_named(self, app):
        made = five_entries()
        (first, first_seq), (second, second_seq) = (made[1], made[1].seq), (made[3], made[3].seq)
        with tampering():
            db.session.execute(text("UPDATE audit_entries SET seq = -1 WHERE id = :id"), {"id": first.id})
            db.session.execute(text("UPDATE audit_entries SET seq = :s WHERE id = :id"),
                               {"s": first_seq, "id": second.id})
            db.session.execute(text("UPDATE audit_entries SET seq = :s WHERE id = :id"),
                               {"s": second_seq, "id": first.id})
        output = broken_at(app)
        assert f"entry #{first_seq} " in output and "reordered" in output


@pytest.mark.no_db_transaction
class TestConcurrentWriters:
    def test_four_writers_at_once_still_make_one_valid_chain(self, app):
        before = {e.id for e in entries()}
        db.session.rollback()  # no read transaction of ours may stay open while the writers write
        failures: list[BaseException] = []
        start = threading.Barrier(4)

        def write(thread: int) -> None:
            with app.app_context():
                try:
                    start.wait()
                    for n in range(25):
                        audit.record("test_concurrency", details={"thread": thread, "n": n})
                        db.session.commit()
                except BaseException as error:  # noqa: BLE001 - reported by the test below
                    db.session.rollback()
                    failures.append(error)

        threads = [threading.Thread(target=write, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            assert not failures, failures
            mine = [e for e in entries() if e.id not in before]
            assert len(mine) == 100
            assert [e.seq for e in mine] == list(range(mine[0].seq, mine[0].seq + 100))
            result = verify(app)
            assert result.exit_code == 0, result.output
        finally:
            with tampering():
                db.session.execute(text("DELETE FROM audit_entries WHERE action = 'test_concurrency'"))
            db.session.commit()


class TestWhatIsRecorded:
    def test_a_sign_in_and_a_failed_sign_in_are_recorded_without_the_email(self, client, factories):
        person = factories.person(email="dara@example.com", locale="en")
        page = client.get("/sign-in")
        assert client.submit(page, {"contact": "dara@example.com", "password": "not the password"}).status_code == 400
        assert client.submit(client.get("/sign-in"), {"contact": "Dara@example.com",
                                                      "password": factories.PASSWORD}).status_code == 302
        failed, = entries("sign_in_failed")
        assert failed.details["contact_sha256"] == hashlib.sha256(b"dara@example.com").hexdigest()
        assert failed.actor_id is None and failed.details["reason"] == "credentials"
        signed_in, = entries("sign_in")
        assert signed_in.actor_id == person.id and signed_in.subject_id == person.public_id
        for entry in (failed, signed_in):
            assert "dara@example.com" not in as_text(entry).lower()

    def test_a_state_change_is_recorded_with_the_application(self, client, applicant, services):
        url = submitted_application(client)
        application = journey.application_for(url)
        change, = entries("state_change")
        assert change.application_id == application.id and change.subject_id == application.public_id
        assert change.details == {"action": "submit", "from": "draft", "to": "submitted"}
        assert change.actor_id == applicant.id and change.actor_role == "applicant"

    def test_asking_for_someone_elses_application_is_an_authorisation_failure(
            self, client, applicant, services, factories):
        url = submitted_application(client)
        intruder = factories.person()
        sign_in_as(client, intruder)
        client.expected_lang = None
        assert client.get(url).status_code == 404
        assert client.get("/applications/no-such-application").status_code == 404
        refused, = entries("authorisation_failed")
        assert refused.actor_id == intruder.id and refused.application_id == journey.application_for(url).id

    def test_a_non_administrator_in_the_admin_area_is_an_authorisation_failure(self, client, factories):
        clerk = factories.staff("moc", "clerk")
        sign_in_as(client, clerk)
        assert client.get("/admin/staff").status_code == 404
        refused, = entries("authorisation_failed")
        assert refused.actor_id == clerk.id and refused.subject_type == "admin_area"

    def test_an_administrators_change_is_recorded(self, client, factories):
        admin = factories.admin()
        clerk = factories.staff("moc", "clerk")
        sign_in_as(client, admin)
        client.expected_lang = None
        page = client.get(f"/admin/staff/{clerk.public_id}")
        response = client.submit(page, {"confirm": "1"},
                                 selector=f"form[action='/admin/staff/{clerk.public_id}/deactivate']")
        assert response.status_code == 302
        change, = entries("admin_change")
        assert change.actor_id == admin.id and change.subject_id == clerk.public_id
        assert change.details == {"change": "deactivated"}


class TestTheApplicantSeesWhoLooked:
    def test_a_staff_download_shows_on_the_application_page(self, client, applicant, services, factories):
        url = submitted_application(client)
        assert "No one in government has looked at this application yet." in client.get(url).soup.get_text()
        clerk = factories.staff("phnom-penh-capital", "clerk", name_latin="Dara Keo", name_km="ដារា កែវ")
        sign_in_as(client, clerk)
        client.expected_lang = None
        document = journey.application_for(url).attachments[0].document
        assert client.get(f"/documents/{document.public_id}/download").status_code == 200
        sign_in_as(client, applicant)
        client.expected_lang = "en"
        page = client.get(url + "?lang=en")
        section = page.soup.select_one("ul.access-list").get_text(" ", strip=True)
        agency = get_catalogue().agencies["phnom-penh-capital"].name["en"]
        assert "Dara Keo" in section and agency in section and "Downloaded a document" in section

    def test_the_owner_downloading_their_own_document_is_not_listed(self, client, applicant, services):
        url = submitted_application(client)
        document = journey.application_for(url).attachments[0].document
        assert client.get(f"/documents/{document.public_id}/download").status_code == 200
        assert entries("staff_downloaded") == []



class TestAnchors:
    """The end of the log cut off, or rewritten with fresh hashes, holds together by itself: only an
    anchor noted down outside the database catches it."""

    def head(self, app) -> str:
        result = verify(app)
        assert result.exit_code == 0, result.output
        return result.output.split("head: ")[1].split()[0]

    def test_the_intact_log_prints_its_head_and_verifies_against_it(self, app):
        made = five_entries()
        anchor = self.head(app)
        assert anchor == f"{made[-1].seq}:{made[-1].hash}"
        result = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", anchor])
        assert result.exit_code == 0, result.output

    def test_a_cut_off_end_is_caught_by_an_earlier_anchor(self, app):
        made = five_entries()
        anchor = self.head(app)
        with tampering():
            db.session.execute(text("DELETE FROM audit_entries WHERE id IN (:a, :b)"),
                               {"a": made[3].id, "b": made[4].id})
        assert verify(app).exit_code == 0  # no anchor and no head published: the shorter chain is a valid chain
        result = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", anchor])
        assert result.exit_code == 1 and f"entry #{made[4].seq}" in result.output and "cut off" in result.output

    def test_a_rewritten_end_is_caught_by_an_earlier_anchor_even_with_the_audit_key(self, app):
        made = five_entries()
        anchor = self.head(app)
        last, before = made[-1], made[-2]
        forged = {"at": last.at, "actor_id": None, "actor_role": "admin", "action": "admin_change",
                  "subject_type": None, "subject_id": None, "application_id": None, "details": {},
                  "prev_hash": last.prev_hash}
        # An insider who can read AUDIT_KEYS_PATH recomputes the MAC too.
        key_id, key = active_key()
        forged_hash = audit.entry_hash(forged)
        with tampering():
            db.session.execute(text("UPDATE audit_entries SET actor_role = 'admin', action = 'admin_change', "
                                    "details = '{}', actor_id = NULL, subject_type = NULL, subject_id = NULL, "
                                    "application_id = NULL, hash = :hash, mac = :mac WHERE id = :id"),
                               {"hash": forged_hash, "mac": entry_mac(key, key_id, last.seq, forged_hash, before.mac),
                                "id": last.id})
        assert verify(app).exit_code == 0  # re-hashed and re-MACed: the chain alone cannot tell
        result = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", anchor])
        assert result.exit_code == 1 and "does not match the anchor" in result.output

    def test_a_malformed_anchor_is_a_usage_error(self, app):
        result = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", "12:xyz"])
        assert result.exit_code == 2 and "SEQ:HASH" in result.output
