"""The Ed25519 keys that sign issued documents.

Keys live in SIGNING_KEYS_PATH (default `instance/keys/`, never in the repository): `<id>.key`
(private, mode 600) and `<id>.pub` (public), and a file `active` naming the key that signs new
documents. Rotating adds a key and makes it active; old public keys stay, so documents signed
with them still verify. In development a first key is made on first use; production refuses to
sign until an operator has run `flask keys generate`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from portal.domain.keys.key_ids import KEY_ID, next_key_id


class NoSigningKey(RuntimeError):
    pass


@dataclass(frozen=True)
class KeyRing:
    directory: Path

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        keys = {}
        for path in sorted(self.directory.glob("*.pub")):
            if KEY_ID.match(path.stem):
                keys[path.stem] = serialization.load_pem_public_key(path.read_bytes())
        return keys

    def active(self, create_if_missing: bool) -> tuple[str, Ed25519PrivateKey]:
        marker = self.directory / "active"
        if not marker.exists():
            if not create_if_missing:
                raise NoSigningKey("SIGNING_KEYS_PATH: no active signing key; run `flask keys generate`")
            self.generate()
        key_id = marker.read_text().strip()
        private = serialization.load_pem_private_key((self.directory / f"{key_id}.key").read_bytes(), password=None)
        return key_id, private

    def generate(self, key_id: str | None = None) -> str:
        """A new key pair, made active. The id defaults to k<yymm>, with a letter added if taken."""
        self.directory.mkdir(parents=True, exist_ok=True)
        key_id = key_id or next_key_id(self.directory, "k", "pub")
        if not KEY_ID.match(key_id) or (self.directory / f"{key_id}.pub").exists():
            raise ValueError(f"key id {key_id!r} is taken or not 1-8 lower-case letters and digits")
        private = Ed25519PrivateKey.generate()
        key_file = self.directory / f"{key_id}.key"
        key_file.touch(mode=0o600)
        key_file.write_bytes(private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ))
        (self.directory / f"{key_id}.pub").write_bytes(private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ))
        (self.directory / "active").write_text(key_id)
        return key_id

    def published(self) -> list[dict]:
        """The public keys as verifiers download them (raw key in base64url, and PEM)."""
        active = (self.directory / "active").read_text().strip() if (self.directory / "active").exists() else None
        result = []
        for key_id, key in self.public_keys().items():
            raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            result.append({
                "kid": key_id,
                "alg": "Ed25519",
                "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
                "pem": pem.decode(),
                "active": key_id == active,
            })
        return result
