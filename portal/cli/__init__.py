"""`flask ...` commands of the portal."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from portal.cli import (
        data_keys,
        db,
        demo,
        docstore,
        documents,
        jobs,
        keys,
        payments,
        retention,
        serve,
        services,
        users,
    )
    from portal.cli.kiosks import group as kiosks_group

    for group in (db.group, demo.group, docstore.group, documents.group, jobs.group, keys.group, payments.group,
                  services.group, users.group, data_keys.group, kiosks_group, retention.group):
        app.cli.add_command(group)
    app.cli.add_command(serve.serve)
    from portal.cli.audit import group as audit_group
    app.cli.add_command(audit_group)
