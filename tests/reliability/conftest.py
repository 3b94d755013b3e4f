"""The stack the load and fault scenarios share (tests/reliability/stack.py), started once per run: starting
PostgreSQL, Redis, gunicorn and two workers and teaching the applicants a service takes half a minute."""

from __future__ import annotations

import pytest

from tests.reliability.stack import Stack, new_folder, require


@pytest.fixture(scope="session")
def stack():
    require()
    started = Stack(new_folder())
    try:
        yield started.start()
    finally:
        left = started.stop()
        if left:
            print(f"\nRELIABILITY teardown: processes still running after their groups were stopped, killed: {left}")
