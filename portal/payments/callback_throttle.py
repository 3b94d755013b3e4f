"""How many callbacks that fail the signature one client address may send, counted in Redis
(`portal.domain.identity.throttle.Counter`, which falls back to this process's memory with halved limits
when Redis is down).

Every refused callback is written down (a `payment_callbacks` row and an audit entry) for the finance
office; an unsigned flood would otherwise fill both. Past the limit, a client's unsigned callbacks are
answered 429 and written nowhere, until its window ends. A provider signing correctly is never counted,
so a flood from elsewhere cannot stop real confirmations. Keys hold a SHA-256 of the address."""

from __future__ import annotations

import hashlib

import redis

from portal.domain.identity.throttle import Blocked, Counter

WINDOW = 15 * 60
FORGED_PER_ADDRESS = 30


def _key(address: str | None) -> str:
    return "throttle:khqr-callback:" + hashlib.sha256((address or "unknown").encode()).hexdigest()


class CallbackThrottle:
    def __init__(self, client: redis.Redis) -> None:
        self.counter = Counter(client, window=WINDOW)

    def blocked(self, address: str | None) -> Blocked | None:
        return self.counter.blocked({_key(address): FORGED_PER_ADDRESS})

    def record_forged(self, address: str | None) -> None:
        self.counter.add(_key(address))
