"""Median time of one `audit.record()` (lock the chain, read the head, hash, MAC, insert) in its own
transaction, as a request pays it, and the same with the MAC step left out, with their ratio, and the
MAC step alone. The commit is not timed. SQLite by default; with DATABASE_URL, a database of its own on
that PostgreSQL server (bench/_portal.py). On main (no MAC) both runs are the same code: that is the "before" figure.

Usage: .venv/bin/python bench/audit_record.py [entries per run]"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack, nullcontext
from unittest import mock

from _portal import median_ms, portal_app, timed
from _rows import row

N = int(sys.argv[1]) if len(sys.argv) > 1 else 500


def main() -> None:
    from portal.domain import audit
    from portal.extensions import db

    def run(patch) -> list[float]:
        samples = []
        with patch:
            for n in range(N):
                start = time.perf_counter()
                audit.record("bench_entry", actor_role="anonymous", subject_type="application",
                             subject_id=f"{n:032x}", details={"action": "submit", "from": "draft", "to": "submitted"})
                samples.append(time.perf_counter() - start)
                db.session.commit()
        return samples[N // 10:]  # the first calls warm caches (key ring, statements)

    # Without the MAC (no key read, no HMAC, NULL columns): record() as it was before the keyed MAC.
    # The log then starts with entries without a MAC, as one written before migration 0011 does.
    has_mac = hasattr(audit, "keys")
    without_mac = ExitStack()
    if has_mac:
        without_mac.enter_context(mock.patch.object(audit.keys, "active_key", lambda: (None, None)))
        without_mac.enter_context(mock.patch.object(audit, "entry_mac", lambda *args: None))
    with portal_app():
        print(f"{db.engine.dialect.name}, {N} entries per run")
        results = {}
        for label, patch in (("hash chain only", without_mac), ("with MAC", nullcontext())):
            results[label] = median_ms(run(patch))
            print(f"record(), {label:16} median {results[label] * 1000:8.1f} µs")
        if has_mac:
            print(f"ratio with MAC / hash chain only: {results['with MAC'] / results['hash chain only']:.2f}")
            row("audit record µs with MAC vs hash chain only", results["with MAC"] * 1000,
                results["hash chain only"] * 1000, results["with MAC"] / results["hash chain only"])
            # The step alone, free of the database's noise: the cached key and one HMAC.
            step = timed(lambda: audit.entry_mac(audit.keys.active_key()[1], "a2612", 1042, "ab" * 32, "cd" * 32),
                         20_000)
            print(f"the MAC step alone (key lookup + HMAC-SHA256): median {median_ms(step) * 1000:.1f} µs")
        verdict = audit.verify()
        print(f"verify: {'intact' if verdict.intact else verdict.problem}, {verdict.entries} entries")


if __name__ == "__main__":
    main()
