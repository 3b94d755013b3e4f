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

When Redis cannot be reached we cannot tell whether an account is under attack, so the
check fails closed: `ThrottleUnavailable`, which the web layer shows as "try again later".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import redis

WINDOW_SECONDS = 15 * 60
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 30


class ThrottleUnavailable(Exception):
    """Redis could not be reached to count or check attempts."""


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


class Counter:
    """A fixed-window counter of events under one key, with a limit."""

    def __init__(self, client: redis.Redis, window: int = WINDOW_SECONDS) -> None:
        self.client = client
        self.window = window

    def add(self, *keys: str) -> None:
        try:
            pipe = self.client.pipeline(transaction=True)
            for key in keys:
                # The window starts with the first event; INCR keeps the key's expiry.
                pipe.set(key, 0, ex=self.window, nx=True)
                pipe.incr(key)
            pipe.execute()
        except (redis.RedisError, OSError) as error:
            raise ThrottleUnavailable from error

    def blocked(self, limits: dict[str, int]) -> Blocked | None:
        """`Blocked` if any key has reached its limit, else None."""
        keys = list(limits)
        try:
            pipe = self.client.pipeline(transaction=False)
            for key in keys:
                pipe.get(key)
                pipe.ttl(key)
            replies = pipe.execute()
        except (redis.RedisError, OSError) as error:
            raise ThrottleUnavailable from error
        waits = [
            max(int(ttl), 1)
            for key, count, ttl in zip(keys, replies[0::2], replies[1::2], strict=True)
            if count is not None and int(count) >= limits[key]
        ]
        return Blocked(retry_after=max(waits)) if waits else None

    def clear(self, *keys: str) -> None:
        try:
            self.client.delete(*keys)
        except (redis.RedisError, OSError) as error:
            raise ThrottleUnavailable from error


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
