"""The data key ring: AES-GCM sealing bound to a context, key ids for rotation, no key made in production."""

from __future__ import annotations

import stat

import pytest

from portal.domain.keys.data_keys import CannotOpen, DataKeyRing, NoDataKey, is_sealed, key_id_of


@pytest.fixture
def ring(tmp_path) -> DataKeyRing:
    return DataKeyRing(tmp_path / "data", create_if_missing=True)


class TestSealing:
    def test_a_sealed_value_opens_only_in_its_own_context(self, ring):
        sealed = ring.seal("JBSWY3DPEHPK3PXP", "totp:person-a")
        assert is_sealed(sealed) and "JBSWY3DPEHPK3PXP" not in sealed
        assert ring.open(sealed, "totp:person-a") == "JBSWY3DPEHPK3PXP"
        with pytest.raises(CannotOpen):
            ring.open(sealed, "totp:person-b")

    def test_sealing_twice_gives_two_different_values(self, ring):
        assert ring.seal("same", "c") != ring.seal("same", "c")

    def test_a_changed_value_does_not_open(self, ring):
        sealed = ring.seal("JBSWY3DPEHPK3PXP", "c")
        flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
        for damaged in (flipped, sealed[:-4], "gcm1:nokey:abc", "JBSWY3DPEHPK3PXP", ""):
            with pytest.raises(CannotOpen):
                ring.open(damaged, "c")

    def test_values_sealed_with_an_older_key_still_open_after_rotation(self, ring):
        old = ring.seal("secret", "c")
        new_id = ring.generate("k2")
        assert key_id_of(ring.seal("secret", "c")) == new_id != key_id_of(old)
        assert ring.open(old, "c") == "secret"
        assert ring.ids() == sorted([key_id_of(old), new_id])


class TestKeys:
    def test_the_first_key_is_made_on_first_use_readable_by_its_owner_only(self, ring):
        key_id = ring.active_id()
        mode = stat.S_IMODE((ring.directory / f"{key_id}.key").stat().st_mode)
        assert mode == 0o600
        assert ring.active_id() == key_id

    def test_production_makes_no_key_of_its_own(self, tmp_path):
        ring = DataKeyRing(tmp_path / "data", create_if_missing=False)
        with pytest.raises(NoDataKey, match="flask data-keys generate"):
            ring.seal("secret", "c")
        assert not (tmp_path / "data").exists()

    @pytest.mark.parametrize("key_id", ["UPPER", "has-dash", "toolongid", ""])
    def test_a_bad_key_id_is_refused(self, ring, key_id):
        with pytest.raises(ValueError):
            ring.generate(key_id or "../x")

    def test_a_key_id_cannot_be_taken_twice(self, ring):
        ring.generate("k1")
        with pytest.raises(ValueError, match="taken"):
            ring.generate("k1")

    def test_a_key_made_inactive_is_used_only_once_activated(self, ring):
        first = ring.active_id()
        second = ring.generate("k2", activate=False)
        assert key_id_of(ring.seal("s", "c")) == first
        ring.activate(second)
        assert key_id_of(ring.seal("s", "c")) == second

    def test_a_missing_key_cannot_be_activated(self, ring):
        with pytest.raises(CannotOpen, match="missing"):
            ring.activate("nokey")
