"""`flask documents ...`: revoking an issued document, or issuing a corrected one, as an operator.

The same domain functions as the case page's buttons (portal.domain.rendering.lifecycle), audited with the role
`operator`: for a document whose issuing agency has no supervisor on the portal, or an order from outside it.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.cli.checks import require_database
from portal.data import documents as document_data
from portal.domain.rendering import lifecycle
from portal.extensions import db

group = AppGroup("documents", help="Issued documents: revoke, or issue a corrected one.")


def _document(public_id: str):
    require_database()
    document = document_data.get_by_public_id(public_id)
    if document is None:
        raise click.ClickException(f"no document {public_id!r}")
    return document


def _apply(change) -> None:
    try:
        change()
    except lifecycle.Refused as refused:
        db.session.rollback()
        raise click.ClickException(str(refused)) from None
    db.session.commit()


@group.command("revoke")
@click.argument("document_id")
@click.option("--reason", required=True,
              help=f"Why, in words the holder will read (at most {lifecycle.MAX_REASON} characters; never public).")
@click.option("--category", type=click.Choice(lifecycle.CHOOSABLE), default="other", show_default=True,
              help="The reason as the verification page shows it publicly.")
def revoke(document_id: str, reason: str, category: str) -> None:
    """Revoke DOCUMENT_ID (its public id, as in its download link): /verify says "revoked" from now on,
    and the holder is told."""
    document = _document(document_id)
    _apply(lambda: lifecycle.revoke(document, category=category, reason=reason, actor_role=lifecycle.OPERATOR))
    click.echo(f"Document {document.public_id} is revoked; the holder has been notified.")


@group.command("supersede")
@click.argument("document_id")
def supersede(document_id: str) -> None:
    """Issue a corrected DOCUMENT_ID from its application's current data; a worker renders it, and the old
    one then counts as superseded."""
    document = _document(document_id)
    _apply(lambda: lifecycle.request_correction(document, actor_role=lifecycle.OPERATOR))
    click.echo(f"A corrected version of document {document.public_id} is queued; a worker will issue it, and "
               "the old one will then show as superseded.")
