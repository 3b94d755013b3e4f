"""`flask audit ...`: check the audit log, manage its MAC keys, publish its head now."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.cli.checks import require_database
from portal.domain import audit
from portal.domain.audit import head as audit_head
from portal.domain.audit.keys import get_audit_keyring

group = AppGroup("audit", help="The append-only audit log: hash chain, keyed MACs, published head.")
keys_group = AppGroup("keys", help="The secret keys of the audit log's MACs (AUDIT_KEYS_PATH).")
group.add_command(keys_group)


def _anchors(values: tuple[str, ...]) -> tuple[audit.Anchor, ...]:
    try:
        return tuple(audit.Anchor.parse(value) for value in values)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--anchor") from None


@group.command("verify")
@click.option("--anchor", "anchors", multiple=True, metavar="SEQ:HASH",
              help="An entry's position and hash printed by an earlier run and kept outside the database; "
                   "the log must still contain it. Catches the end of the log cut off or rewritten.")
def verify(anchors: tuple[str, ...]) -> None:
    """Check the chain, the MACs, the published head, the append-only triggers and any anchors; exit 1
    naming the first entry that was changed, removed, inserted, moved or cut off."""
    require_database()
    verdict = audit.verify(_anchors(anchors))
    for line in _checked(verdict):
        click.echo(line)
    if verdict.problem:
        problem = verdict.problem
        if not problem.seq:
            raise click.ClickException(f"audit log not verified: {problem.reason}")
        row = f" (row id {problem.entry_id})" if problem.entry_id else ""
        raise click.ClickException(f"audit log broken at entry #{problem.seq}{row}: {problem.reason}")
    click.echo(f"audit log intact: {verdict.entries} entries")
    if verdict.head:
        click.echo(f"head: {verdict.head}  (as --anchor later, kept outside the database, it also catches a "
                   "rewrite by whoever holds the audit key)")


def _checked(verdict: audit.Verdict) -> list[str]:
    """What the run checked, one protection a line: what an auditor reads before trusting 'intact'."""
    stopped = f", stopped at entry #{verdict.problem.seq}" if verdict.problem and verdict.problem.seq else ""
    lines = [f"chain:     hashes and links of {verdict.entries} entries{stopped}"]
    keys = ", ".join(f"{key_id} ({count})" for key_id, count in sorted(verdict.macs.items()))
    lines.append(f"MACs:      {sum(verdict.macs.values())} entries checked" + (f" with keys {keys}" if keys else ""))
    if verdict.without_mac:
        after = "covered by the MAC of the entry after them" if verdict.macs else "no MACed entry after them yet"
        lines.append(f"           {verdict.without_mac} entries written before MACs existed "
                     f"(#1-#{verdict.without_mac}): hash chain only; {after}")
    for place in audit_head.places():
        published = verdict.published.get(place)
        found = f"entry #{published.seq} published {published.at}" if published else "nothing published yet"
        lines.append(f"published: {place}: {found}" + (", held unchanged" if published and verdict.intact else ""))
    guard = verdict.guard
    triggers = f"{', '.join(guard.present) or 'none'} present" + (
        f"; MISSING or disabled: {', '.join(guard.missing)}" if guard.missing else "")
    lines.append(f"triggers:  {guard.database}: {triggers}")
    if guard.role_can_disable:
        lines.append(f"           warning: the database role {guard.role} owns audit_entries or is a superuser, so it "
                     "can disable them (docs/deploy.md)")
    elif guard.database == "postgresql":
        lines.append(f"           the database role {guard.role} " + (
            "may UPDATE, DELETE or TRUNCATE audit_entries: only the triggers stop it (docs/deploy.md)"
            if guard.role_may_write else "has no UPDATE, DELETE or TRUNCATE on audit_entries"))
    lines.extend(f"anchor:    {anchor.seq}:{anchor.hash[:16]}...{', held unchanged' if verdict.intact else ''}"
                 for anchor in verdict.anchors)
    return lines


@group.command("publish-head")
def publish_head() -> None:
    """Publish the head now (the workers do it every AUDIT_HEAD_INTERVAL seconds)."""
    require_database()
    head = audit_head.publish()
    click.echo(f"published entry #{head.seq} to {', '.join(audit_head.places())}" if head else "the log is empty")


@keys_group.command("generate")
@click.option("--id", "key_id", help="1-8 lower-case letters and digits (default: a<yymm>).")
def generate(key_id: str | None) -> None:
    """Make a new MAC key and use it for new entries (after a restart); old keys keep verifying."""
    try:
        made = get_audit_keyring().generate(key_id)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Key {made} is now the active audit key. Restart web processes and workers to use it; "
               "keep every older key: the entries MACed with it are checked with it.")


@keys_group.command("list")
def list_keys() -> None:
    """List the audit keys by id (never their contents)."""
    ring = get_audit_keyring()
    active = ring.active_id()
    for key_id in ring.key_ids():
        click.echo(f"{key_id:10} {'active' if key_id == active else 'verify only'}")
