"""Virus scanning hook. With `CLAMAV_COMMAND` set (e.g. `clamdscan --no-summary --stream -` or
`clamscan --no-summary -`), every upload is piped to it: exit 0 clean, 1 infected, anything else
(or a timeout) means the file could not be checked, and it is refused: fail closed."""

from __future__ import annotations

import logging
import shlex
import subprocess

from portal.domain.documents.uploads import UploadRefused

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 60


def scan(data: bytes, command: str | None) -> None:
    if not command:
        return
    try:
        result = subprocess.run(  # noqa: S603 - an operator-configured scanner, no shell
            shlex.split(command), input=data, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.error("virus scanner could not run: %s", type(error).__name__)
        raise UploadRefused("scan_failed") from None
    if result.returncode == 1:
        log.warning("virus scanner refused an upload")
        raise UploadRefused("infected")
    if result.returncode != 0:
        log.error("virus scanner failed with exit code %s", result.returncode)
        raise UploadRefused("scan_failed")
