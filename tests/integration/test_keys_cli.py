from __future__ import annotations

import dataclasses

import pytest

from portal.domain.rendering.documents import get_keyring


@pytest.fixture(autouse=True)
def own_key_folder(app, tmp_path, monkeypatch):
    settings = dataclasses.replace(app.config["PORTAL_SETTINGS"], signing_keys_path=tmp_path / "keys")
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)


def test_generate_rotates_and_keeps_the_old_key_for_verification(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["keys", "generate", "--id", "old1"])
    second = runner.invoke(args=["keys", "generate", "--id", "new1"])
    assert first.exit_code == second.exit_code == 0
    assert {"old1", "new1"} <= set(get_keyring().public_keys())
    assert get_keyring().active(create_if_missing=False)[0] == "new1"
    listing = runner.invoke(args=["keys", "list"]).output
    assert "new1" in listing and "active" in listing and "old1" in listing


def test_a_taken_or_bad_id_is_a_one_line_error(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["keys", "generate", "--id", "dup1"])
    result = runner.invoke(args=["keys", "generate", "--id", "dup1"])
    assert result.exit_code != 0 and "taken" in result.output
    assert runner.invoke(args=["keys", "generate", "--id", "BAD KEY"]).exit_code != 0
