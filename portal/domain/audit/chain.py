"""What links one audit entry to the next: a SHA-256 hash anyone can recompute, and a MAC only the
holder of a key outside the database can.

`hash` is the SHA-256 of the entry's content and the previous entry's hash: changing, removing,
inserting or reordering entries breaks it, and says where. But it needs no secret, so someone who can
write to the database can change an entry and recompute every hash after it. `mac` is an HMAC-SHA256,
with a key from AUDIT_KEYS_PATH, over the entry's position, its key id, its hash (which covers its
content and, through `prev_hash`, everything before it) and the previous entry's MAC: recomputing it
needs the key. Entries written before migration 0011 have no MAC of their own; the first MACed entry
after them covers them through its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json

GENESIS = "0" * 64


def entry_hash(fields) -> str:
    """SHA-256 over a canonical JSON of the content and the previous hash.

    `seq` is left out on purpose: the order lives in `prev_hash`, and verification checks `seq`
    against it, which is how a reordering is told apart from a changed entry."""
    get = fields.get if isinstance(fields, dict) else lambda name: getattr(fields, name)
    content = {
        "at": get("at").isoformat(timespec="microseconds"),
        "actor_id": get("actor_id"),
        "actor_role": get("actor_role"),
        "action": get("action"),
        "subject_type": get("subject_type"),
        "subject_id": get("subject_id"),
        "application_id": get("application_id"),
        "details": get("details") or {},
        "prev_hash": get("prev_hash"),
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def entry_mac(key: bytes, key_id: str, seq: int, digest: str, prev_mac: str | None) -> str:
    """HMAC-SHA256 of `owa1|seq|key id|hash|previous MAC` ("" after an entry without one). The hash stands
    for the content: it is SHA-256 over a canonical form of it, so the content is hashed once, not twice."""
    message = f"owa1|{seq}|{key_id}|{digest}|{prev_mac or ''}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def mac_matches(key: bytes, entry, prev_mac: str | None) -> bool:
    expected = entry_mac(key, entry.mac_key_id, entry.seq, entry.hash, prev_mac)
    return hmac.compare_digest(expected, entry.mac)
