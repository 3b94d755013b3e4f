"""The Jinja loader of document templates kept with pinned versions (catalogue/snapshots.py): an
application is issued with the template text of the version it started on, whatever the file in
`services/<slug>/` says now, or if it is gone."""

from __future__ import annotations

from jinja2 import BaseLoader, TemplateNotFound

from portal.data import applications as application_data
from portal.domain.catalogue import snapshots


class KeptTemplates(BaseLoader):
    """Loads `@pinned/<slug>/<content hash>/<file>` from the database; every other name is not its own."""

    def get_source(self, environment, template):
        parsed = snapshots.parse_template_name(template)
        text = application_data.kept_template(*parsed) if parsed else None
        if text is None:
            raise TemplateNotFound(template)
        # A kept text never changes (its name holds the content hash): Jinja's cached copy stays good.
        return text, None, lambda: True
