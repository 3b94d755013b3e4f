"""A custom import-linter contract: some names must not be imported into some modules.

import-linter's own contracts see modules, and `request` is not a module of flask (it is a name in
`flask.globals`, re-exported by `flask`): `from flask import current_app` and `from flask import
request` are the same import to it. This contract reads the source of each module with `ast` and
refuses `from flask import request` (parenthesised imports included) and `flask.request` used after
`import flask`. Configured in pyproject.toml (`[tool.importlinter]`), run by `make lint`.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck
from importlinter.domain.helpers import module_expressions_to_modules


@dataclass(frozen=True)
class Found:
    module: str
    line: int
    name: str


class ForbiddenNamesContract(Contract):
    """Options: `source_modules` (module expressions, descendants included) and `forbidden_names`
    (`module:name`, e.g. `flask:request`)."""

    type_name = "forbidden_names"

    source_modules = fields.ListField(subfield=fields.ModuleExpressionField())
    forbidden_names = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        forbidden: dict[str, set[str]] = {}
        for entry in self.forbidden_names:  # type: ignore[attr-defined]
            module, _, name = entry.partition(":")
            forbidden.setdefault(module, set()).add(name)
        sources = set()
        for module in module_expressions_to_modules(graph, self.source_modules):  # type: ignore[attr-defined]
            sources.add(module.name)
            sources.update(graph.find_descendants(module.name))
        found = [hit for name in sorted(sources) for hit in _forbidden_in(name, forbidden)]
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for hit in check.metadata["found"]:
            output.print_error(f"{hit.module} (l.{hit.line}) imports {hit.name}", bold=False)
            output.new_line()


def _forbidden_in(module: str, forbidden: dict[str, set[str]]) -> list[Found]:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return []
    with open(spec.origin, encoding="utf-8") as source:
        tree = ast.parse(source.read(), spec.origin)
    found, aliases = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in forbidden and node.level == 0:
            found += [Found(module, node.lineno, f"{node.module}.{alias.name}")
                      for alias in node.names if alias.name in forbidden[node.module]]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in forbidden:
                    aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        used = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
        if used and node.attr in forbidden[aliases[node.value.id]]:
            found.append(Found(module, node.lineno, f"{aliases[node.value.id]}.{node.attr}"))
    return found
