"""A copy of the fixture service whose expressions of each use (forms, fees, documents, guards, outputs)
name every name `portal.domain.expression_contexts` says that use sees: for the loader's tests and for
the test that the portal gives each use those names when it evaluates them."""

from __future__ import annotations

import yaml

from portal.domain.expression_contexts import DOCUMENTS, FEES, FORMS, GUARDS, OUTPUTS, names_seen

SLUG = "market-stall-permit"

# Where the fixture service writes an expression of each use, and the expression already there (kept, so
# that the service works as before).
PLACES = {
    FORMS.id: (("steps", 2, "fields", 0, "show_when"), None),
    FEES.id: (("fees", 0, "when"), None),
    DOCUMENTS.id: (("documents", 1, "required_when"), "equity_card == 'yes'"),
    GUARDS.id: (("workflow", "transitions", 0, "guards"), None),
    OUTPUTS.id: (("outputs", "permit", "data", "seen"), None),
}
WHERE = {
    FORMS.id: "steps[2].fields[0].show_when", FEES.id: "fees[0].when", DOCUMENTS.id: "documents[1].required_when",
    GUARDS.id: "workflow.transitions[0].guards[0]", OUTPUTS.id: "outputs.permit.data.seen",
}


def naming_every_name(use, extra: str | None = None) -> str:
    """An expression of `use` that names every name it sees (and `extra`), true whatever their values."""
    names = sorted(names_seen(use)) + ([extra] if extra else [])
    return " and ".join([f"'{use.id}' == '{use.id}'", *(f"({n} == {n} or true)" for n in names)])


def rewrite(root, changes) -> None:
    """Write each `(use, expression)` of `changes` at that use's place in the copy of the service under `root`."""
    path = root / SLUG / "service.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for use, expression in changes:
        keys, kept = PLACES[use.id]
        parent = data
        for key in keys[:-1]:
            parent = parent[key]
        value = f"({expression}) and {kept}" if kept else expression
        parent[keys[-1]] = [value] if use is GUARDS else value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
