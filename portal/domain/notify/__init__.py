"""Sending messages to people: email (`email.py`) and SMS (`sms.py`).

Both have a development driver that writes each message to a file under `instance/`, so a
developer can read what would have been sent; the log names only the file, never the
recipient or what the message says (a reset link is as good as a password).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


class NotConfigured(Exception):
    """Production has no real way to send this kind of message; we refuse to write it to disk."""


def settings():
    return current_app.config["PORTAL_SETTINGS"]


def external_url(endpoint: str, **values) -> str:
    """An absolute link to the portal for a message, built from settings.base_url (no request needed)."""
    base = urlsplit(settings().base_url)
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
