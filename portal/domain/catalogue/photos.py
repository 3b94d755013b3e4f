"""An uploaded photo placed on an issued document:

    documents:
      - {id: photo, label: {km: រូបថត, en: Photo}, accept: [jpeg, png], max_mb: 5, required: true}
    outputs:
      card:
        photo: photo          # the id of a `documents:` entry that accepts only images

When the document is asked for, the request keeps which stored file was attached for it; the worker re-encodes
it (rendering.photos) and gives the template `photo`, a `data:` URI that the layout places beside the facts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

IMAGES = frozenset({"jpeg", "png"})
# Where the attached file travels in a document request's context (never a template's own data name).
CONTEXT_KEY = "_photo"


def check(outputs: dict, documents, fail: Callable[[str, str], Exception]) -> None:
    """Each output's `photo` names one of the service's `documents:` entries accepting only JPEG or PNG."""
    by_id = {requirement.id: requirement for requirement in documents}
    for output in outputs.values():
        value, where = output.photo, f"outputs.{output.id}.photo"
        if value is None:
            continue
        if not isinstance(value, str) or value not in by_id:
            raise fail(where, f"{value!r} is not one of this service's documents ({', '.join(by_id) or 'none'})")
        if not set(by_id[value].accept) <= IMAGES:
            raise fail(where, f"the document {value!r} may be a PDF: a photo's entry needs accept: [jpeg, png]")


def attached(output, application) -> dict[str, Any]:
    """What a document request's context carries for `output`'s photo: {} without one, else the stored file
    attached last for it (None when none is: the worker refuses the request)."""
    requirement = getattr(output, "photo", None)
    if requirement is None:
        return {}
    files = [a for a in application.attachments if a.requirement_id == requirement]
    latest = max(files, key=lambda a: (a.attached_at, a.id)) if files else None
    return {CONTEXT_KEY: {"requirement": requirement, "document_id": latest.document_id if latest else None}}
