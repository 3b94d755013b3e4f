"""Who a service is for (`audience` in its definition), in words: on a service's page ("Apply as a foreign
resident") and in the home page's filter ("For foreign residents")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# In the order the filter offers them; every audience the loader accepts (catalogue/loader.py, AUDIENCES).
APPLY_AS = {
    "citizen": _l("a citizen"),
    "business": _l("a business"),
    "foreign_resident": _l("a foreign resident"),
}
FILTER = {
    "citizen": _l("For citizens"),
    "business": _l("For businesses"),
    "foreign_resident": _l("For foreign residents"),
}


def chosen(value: str | None) -> str | None:
    """The audience a filter link asked for, or None (every service) for anything else."""
    return value if value in FILTER else None
