"""Keeping personal data only as long as the law says (issue 18, docs/retention.md).

Each service's definition says how long its applications (`retention.applications_years`) and their
documents (`retention.documents_years`) are kept after they close, and whether the application is then
removed or reduced to a record (`retention.keep_record`: reference, service, dates, outcome). Retention runs
as a daily job and as `flask retention run`:

- `planning` works out what is due on a day, per application, oldest first: the dry run prints it and the
  real run carries out exactly that plan, so the two agree;
- `removal` carries out one application's part in its own transaction, under the row's lock, deciding again
  on what the database holds by then, with an audit entry per removal;
- `holds`: a legal hold stops all of it for one application until lifted;
- `runs`: the job and the command, and the report the administrators' page shows.

A document goes only when no kept record uses it (another application, a payment's receipt, a kiosk
session's consent), and a stored file only when no document points at it any more: files are addressed by
their content, so one file may be two people's documents.
"""
