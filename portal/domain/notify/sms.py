"""SMS: the gateway interface, its development driver, and how many parts a text costs.

Khmer cannot be written in the GSM 7-bit alphabet, so a Khmer SMS is sent as UCS-2: 70
characters fit in one part, and a longer text is split into parts of 67 (the rest of each part
holds the header that joins them). Characters outside the Basic Multilingual Plane (emoji) take
two UCS-2 units each. Latin-only text uses GSM 7-bit: 160 per single part, 153 when split.
"""

from __future__ import annotations

import logging
import math
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from portal.domain.notify import NotConfigured, settings

log = logging.getLogger(__name__)

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# GSM 03.38: the basic set (one septet each) and the extension set (escape + septet: two each).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    return all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text)


def count_parts(text: str) -> int:
    """How many SMS parts `text` is sent as."""
    if not text:
        return 1
    if is_gsm7(text):
        units, single, part = sum(2 if c in _GSM_EXTENDED else 1 for c in text), GSM_SINGLE, GSM_PART
    else:
        units, single, part = len(text.encode("utf-16-le")) // 2, UCS2_SINGLE, UCS2_PART
    return 1 if units <= single else math.ceil(units / part)


class SmsGateway(Protocol):
    def send(self, to: str, text: str) -> None:
        """Send `text` to the E.164 number `to`; raise on failure so the calling job is retried."""


class FileGateway:
    """Development driver: each message becomes a file under `instance/sms/`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, to: str, text: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}.txt"
        encoding = "GSM-7" if is_gsm7(text) else "UCS-2"
        body = f"To: {to}\nEncoding: {encoding}\nParts: {count_parts(text)}\n\n{text}\n"
        (self.directory / name).write_text(body, encoding="utf-8")
        log.info("development SMS driver wrote %s", name)


def gateway() -> SmsGateway:
    config = settings()
    if config.production:
        # No SMS provider is configured yet; writing numbers and links to the server's disk is not an option.
        raise NotConfigured("no SMS gateway is configured for production")
    return FileGateway(Path(config.instance_path) / "sms")


def send_sms(to: str, text: str) -> None:
    gateway().send(to, text)
