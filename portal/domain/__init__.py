"""The domain layer: use cases and rules, plain Python called by routes, jobs and `flask` commands.
No module here imports `flask.request`, `session`, `current_user`, `render_template` or a blueprint
(checked by `make lint`). Data goes through `portal.data`.

- `catalogue/`: loads and checks service definitions (`services/**`)
- `workflow/`: the engine (states, guards, SLA in working days); pure Python
- `fields/`: the field kinds of definitions (forms, parsing, display, document values)
- `applications/`: starting, answering, submitting and acting on applications; notes; escalation
- `documents/`: the common e-document store and upload checks
- `rendering/`: bilingual PDFs, QR signing, issuing, revoking and superseding documents
- `notify/`: inbox, email and SMS
- `identity/`: registration, signing in, passwords, TOTP, reset and enrolment
- `staff_accounts/`: staff and administrator accounts and their agency roles
- `organisations/`: businesses, their members and invitations
- `audit/`: the append-only, MACed audit log
- `geo/`: provinces, districts, communes and villages
- `i18n/`: Khmer digits, money, dates, word breaks
- `keys/`: keys kept outside the database (data keys) and production's check for them
"""
