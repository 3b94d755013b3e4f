"""Payments: what is owed, how it is paid, and the ledger that says what is settled."""
