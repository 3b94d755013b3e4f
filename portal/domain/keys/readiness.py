"""Production keeps its keys outside the database (document signing, the audit log's MAC, sealed
secrets). A process that would need one and finds none refuses to start, with one line naming the
setting and the command that makes the key, rather than answering 500s and 503s later."""

from __future__ import annotations

from portal.config import Settings


def missing_keys(settings: Settings) -> list[str]:
    """What production lacks, one line each; empty when every key ring has an active key."""
    rings = [
        ("SIGNING_KEYS_PATH", settings.signing_keys_path, "flask keys generate"),
        ("AUDIT_KEYS_PATH", settings.audit_keys_path, "flask audit keys generate"),
        ("DATA_KEYS_PATH", settings.data_keys_path or settings.instance_path / "keys" / "data",
         "flask data-keys generate"),
    ]
    return [f"{name}: no active key in {path}; run `{command}` once before the first start"
            for name, path, command in rings if not (path / "active").is_file()]
