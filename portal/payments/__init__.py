"""Paying for services: what an application owes (the fees of its pinned definition applied to its
answers, frozen at submission and reassessed when answers change), the payments ledger (counter cash and
bank transfers now; KHQR next), and the balance the workflow guard `paid` stands for.

A domain package above `portal.domain` (it uses the applications domain; the domain never imports it) and
below the routes and commands. The rules: docs/payments.md."""
