"""Checking the audit log: `flask audit verify`.

One walk over the entries in order checks, and the verdict says which of these it could check:
- the chain: each entry's hash and its link to the one before (names a changed, removed, inserted or
  reordered entry);
- the MACs, with the keys in AUDIT_KEYS_PATH (names an entry changed and re-hashed by someone without
  the key; entries written before MACs existed are counted, and covered by the first MAC after them);
- the newest head published outside the database (portal.domain.audit.head) and any anchors given: the log
  must still hold those entries, unchanged (names the end of the log cut off or rewritten);
- the database triggers that refuse UPDATE and DELETE on the table (migration 0011).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from portal.data import audit as audit_data
from portal.domain.audit.chain import GENESIS, entry_hash, mac_matches
from portal.domain.audit.head import Head, HeadUnreadable, newest_published
from portal.domain.audit.keys import NoAuditKey, get_audit_keyring


@dataclass(frozen=True)
class Problem:
    seq: int  # the first entry found wrong; 0 when the problem is not one entry's (a missing trigger)
    entry_id: int
    reason: str


@dataclass(frozen=True)
class Anchor:
    """An entry's position and hash, noted down outside the database (an operator's log, a ticket, a
    message to the auditors). A chain can be cut short or rewritten from some point on and still hold
    together by itself; it cannot also match an anchor taken before."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        seq, _colon, digest = text.strip().lstrip("#").partition(":")
        if not seq.isdigit() or int(seq) < 1 or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("an anchor is written SEQ:HASH, e.g. 1042:3f7a... (64 hexadecimal digits)")
        return cls(int(seq), digest)

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


@dataclass(frozen=True)
class _Mark:
    """Something known from outside the database about one entry: an anchor or a published head."""

    seq: int
    hash: str
    mac: str | None
    source: str


@dataclass
class Verdict:
    entries: int = 0
    problem: Problem | None = None
    head: Anchor | None = None  # the last entry, to note down as the next anchor
    macs: Counter = field(default_factory=Counter)  # entries whose MAC was checked, by key id
    without_mac: int = 0  # entries written before MACs existed (the first ones of the log)
    published: dict[str, Head | None] = field(default_factory=dict)  # place -> newest head
    anchors: tuple[Anchor, ...] = ()
    guard: audit_data.AppendOnlyGuard | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify(anchors: tuple[Anchor, ...] = ()) -> Verdict:
    """Walk the chain in seq order; stop at the first entry that does not hold together, whose MAC is
    wrong, or that contradicts the published head or one of `anchors`."""
    verdict = Verdict(anchors=anchors, guard=audit_data.append_only_guard())
    marks = [_Mark(a.seq, a.hash, None, "the anchor noted down for it") for a in anchors]
    unreadable = None
    try:
        verdict.published = newest_published()
    except HeadUnreadable as error:
        unreadable = Problem(0, 0, f"the published head could not be read ({error})")
    marks += [_Mark(h.seq, h.hash, h.mac, f"the head published to the {place} at {h.at}")
              for place, h in verdict.published.items() if h is not None]
    expected: dict[int, list[_Mark]] = {}
    for mark in marks:
        expected.setdefault(mark.seq, []).append(mark)

    keys: dict[str, bytes | None] = {}
    previous = None
    for entry in audit_data.in_chain_order():
        verdict.entries += 1
        verdict.problem = (_check(entry, previous) or _check_mac(entry, previous, keys, verdict)
                           or _check_marks(entry, expected.pop(entry.seq, [])))
        if verdict.problem:
            return verdict
        previous = entry
    last = previous.seq if previous else 0
    if expected:
        mark = expected[min(expected)][0]
        verdict.problem = Problem(last + 1, 0, f"missing: the log ends at entry #{last}, but {mark.source} is entry "
                                               f"#{mark.seq}, so the end of the log was cut off")
    elif unreadable:
        verdict.problem = unreadable
    elif verdict.guard.missing:
        verdict.problem = Problem(0, 0, f"the append-only trigger(s) {', '.join(verdict.guard.missing)} on "
                                        f"audit_entries are missing or disabled: rows can be changed or deleted")
    if previous and not verdict.problem:
        verdict.head = Anchor(previous.seq, previous.hash)
    return verdict


def _check(entry, previous) -> Problem | None:
    expected_seq = previous.seq + 1 if previous else 1
    expected_prev = previous.hash if previous else GENESIS

    def bad(reason: str, at=entry) -> Problem:
        return Problem(at.seq, at.id, reason)

    if entry_hash(entry) != entry.hash:
        return bad("content changed: its hash does not match what it says")
    if entry.prev_hash == expected_prev:
        if entry.seq != expected_seq:
            return bad(f"renumbered: it follows entry #{expected_seq - 1} but is numbered #{entry.seq}")
        return None
    linked = audit_data.by_hash(entry.prev_hash) if entry.prev_hash != GENESIS else None
    if linked is not None and linked.seq >= entry.seq:
        return bad(f"reordered: it belongs after entry #{linked.seq}")
    if linked is not None and previous is not None and linked.seq == previous.seq - 1:
        return bad(f"inserted: it is not in the chain (entry #{entry.seq} follows entry #{linked.seq})", previous)
    if entry.seq != expected_seq:
        return bad(f"removed: entries #{expected_seq} to #{entry.seq - 1} are missing before it")
    if linked is not None:
        return bad(f"removed or inserted: it follows entry #{linked.seq}, not #{previous.seq if previous else 0}")
    return bad("removed: the entry it follows is gone (or the one before it was changed and re-hashed)")


def _check_mac(entry, previous, keys: dict[str, bytes | None], verdict: Verdict) -> Problem | None:
    if entry.mac is None:
        if verdict.macs:
            return Problem(entry.seq, entry.id, "it has no MAC, though entries before it have one: it was inserted "
                                                "or rewritten by someone without the audit key, or its MAC removed")
        verdict.without_mac += 1
        return None
    key_id = entry.mac_key_id or ""
    if key_id not in keys:
        try:
            keys[key_id] = get_audit_keyring().key(key_id)
        except NoAuditKey as error:
            return Problem(entry.seq, entry.id, f"its MAC cannot be checked: {error}")
    if keys[key_id] is None:
        return Problem(entry.seq, entry.id, f"its MAC cannot be checked: key {key_id!r} is not in AUDIT_KEYS_PATH "
                                            f"(restore {key_id}.key from the secrets store)")
    if not mac_matches(keys[key_id], entry, previous.mac if previous else None):
        return Problem(entry.seq, entry.id, "its MAC does not match: it, or an entry before it, was changed and "
                                            "its hash recomputed by someone without the audit key")
    verdict.macs[key_id] += 1
    return None


def _check_marks(entry, marks: list[_Mark]) -> Problem | None:
    for mark in marks:
        if mark.hash != entry.hash or (mark.mac is not None and mark.mac != entry.mac):
            return Problem(entry.seq, entry.id, f"does not match {mark.source}: the log was rewritten from here "
                                                f"or earlier")
    return None
