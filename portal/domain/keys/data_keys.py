"""Keys that encrypt secrets the database keeps (today: the TOTP secrets of staff and administrators).

The keys live outside the database, in DATA_KEYS_PATH (default `instance/keys/data/`, never in the
repository): `<id>.key` files (32 random bytes in base64, mode 600) and a file `active` naming the key
that seals new values. A sealed value names its key, `gcm1:<id>:<base64url(nonce + ciphertext + tag)>`:
AES-256-GCM with a random 96-bit nonce and the caller's context (e.g. `totp:<person public id>`) as
associated data, so a value copied into another person's row does not open there.

Rotation: `flask data-keys generate` makes a new key and makes it active (with `--inactive`, to copy it
to every machine first, then `flask data-keys activate <id>`); older keys stay to open older values
until `flask data-keys reseal` has sealed everything again with the active key. In
development and tests a first key is made on first use; production refuses (`NoDataKey`) until an
operator has run `flask data-keys generate`. A lost key means the values sealed with it are lost:
the people concerned must enrol their authenticator again.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from portal.domain.keys.key_ids import KEY_ID, next_key_id

FORMAT = "gcm1"
_NONCE_BYTES = 12
_KEY_BYTES = 32


class DataKeyError(RuntimeError):
    """A sealed value cannot be made or opened: an operator must fix the key ring."""


class NoDataKey(DataKeyError):
    pass


class CannotOpen(DataKeyError):
    """Not a sealed value, sealed with a key the ring does not have, damaged, or sealed for another context."""


def is_sealed(value: str | None) -> bool:
    return bool(value) and value.startswith(FORMAT + ":")


def key_id_of(sealed: str) -> str | None:
    parts = sealed.split(":")
    return parts[1] if len(parts) == 3 and parts[0] == FORMAT else None


@dataclass(frozen=True)
class DataKeyRing:
    directory: Path
    create_if_missing: bool = False

    def active_id(self) -> str:
        marker = self.directory / "active"
        if not marker.exists():
            if not self.create_if_missing:
                raise NoDataKey("DATA_KEYS_PATH: no active data key; run `flask data-keys generate`")
            return self.generate()
        return marker.read_text().strip()

    def ids(self) -> list[str]:
        return sorted(p.stem for p in self.directory.glob("*.key") if KEY_ID.match(p.stem))

    def _key(self, key_id: str) -> bytes:
        path = self.directory / f"{key_id}.key"
        if not KEY_ID.match(key_id) or not path.exists():
            raise CannotOpen(f"DATA_KEYS_PATH: the data key {key_id!r} is missing")
        try:
            key = base64.b64decode(path.read_text().strip(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != _KEY_BYTES:
            raise CannotOpen(f"DATA_KEYS_PATH: the data key {key_id!r} is not 32 bytes in base64")
        return key

    def generate(self, key_id: str | None = None, activate: bool = True) -> str:
        """A new key, made active unless told otherwise. The id defaults to d<yymm>, with a letter added
        if taken."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        key_id = key_id or next_key_id(self.directory, "d", "key")
        if not KEY_ID.match(key_id) or (self.directory / f"{key_id}.key").exists():
            raise ValueError(f"key id {key_id!r} is taken or not 1-8 lower-case letters and digits")
        # O_EXCL: two processes making the first key at once cannot both write the same file.
        descriptor = os.open(self.directory / f"{key_id}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as key_file:
            key_file.write(base64.b64encode(secrets.token_bytes(_KEY_BYTES)).decode() + "\n")
        if activate:
            self.activate(key_id)
        return key_id

    def activate(self, key_id: str) -> None:
        self._key(key_id)  # refuses a key that is missing or not a key
        (self.directory / "active").write_text(key_id)

    def seal(self, plaintext: str, context: str) -> str:
        key_id = self.active_id()
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = AESGCM(self._key(key_id)).encrypt(nonce, plaintext.encode(), context.encode())
        return f"{FORMAT}:{key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"

    def open(self, sealed: str, context: str) -> str:
        key_id = key_id_of(sealed or "")
        if key_id is None:
            raise CannotOpen("not a sealed value")
        data = sealed.rsplit(":", 1)[1]
        try:
            raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
            return AESGCM(self._key(key_id)).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode()).decode()
        except (binascii.Error, ValueError, InvalidTag):
            raise CannotOpen(f"a value sealed with data key {key_id!r} does not open: damaged or "
                             "copied from another record") from None


def current_ring() -> DataKeyRing:
    settings = current_app.config["PORTAL_SETTINGS"]
    directory = settings.data_keys_path or settings.instance_path / "keys" / "data"
    return DataKeyRing(Path(directory), create_if_missing=not settings.production)
