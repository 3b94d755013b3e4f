"""Reading what the portal sent: run the queued jobs as a worker would, then read the `.eml` files the
development mail driver wrote under the instance directory."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

from portal.jobs.outbox import relay_pending
from portal.jobs.worker import make_simple_worker


def run_jobs(app) -> None:
    relay_pending()  # what the worker's relay does: committed outbox rows go to their queue
    make_simple_worker(app).work(burst=True)


def emails_to(instance: Path, address: str) -> list[email.message.EmailMessage]:
    messages = [email.message_from_bytes(path.read_bytes(), policy=policy.default)
                for path in sorted((instance / "mail").glob("*.eml"))]
    return [m for m in messages if m["To"] == address]


def link_in(message: email.message.EmailMessage, path_prefix: str) -> str:
    """The portal link starting with `path_prefix` in the plain-text body, as a path; the HTML body has the same."""
    pattern = re.compile(r"http://portal\.test(" + re.escape(path_prefix) + r"[A-Za-z0-9_.\-]+)")
    found = pattern.search(message.get_body(("plain",)).get_content())
    assert found, message.get_body(("plain",)).get_content()
    assert found.group(0) in message.get_body(("html",)).get_content()
    return found.group(1)
