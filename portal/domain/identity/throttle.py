"""Counting failed sign-ins in Redis, per account and per client address.

An account is known to the throttle only by a SHA-256: of its public id when the contact typed
belongs to an account (so its email address and its phone number share one counter), else of the
normalised contact itself (counted whether or not an account exists, so the throttle reveals
nothing). A client address is likewise kept as a hash. Counters live in fixed 15-minute windows
that start with the first failure.

The two counters do different jobs. The account counter protects one account from guessing: when
it is full, nothing is tried, not even a right password. The address counter slows one client that
tries many accounts: when it is full, a wrong answer is refused as "too many attempts", but a right
password still signs in, because many people share one address (an office, a kiosk, a mobile
carrier's NAT) and one of them guessing must not lock out the others.

When Redis cannot be reached, the counters fall back to this process's memory (`LocalCounters`), with
limits halved: each web process then counts on its own, so with N processes an attacker gets at most
N/2 times the usual tries during the outage, and nobody is refused a sign-in or a form because Redis
is down (issue 11). Never no limit at all. Counts made during an outage stay in the process (and fade
with their window); Redis does not learn them when it comes back.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass

import redis

log = logging.getLogger(__name__)
WINDOW_SECONDS = 15 * 60
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 30


@dataclass(frozen=True)
class Blocked:
    retry_after: int  # seconds until the earliest counter that blocks expires


def _digest(kind: str, value: str) -> str:
    return f"throttle:{kind}:" + hashlib.sha256(value.encode()).hexdigest()


def account_key(normalised_contact: str) -> str:
    """The counter of a contact that belongs to no account."""
    return _digest("account", normalised_contact)


def person_account_key(person_public_id: str) -> str:
    """The counter of an account, whichever of its contacts was typed."""
    return _digest("account", "person:" + person_public_id)


def address_key(client_address: str | None) -> str:
    return _digest("address", client_address or "unknown")


class LocalCounters:
    """Fixed-window counters in this process's memory: the throttles' fallback while Redis is down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}  # key -> (count, window end on the monotonic clock)

    def _live(self, key: str, now: float) -> tuple[int, float] | None:
        entry = self._counts.get(key)
        if entry and entry[1] <= now:
            del self._counts[key]
            return None
        return entry

    def add(self, keys, window: int) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                count, ends = self._live(key, now) or (0, now + window)
                self._counts[key] = (count + 1, ends)

    def replies(self, keys) -> list[tuple[int | None, int]]:
        """(count or None, seconds left) per key, as Redis's GET and TTL would answer."""
        now = time.monotonic()
        with self._lock:
            entries = [self._live(key, now) for key in keys]
        return [(entry[0], math.ceil(entry[1] - now)) if entry else (None, -2) for entry in entries]

    def clear(self, keys) -> None:
        with self._lock:
            for key in keys:
                self._counts.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


_local = LocalCounters()


def fallback_limit(limit: int) -> int:
    """The limit while counting in one process's memory: half, and never below one."""
    return max(1, limit // 2)


class Counter:
    """A fixed-window counter of events under one key, with a limit; in Redis, or in this process's
    memory while Redis cannot be reached (see the module)."""

    def __init__(self, client: redis.Redis, window: int = WINDOW_SECONDS) -> None:
        self.client = client
        self.window = window

    @staticmethod
    def _warn(error: Exception) -> None:
        log.warning("throttle: Redis unreachable (%s); counting in this process with halved limits",
                    type(error).__name__)

    def add(self, *keys: str) -> None:
        try:
            pipe = self.client.pipeline(transaction=True)
            for key in keys:
                # The window starts with the first event; INCR keeps the key's expiry.
                pipe.set(key, 0, ex=self.window, nx=True)
                pipe.incr(key)
            pipe.execute()
        except (redis.RedisError, OSError) as error:
            self._warn(error)
            _local.add(keys, self.window)

    def blocked(self, limits: dict[str, int]) -> Blocked | None:
        """`Blocked` if any key has reached its limit, else None."""
        keys = list(limits)
        try:
            pipe = self.client.pipeline(transaction=False)
            for key in keys:
                pipe.get(key)
                pipe.ttl(key)
            replies = pipe.execute()
            pairs = list(zip(replies[0::2], replies[1::2], strict=True))
        except (redis.RedisError, OSError) as error:
            self._warn(error)
            pairs = _local.replies(keys)
            limits = {key: fallback_limit(limit) for key, limit in limits.items()}
        waits = [
            max(int(ttl), 1)
            for key, (count, ttl) in zip(keys, pairs, strict=True)
            if count is not None and int(count) >= limits[key]
        ]
        return Blocked(retry_after=max(waits)) if waits else None

    def clear(self, *keys: str) -> None:
        try:
            self.client.delete(*keys)
        except (redis.RedisError, OSError) as error:
            self._warn(error)
        _local.clear(keys)  # both: a count made during an outage must not outlive a right password either


@dataclass(frozen=True)
class SignInCheck:
    account: Blocked | None  # the account is under attack: refuse before looking at the password
    address: Blocked | None  # this client failed too often: refuse anything but a right answer


class SignInThrottle:
    """Five failures for one account, or thirty from one address, in 15 minutes: see the module."""

    def __init__(self, client: redis.Redis) -> None:
        self.counter = Counter(client)

    def check(self, account: str, address: str) -> SignInCheck:
        return SignInCheck(account=self.counter.blocked({account: ACCOUNT_LIMIT}),
                           address=self.counter.blocked({address: ADDRESS_LIMIT}))

    def record_failure(self, account: str, address: str) -> None:
        self.counter.add(account, address)

    def record_success(self, account: str) -> None:
        # Only the account's counter: a shared address (a kiosk, an office) keeps its count.
        self.counter.clear(account)


RESET_REQUEST_LIMIT = 3
RESET_REQUEST_WINDOW = 60 * 60
REGISTRATION_WINDOW = 60 * 60
REGISTRATION_CODES_PER_CONTACT = 3
REGISTRATIONS_PER_ADDRESS = 30


class RegistrationThrottle:
    """Each registration sends a message to somebody's phone or inbox. At most three codes an hour go to
    one contact (nobody can flood a person with codes, or guess more than 15 codes an hour for it),
    and one client address starts at most thirty registrations an hour (enough for a Community Tech
    Center helping people one after another, not for a script)."""

    def __init__(self, client: redis.Redis) -> None:
        self.counter = Counter(client, window=REGISTRATION_WINDOW)

    def allow(self, address: str, normalised_contact: str) -> Blocked | None:
        """None, and the registration is counted; or `Blocked` when either limit is reached."""
        limits = {_digest("register-address", address): REGISTRATIONS_PER_ADDRESS,
                  _digest("register-contact", normalised_contact): REGISTRATION_CODES_PER_CONTACT}
        blocked = self.counter.blocked(limits)
        if blocked is None:
            self.counter.add(*limits)
        return blocked

    def allow_new_code(self, normalised_contact: str) -> Blocked | None:
        key = _digest("register-contact", normalised_contact)
        blocked = self.counter.blocked({key: REGISTRATION_CODES_PER_CONTACT})
        if blocked is None:
            self.counter.add(key)
        return blocked


class ResetRequestThrottle:
    """At most three reset links an hour to one account, so nobody can flood a person's phone."""

    def __init__(self, client: redis.Redis) -> None:
        self.counter = Counter(client, window=RESET_REQUEST_WINDOW)

    def allow(self, normalised_contact: str) -> bool:
        key = _digest("reset", normalised_contact)
        if self.counter.blocked({key: RESET_REQUEST_LIMIT}):
            return False
        self.counter.add(key)
        return True


TRACK_WINDOW = 15 * 60
TRACK_WRONG_PER_ADDRESS = 10


class TrackingThrottle:
    """The public /track page (a kiosk guest's reference and tracking secret): at most ten wrong tries per
    client address in 15 minutes, then nothing is checked until the window ends. A 60-bit secret is not
    guessed at that pace; the limit keeps scripts off the references."""

    def __init__(self, client: redis.Redis) -> None:
        self.counter = Counter(client, window=TRACK_WINDOW)

    def blocked(self, address: str) -> Blocked | None:
        return self.counter.blocked({_digest("track-address", address): TRACK_WRONG_PER_ADDRESS})

    def record_failure(self, address: str) -> None:
        self.counter.add(_digest("track-address", address))
REPRINT_WINDOW = 60 * 60
REPRINT_CODES_PER_REFERENCE = 3


class ReprintThrottle:
    """At most three receipt-reprint codes an hour for one reference (issue 14), known or not, so that a
    centre cannot flood an applicant's phone, nor tell a known reference by being refused differently."""

    def __init__(self, client: redis.Redis) -> None:
        self.counter = Counter(client, window=REPRINT_WINDOW)

    def allow(self, reference: str) -> Blocked | None:
        key = _digest("reprint", reference)
        blocked = self.counter.blocked({key: REPRINT_CODES_PER_REFERENCE})
        if blocked is None:
            self.counter.add(key)
        return blocked
