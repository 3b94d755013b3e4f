"""The worker forks a work horse per job while its own threads (the outbox relay and reconciler) use the
database: the two take turns.

SQLite keeps the state of its file locks in the memory of the process. A horse forked while the relay
thread was inside a write transaction gets a copy that says a connection of its own process holds the
write lock, and nothing in the horse ever releases it: every BEGIN IMMEDIATE of its job waits the full
15 s and fails with "database is locked" (seen under `make run`: the escalation job at start-up, when the
relay was busy with the demo data's messages; reproduced with plain sqlite3, a thread and os.fork).
Holding this lock around the relay's transactions and around the fork rules that out. PostgreSQL does
not need it and loses nothing by it: a fork waits at most for one relay pass.
"""

from __future__ import annotations

import threading

DATABASE_WORK = threading.Lock()
