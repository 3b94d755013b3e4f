"""The common e-document store (DESIGN.md section 6): every uploaded and issued file.

Files are content-addressed blobs (SHA-256), immutable and stored once however many documents
share them; a document row says who owns the file, what it is and where it is in its life.
"""

from flask import current_app

from portal.domain.documents.storage import LocalDirectoryStorage
from portal.domain.documents.store import DocumentStore


def get_document_store() -> DocumentStore:
    """The app's store, built once from the settings (local directory unless configured otherwise)."""
    store = current_app.extensions.get("docstore")
    if store is None:
        settings = current_app.config["PORTAL_SETTINGS"]
        store = DocumentStore(LocalDirectoryStorage(settings.docstore_path / "blobs"), settings.clamav_command)
        current_app.extensions["docstore"] = store
    return store
