from __future__ import annotations

import hashlib
import os
import time

import pytest

from portal.data import documents as document_data
from portal.domain.documents import get_document_store
from portal.domain.documents.storage import LocalDirectoryStorage
from portal.domain.documents.store import DocumentStore
from tests import docfiles


def store_two(factories):
    person = factories.person()
    store = get_document_store()
    first = store.add_upload(docfiles.pdf("one"), "one.pdf", created_by=person, owner_person=person, max_bytes=10**6)
    second = store.add_upload(docfiles.png(), "two.png", created_by=person, owner_person=person, max_bytes=10**6)
    return store, first, second


def test_fsck_passes_when_every_file_matches(app, factories):
    store_two(factories)
    result = app.test_cli_runner().invoke(args=["docstore", "fsck"])
    assert result.exit_code == 0, result.output


def test_fsck_names_the_damaged_and_the_missing_document(app, factories):
    store, first, second = store_two(factories)
    damaged = store.storage._path(first.sha256)
    os.chmod(damaged, 0o640)
    damaged.write_bytes(damaged.read_bytes() + b"flipped")
    store.storage._path(second.sha256).unlink()
    result = app.test_cli_runner().invoke(args=["docstore", "fsck"])
    assert result.exit_code == 1
    assert f"damaged  document {first.public_id}" in result.output
    assert f"missing  document {second.public_id}" in result.output


HOUR = 3600


@pytest.fixture
def store(app, tmp_path):
    """The app's document store on a folder of this test's own (other tests' rolled-back uploads leave
    files without rows in the shared one)."""
    saved = app.extensions.get("docstore")
    app.extensions["docstore"] = DocumentStore(LocalDirectoryStorage(tmp_path / "blobs"))
    yield app.extensions["docstore"]
    app.extensions["docstore"] = saved


def fsck(app, *args: str):
    return app.test_cli_runner().invoke(args=["docstore", "fsck", *args])


def orphan(store, data: bytes, hours_old: float) -> str:
    """A file whose row never committed (its job was killed by a database outage), written `hours_old` ago."""
    sha256 = hashlib.sha256(data).hexdigest()
    store.storage.put(sha256, data)
    then = time.time() - hours_old * HOUR
    os.utime(store.storage._path(sha256), (then, then))
    return sha256


def test_a_file_without_a_row_is_reported_and_removed_by_repair_only_once_older_than_an_hour(app, factories, store):
    person = factories.person()
    kept = store.add_upload(docfiles.pdf("kept"), "kept.pdf", created_by=person, owner_person=person, max_bytes=10**6)
    old = orphan(store, docfiles.pdf("receipt of a job killed yesterday"), hours_old=26)
    young = orphan(store, docfiles.pdf("an upload whose row has not committed yet"), hours_old=0.2)

    result = fsck(app)
    assert result.exit_code == 1
    assert f"orphan   file {old} (26.0 hours old" in result.output
    assert f"young    file {young} (12 minutes old" in result.output
    assert kept.sha256 not in result.output
    assert store.storage.exists(old) and store.storage.exists(young)

    result = fsck(app, "--repair")
    assert result.exit_code == 0, result.output
    assert f"removed  file {old} (26.0 hours old, no row)" in result.output
    assert "Removed 1 file(s) without a row." in result.output
    assert not store.storage.exists(old)
    assert store.storage.exists(young) and store.storage.exists(kept.sha256)
    assert store.read(kept) == store.storage.get(kept.sha256)


def test_an_old_orphan_stored_again_by_an_upload_in_flight_is_young_again_and_kept(app, store):
    data = docfiles.pdf("the same scan, uploaded again")
    sha256 = orphan(store, data, hours_old=5)
    store.storage.put(sha256, data)  # a new upload of the same bytes, its row not committed yet
    result = fsck(app, "--repair")
    assert f"young    file {sha256}" in result.output and "removed" not in result.output
    assert store.storage.exists(sha256)


def test_a_blob_row_without_its_file_is_reported_even_when_no_document_uses_it(app, store):
    sha256 = hashlib.sha256(b"gone").hexdigest()
    document_data.ensure_blob(sha256, 4, "application/pdf")
    result = fsck(app, "--repair")
    assert result.exit_code == 1
    assert f"missing  blob {sha256}" in result.output


def test_a_half_written_file_left_by_a_killed_writer_is_removed_once_older_than_an_hour(app, store):
    folder = store.storage.root / "ab" / "cd"
    folder.mkdir(parents=True)
    stale, fresh = folder / ".partial-k1ll3d", folder / ".partial-wr1t1ng"
    stale.write_bytes(b"%PDF-1.7 half")
    fresh.write_bytes(b"%PDF-1.7 being written")
    then = time.time() - 2 * HOUR
    os.utime(stale, (then, then))
    result = fsck(app, "--repair")
    assert result.exit_code == 0, result.output
    assert "removed  file ab/cd/.partial-k1ll3d" in result.output
    assert "young    file ab/cd/.partial-wr1t1ng" in result.output
    assert not stale.exists() and fresh.exists()
