"""The audit log's head, published outside the database now and then.

Hashes and MACs prove that each entry belongs after the one before it; they cannot prove that no
entries were cut off the end. So a periodic job (portal.jobs.cron, every AUDIT_HEAD_INTERVAL seconds)
writes the newest entry's position, hash, MAC and key id with the time:
- as one JSON line appended to AUDIT_HEAD_FILE (default `instance/audit-head.jsonl`; an operator
  points it at storage the database's administrators cannot write, or ships it elsewhere),
- pushed onto the Redis list AUDIT_HEAD_REDIS_KEY, when set (the newest 10,000 are kept),
- and to the log (position and MAC only).
A head that has not moved since it was last published is not written again. `flask audit verify` reads
the newest head from the file and from Redis and fails if the database's chain ends before it or
differs from it there.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import redis
from flask import current_app

from portal.data import audit as audit_data
from portal.data.db import utcnow
from portal.extensions import redis_connection
from portal.jobs import names
from portal.jobs.queues import DEFAULT
from portal.jobs.registry import job

log = logging.getLogger(__name__)
# The log is one of the places the head is published: its line must get through a worker that logs
# only warnings (portal.jobs.worker).
log.setLevel(logging.INFO)

KEPT_IN_REDIS = 10_000
TAIL_BYTES = 4096  # enough for the last few lines of the file


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    mac: str | None
    mac_key_id: str | None
    at: str  # when it was published, ISO 8601 UTC

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_line(cls, text: str | bytes) -> Head | None:
        """None for anything that is not a whole, well-formed line (e.g. one cut short by a crash)."""
        try:
            data = json.loads(text)
            head = cls(int(data["seq"]), str(data["hash"]), data.get("mac"), data.get("mac_key_id"), str(data["at"]))
        except (ValueError, KeyError, TypeError):
            return None
        return head if head.seq >= 1 and len(head.hash) == 64 else None

    def same_entry(self, other: Head | None) -> bool:
        return other is not None and (other.seq, other.hash, other.mac) == (self.seq, self.hash, self.mac)


class HeadUnreadable(RuntimeError):
    """A place the head is published to is configured but cannot be read."""


def _settings():
    return current_app.config["PORTAL_SETTINGS"]


def places() -> list[str]:
    """Where heads are published, as `flask audit verify` names them."""
    settings = _settings()
    named = [f"file {settings.audit_head_file}"]
    if settings.audit_head_redis_key:
        named.append(f"Redis key {settings.audit_head_redis_key}")
    return named


def newest_published() -> dict[str, Head | None]:
    """The newest head in each place (None: nothing published there yet). Raises HeadUnreadable."""
    settings = _settings()
    found = {places()[0]: _newest_in_file(settings.audit_head_file)}
    if settings.audit_head_redis_key:
        try:
            raw = redis_connection.client.lindex(settings.audit_head_redis_key, -1)
        except (redis.RedisError, OSError) as error:
            raise HeadUnreadable(f"Redis key {settings.audit_head_redis_key}: {error}") from None
        found[places()[1]] = Head.from_line(raw) if raw is not None else None
    return found


def _newest_in_file(path: Path) -> Head | None:
    try:
        with path.open("rb") as file:
            file.seek(max(0, file.seek(0, os.SEEK_END) - TAIL_BYTES))
            lines = file.read().splitlines()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise HeadUnreadable(f"file {path}: {error.strerror}") from None
    for line in reversed(lines):
        head = Head.from_line(line)
        if head is not None:
            return head
    return None


def publish() -> Head | None:
    """Publish the head of the chain wherever configured; None when the log is empty. The job runs in a
    session of its own, so what it publishes is committed."""
    entry = audit_data.head()
    if entry is None:
        return None
    head = Head(entry.seq, entry.hash, entry.mac, entry.mac_key_id, utcnow().isoformat(timespec="seconds") + "Z")
    settings = _settings()
    if not head.same_entry(_newest_in_file(settings.audit_head_file)):
        settings.audit_head_file.parent.mkdir(parents=True, exist_ok=True)
        # One write to a file opened for appending: lines from several workers never interleave.
        descriptor = os.open(settings.audit_head_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(descriptor, (head.line() + "\n").encode())
        finally:
            os.close(descriptor)
        log.info("audit head #%d mac %s", head.seq, head.mac or f"(none; hash {head.hash})")
    key = settings.audit_head_redis_key
    if key:
        newest = redis_connection.client.lindex(key, -1)
        if not head.same_entry(Head.from_line(newest) if newest is not None else None):
            with redis_connection.client.pipeline() as pipe:
                pipe.rpush(key, head.line()).ltrim(key, -KEPT_IN_REDIS, -1).execute()
    return head


@job(DEFAULT, timeout=60, retry_intervals=(), name=names.PUBLISH_AUDIT_HEAD)
def publish_head() -> int | None:
    """The scheduled job; no retries, the next run publishes whatever this one could not."""
    head = publish()
    return head.seq if head else None
