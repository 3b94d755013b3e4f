"""How many invitations may be sent, counted in Redis (`portal.domain.identity.throttle.Counter`).

An invitation costs nothing to send and reaches a stranger's phone, so: at most 20 a day from one
account and 50 from one client address (an office or a kiosk shares one), and one contact is told by
email or SMS of at most 3 invitations a day, however many accounts invite it. Keys hold SHA-256 digests,
never the account, address or contact itself. Redis unreachable: the counters fall back to this process's
memory with halved limits, as the sign-in throttle's do (`portal.domain.identity.throttle`).
"""

from __future__ import annotations

import hashlib

import redis

from portal.domain.identity.throttle import Blocked, Counter

DAY = 24 * 60 * 60
ACCOUNT_LIMIT = 20
ADDRESS_LIMIT = 50
NOTICES_PER_CONTACT = 3


def _key(kind: str, value: str) -> str:
    return f"throttle:invitations:{kind}:" + hashlib.sha256(value.encode()).hexdigest()


class InvitationThrottle:
    def __init__(self, client: redis.Redis) -> None:
        self.counter = Counter(client, window=DAY)

    def _keys(self, account: str, address: str | None) -> dict[str, int]:
        return {_key("account", account): ACCOUNT_LIMIT, _key("address", address or "unknown"): ADDRESS_LIMIT}

    def check(self, account: str, address: str | None) -> Blocked | None:
        """`account` is the inviting person's public id; `address` the client address."""
        return self.counter.blocked(self._keys(account, address))

    def record(self, account: str, address: str | None) -> None:
        self.counter.add(*self._keys(account, address))

    def allow_notice(self, contact: str) -> bool:
        """Whether the account with this normalised contact may be told of one more invitation today
        (and count it). Past the limit the invitation is still made and waits in their account."""
        key = _key("notice", contact)
        if self.counter.blocked({key: NOTICES_PER_CONTACT}):
            return False
        self.counter.add(key)
        return True
