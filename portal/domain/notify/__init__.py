"""Sending messages to people: email (`email.py`) and SMS (`sms.py`).

Both have a development driver that writes each message to a file under `instance/`, so a
developer can read what would have been sent; the log names only the file, never the
recipient or what the message says (a reset link is as good as a password).
"""

from __future__ import annotations

from flask import current_app

from portal.domain.links import external_url

__all__ = ["NotConfigured", "external_url", "settings"]


class NotConfigured(Exception):
    """Production has no real way to send this kind of message; we refuse to write it to disk."""


def settings():
    return current_app.config["PORTAL_SETTINGS"]
