"""Email: over SMTP when MAIL_SERVER is set, otherwise written as `.eml` files (development)."""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from flask import current_app

from portal.domain.notify import NotConfigured, settings

log = logging.getLogger(__name__)
SMTP_TIMEOUT = 30


def build_message(to: str, subject: str, text: str, html: str | None = None,
                  language: str | None = None) -> EmailMessage:
    config = settings()
    message = EmailMessage()
    message["From"] = config.mail_sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    sender_domain = parseaddr(config.mail_sender)[1].rpartition("@")[2]
    message["Message-ID"] = make_msgid(domain=sender_domain or None)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    if language:
        # After the content: setting content clears every Content-* header.
        message["Content-Language"] = language
    return message


def send_templated_email(to: str, subject: str, template: str, context: dict, language: str | None = None) -> None:
    """Send `templates/email/<template>.txt` and `.html`, rendered with `context` in the current locale."""
    environment = current_app.jinja_env
    send_email(to, subject, environment.get_template(f"email/{template}.txt").render(**context),
               environment.get_template(f"email/{template}.html").render(**context), language=language)


def send_email(to: str, subject: str, text: str, html: str | None = None, language: str | None = None) -> None:
    """Send one message. SMTP errors propagate, so the job that called us is retried."""
    config = settings()
    message = build_message(to, subject, text, html, language)
    if config.mail_server:
        _send_over_smtp(config, message)
    elif config.production:
        raise NotConfigured("MAIL_SERVER is not set; production does not write emails to disk")
    else:
        _write_file(Path(config.instance_path) / "mail", message)


def _send_over_smtp(config, message: EmailMessage) -> None:
    with smtplib.SMTP(config.mail_server, config.mail_port, timeout=SMTP_TIMEOUT) as smtp:
        if config.mail_use_tls:
            smtp.starttls(context=ssl.create_default_context())
        if config.mail_username:
            smtp.login(config.mail_username, config.mail_password or "")
        smtp.send_message(message)


def _write_file(directory: Path, message: EmailMessage) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}.eml"
    (directory / name).write_bytes(message.as_bytes())
    log.info("development mail driver wrote %s", name)
