from __future__ import annotations

import os

from portal.domain.documents import get_document_store
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
