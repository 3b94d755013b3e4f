"""Running the portal on another `services/` folder in a test: the YAML-only fixture, or a copy
of it that the test may edit."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import yaml

from portal.data import agencies as agency_data
from portal.data.db import db
from portal.domain.catalogue import forget_loaded, get_catalogue
from portal.paths import PROJECT_ROOT

FIXTURE_ROOT = PROJECT_ROOT / "tests" / "fixtures" / "services"


@contextmanager
def services_root(app, root: Path, sync_agencies: bool = False):
    """The app reads its services from `root` until the block ends."""
    saved = app.config["SERVICES_PATH"]
    app.config["SERVICES_PATH"] = root
    forget_loaded(app)
    try:
        if sync_agencies:
            agency_data.sync(get_catalogue().all_agencies())
            db.session.commit()
        yield root
    finally:
        app.config["SERVICES_PATH"] = saved
        forget_loaded(app)


def copy_of_fixture(tmp_path: Path) -> Path:
    root = tmp_path / "services"
    shutil.copytree(FIXTURE_ROOT, root)
    return root


def edit_yaml(path: Path, change) -> None:
    """Change a YAML file (a definition, samples, the agencies) with `change(data)`, keeping its keys' order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit_definition(root: Path, slug: str, change) -> None:
    """Change `root/<slug>/service.yaml` with `change(data)`."""
    edit_yaml(root / slug / "service.yaml", change)


def edit_service(app, root: Path, slug: str, change) -> None:
    """Change `root/<slug>/service.yaml` with `change(data)` and make the app read it again."""
    edit_definition(root, slug, change)
    forget_loaded(app)
