"""Reading what the portal sent: the development mail and SMS drivers write files under the instance folder."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

from tests.journey import run_jobs

__all__ = ["emails_to", "link_in", "plain_text", "run_jobs", "six_digit_codes", "texts_to"]


def emails_to(instance: Path, address: str) -> list[email.message.EmailMessage]:
    messages = [email.message_from_bytes(path.read_bytes(), policy=policy.default)
                for path in sorted((instance / "mail").glob("*.eml"))]
    return [m for m in messages if m["To"] == address]


def texts_to(instance: Path, number: str) -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted((instance / "sms").glob("*.txt"))]
    return [t for t in texts if t.startswith(f"To: {number}\n")]


def plain_text(message: email.message.EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def six_digit_codes(text: str) -> list[str]:
    """The 6-digit codes in a message, written `123 456` or `123456`, as six digits."""
    return [match.replace(" ", "") for match in re.findall(r"\b\d{3} ?\d{3}\b", text)]


def link_in(message: email.message.EmailMessage, path_prefix: str) -> str:
    """The portal link whose path starts with `path_prefix`, fragment included, in the plain-text body;
    the HTML body has the same."""
    pattern = re.compile(r"http://portal\.test" + re.escape(path_prefix) + r"[A-Za-z0-9_.\-#]+")
    found = pattern.search(plain_text(message))
    assert found, plain_text(message)
    assert found.group(0) in message.get_body(("html",)).get_content()
    return found.group(0)
