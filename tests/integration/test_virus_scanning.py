"""The ClamAV hook runs a real scanner command; here a small script that answers like clamscan."""

from __future__ import annotations

import pytest

from portal.domain.documents.scanning import scan
from portal.domain.documents.uploads import UploadRefused

EICAR_MARKER = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"


@pytest.fixture
def scanner(tmp_path):
    # Exit 1 when the test signature is in stdin (infected), 0 otherwise; like `clamscan -`.
    script = tmp_path / "fake-clamscan"
    script.write_text(f"#!/bin/sh\ngrep -q '{EICAR_MARKER.decode()}' && exit 1\nexit 0\n")
    script.chmod(0o755)
    return str(script)


def test_a_clean_file_passes(scanner):
    scan(b"%PDF-1.4 clean", scanner)


def test_an_infected_file_is_refused(scanner):
    with pytest.raises(UploadRefused, match="infected"):
        scan(b"%PDF-1.4 " + EICAR_MARKER, scanner)


def test_a_scanner_that_cannot_run_refuses_the_file(tmp_path):
    with pytest.raises(UploadRefused, match="scan_failed"):
        scan(b"%PDF-1.4", str(tmp_path / "no-such-scanner"))


def test_no_scanner_configured_means_no_scan():
    scan(b"anything", None)
