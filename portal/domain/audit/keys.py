"""The secret keys of the audit log's MAC (HMAC-SHA256), kept outside the database.

AUDIT_KEYS_PATH (default `instance/keys/audit/`, never in the repository) holds `<id>.key` files, each
32 random bytes written as 64 hexadecimal digits (mode 600), and a file `active` naming the key that
new entries are MACed with. Rotating adds a key and makes it active; old keys stay, because the entries
MACed with them are checked with them: never delete one. Development and tests make a first key on
first use; production refuses to write to the audit log until an operator has run
`flask audit keys generate`.

Whoever can read these files can forge entries that verify: keep them in the secrets store beside the
signing keys, out of reach of the database server and its administrators.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from portal.domain.keys.key_ids import KEY_ID, next_key_id

KEY_BYTES = 32


class NoAuditKey(RuntimeError):
    pass


@dataclass(frozen=True)
class AuditKeyRing:
    directory: Path

    def key(self, key_id: str) -> bytes | None:
        """The key with this id, or None if this ring does not hold it."""
        path = self.directory / f"{key_id}.key"
        if not KEY_ID.match(key_id or "") or not path.exists():
            return None
        try:
            key = bytes.fromhex(path.read_text().strip())
        except ValueError:
            key = b""
        if len(key) != KEY_BYTES:
            raise NoAuditKey(f"AUDIT_KEYS_PATH: {path.name} is not {KEY_BYTES * 2} hexadecimal digits")
        return key

    def key_ids(self) -> list[str]:
        return sorted(path.stem for path in self.directory.glob("*.key") if KEY_ID.match(path.stem))

    def active_id(self) -> str | None:
        marker = self.directory / "active"
        return marker.read_text().strip() if marker.exists() else None

    def active(self, create_if_missing: bool) -> tuple[str, bytes]:
        key_id = self.active_id()
        if key_id is None:
            if not create_if_missing:
                raise NoAuditKey("AUDIT_KEYS_PATH: no active audit key; run `flask audit keys generate`")
            key_id = self.generate()
        key = self.key(key_id)
        if key is None:
            raise NoAuditKey(f"AUDIT_KEYS_PATH: the active audit key {key_id!r} has no file {key_id}.key")
        return key_id, key

    def generate(self, key_id: str | None = None) -> str:
        """A new key, made active. The id defaults to a<yymm>, with a letter added if taken."""
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            made = key_id or next_key_id(self.directory, "a", "key")
            if not KEY_ID.match(made):
                raise ValueError(f"key id {made!r} is not 1-8 lower-case letters and digits")
            try:
                # O_EXCL: two processes making a first key at once never overwrite each other's key,
                # whose entries could then no longer be checked.
                descriptor = os.open(self.directory / f"{made}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                if key_id:
                    raise ValueError(f"key id {key_id!r} is taken") from None
                continue
            with os.fdopen(descriptor, "w") as key_file:
                key_file.write(secrets.token_bytes(KEY_BYTES).hex() + "\n")
            # Written aside and renamed: a reader sees the old marker or the new one, never half of one.
            marker = self.directory / f".active.{os.getpid()}"
            marker.write_text(made)
            marker.replace(self.directory / "active")
            return made


def get_audit_keyring() -> AuditKeyRing:
    return AuditKeyRing(current_app.config["PORTAL_SETTINGS"].audit_keys_path)


def active_key() -> tuple[str, bytes]:
    """The key new entries are MACed with, read once per process and folder (record() runs in many
    requests). After `flask audit keys generate`, restarted processes use the new key; until then they
    go on with the previous one, which stays valid."""
    settings = current_app.config["PORTAL_SETTINGS"]
    cache = current_app.extensions.setdefault("audit_active_key", {})
    found = cache.get(settings.audit_keys_path)
    if found is None:
        found = cache[settings.audit_keys_path] = AuditKeyRing(settings.audit_keys_path).active(
            create_if_missing=not settings.production)
    return found
