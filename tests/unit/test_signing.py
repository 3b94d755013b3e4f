from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.rendering.signing import InvalidToken, Payload, _b64decode, _b64encode, sign, verify

KEY = Ed25519PrivateKey.generate()
KEYS = {"k2026": KEY.public_key()}
PAYLOAD = Payload(
    document_id=secrets.token_bytes(16),
    sha256=hashlib.sha256(b"%PDF-1.7 ...").digest(),
    issued=date(2026, 11, 26),
    expires=date(2027, 2, 24),
    key_id="k2026",
)
TOKEN = sign(PAYLOAD, KEY)


def test_a_genuine_token_verifies_to_its_payload():
    assert verify(TOKEN, KEYS) == PAYLOAD


def test_the_token_is_compact_enough_for_a_small_qr_code():
    assert len(TOKEN) <= 164


@pytest.mark.parametrize("position", range(len(_b64decode(TOKEN))))
def test_any_changed_byte_is_not_valid(position):
    raw = bytearray(_b64decode(TOKEN))
    raw[position] ^= 0x01
    with pytest.raises(InvalidToken):
        verify(_b64encode(bytes(raw)), KEYS)


def test_a_token_signed_with_another_key_is_not_valid():
    forged = sign(PAYLOAD, Ed25519PrivateKey.generate())
    with pytest.raises(InvalidToken, match="signature"):
        verify(forged, KEYS)


def test_an_unknown_key_id_is_not_valid():
    with pytest.raises(InvalidToken, match="unknown key"):
        verify(TOKEN, {"other": KEY.public_key()})


def test_old_keys_still_verify_after_rotation():
    new_key = Ed25519PrivateKey.generate()
    keys = {**KEYS, "k2027": new_key.public_key()}
    assert verify(TOKEN, keys).key_id == "k2026"
    newer = Payload(**{**PAYLOAD.__dict__, "key_id": "k2027"})
    assert verify(sign(newer, new_key), keys).key_id == "k2027"


def test_expiry_is_a_property_of_the_payload():
    assert not PAYLOAD.is_expired(date(2027, 2, 24))
    assert PAYLOAD.is_expired(date(2027, 2, 25))


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_any_text_is_either_valid_or_invalid_never_an_exception(text):
    with contextlib.suppress(InvalidToken):
        verify(text, KEYS)


def _non_canonical(token: str) -> list[str]:
    """Other spellings of the same bytes that a lenient base64 decoder accepts."""
    return [token + "=", token + "==", token + "===", " " + token, token[:20] + "\n" + token[20:],
            token[:20] + "." + token[20:], token.replace("-", "+").replace("_", "/")]


def test_only_the_canonical_encoding_of_a_token_verifies():
    assert len(TOKEN) % 4 == 0  # a 5-letter key id: 123 bytes, no partial last group
    for variant in _non_canonical(TOKEN):
        if variant == TOKEN:
            continue
        with pytest.raises(InvalidToken):
            verify(variant, KEYS)


@pytest.mark.parametrize("key_id", ["k", "k26"])  # 119 and 121 bytes: 2 and 4 unused bits
def test_a_token_whose_unused_last_bits_are_set_does_not_verify(key_id):
    """Key ids of other lengths leave the last base64 character with bits that carry nothing; Python ignores
    them, so without a canonical check one document would have several valid URLs."""
    token = sign(Payload(**{**PAYLOAD.__dict__, "key_id": key_id}), KEY)
    keys = {key_id: KEY.public_key()}
    assert verify(token, keys).key_id == key_id
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    assert len(token) % 4 in (2, 3)
    same_bytes = token[:-1] + alphabet[alphabet.index(token[-1]) | 1]
    assert same_bytes != token and _b64decode_lenient(same_bytes) == _b64decode(token)
    with pytest.raises(InvalidToken, match="canonical"):
        verify(same_bytes, keys)
    for variant in _non_canonical(token):
        with pytest.raises(InvalidToken):
            verify(variant, keys)


def _b64decode_lenient(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
