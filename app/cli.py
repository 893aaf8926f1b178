"""Command-line tools: flask demo, flask policies import, flask rounds tick and scrub, flask users reset-totp,
flask mail digests."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .accounts.digests import send_due_digests
from .accounts.models import User
from .accounts.services import find_user_by_email, register_user
from .assemblies.services import add_member, create_assembly, find_assembly
from .core.catalogs import translations_cli
from .core.errors import AppError
from .demo import seed_deliberation
from .extensions import db
from .policies.library import import_library

DEMO_PASSWORD = "commons-demo-2026"
DEMO_USERS = [
    ("ada@demo.commonwright.org", "Ada Okafor", "admin"),
    ("bruno@demo.commonwright.org", "Bruno Lefèvre", "facilitator"),
    ("chloe@demo.commonwright.org", "Chloé Martín", "member"),
    ("dmitri@demo.commonwright.org", "Dmitri Nowak", "member"),
]
DEMO_ASSEMBLY = ("veldmar-commons", "Veldmar Commons Assembly")

policies_cli = AppGroup("policies", help="The policy library: import (and export) Markdown files.")
rounds_cli = AppGroup("rounds", help="Decision rounds: apply deadlines and send reminders (cron), audit results.")
users_cli = AppGroup("users", help="Accounts: help people who lost their second factor.")
mail_cli = AppGroup("mail", help="Mail: send the digests that are due now (the worker does it every hour).")


def default_library():
    return Path(current_app.root_path).parent / "policies"


def ensure_demo():
    """Create the demo users and assembly if missing; returns (assembly, admin user)."""
    users = []
    for email, name, _ in DEMO_USERS:
        users.append(find_user_by_email(email) or register_user(email, name, DEMO_PASSWORD))
    users[0].is_site_admin = True  # the demo admin sees the outbox (mail printed in development)
    assembly = find_assembly(DEMO_ASSEMBLY[0])
    if assembly is None:
        assembly = create_assembly(
            users[0], DEMO_ASSEMBLY[1], DEMO_ASSEMBLY[0],
            "A demonstration assembly of the fictional City of Veldmar, drafting its commons transition.",
        )
    for user, (_, _, role) in zip(users[1:], DEMO_USERS[1:]):
        if assembly.role_of(user) is None:
            add_member(users[0], assembly, user.email, role)
    return assembly, users[0]


@click.command("demo")
@with_appcontext
@click.option("--library", type=click.Path(exists=True, file_okay=False), default=None)
def demo_command(library):
    """Create the demo assembly and users, load the seed policies and add the demo deliberation
    (comments, amendments, a round open for voting and a closed round); idempotent."""
    assembly, admin = ensure_demo()
    outcomes = import_library(assembly, admin, library or default_library())
    db.session.commit()
    notes = seed_deliberation(assembly, [email for email, _, _ in DEMO_USERS])
    db.session.commit()
    click.echo(f"Demo assembly '{assembly.name}': {len(outcomes)} policies ({_summary(outcomes)}).")
    for note in notes:
        click.echo(f"  {note}")
    click.echo("Demo logins (password for all: %s):" % DEMO_PASSWORD)
    for email, name, role in DEMO_USERS:
        click.echo(f"  {email:32} {name} ({role})")


@policies_cli.command("import")
@with_appcontext
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--assembly", "assembly_slug", default=DEMO_ASSEMBLY[0], show_default=True)
@click.option("--as", "email", default=None, help="E-mail of the member recorded as author.")
def import_command(folder, assembly_slug, email):
    """Import Markdown policies from FOLDER (default: the seed library). Idempotent."""
    if assembly_slug == DEMO_ASSEMBLY[0] and find_assembly(assembly_slug) is None:
        ensure_demo()
    assembly = find_assembly(assembly_slug)
    if assembly is None:
        raise click.ClickException(f"No assembly '{assembly_slug}'.")
    author = _author(assembly, email)
    try:
        outcomes = import_library(assembly, author, folder or default_library())
    except AppError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    for name, outcome in outcomes.items():
        click.echo(f"{outcome:10} {name}")
    click.echo(_summary(outcomes))


def _author(assembly, email):
    if email:
        user = find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"No user '{email}'.")
        return user
    admins = [m.user for m in assembly.memberships if m.role == "admin"]
    return admins[0] if admins else db.session.execute(db.select(User)).scalars().first()


def _summary(outcomes):
    counts = {}
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing to do"


@rounds_cli.command("tick")
def tick_command():
    """Apply passed deadlines to every open round and send day-before reminders (the worker does
    this every minute; this command is for cron users).

    Each round is committed on its own, so one failing round does not hold back the others;
    the exit status is 1 when any failed.
    """
    from .rounds.schedule import tick_open_rounds

    ticked = tick_open_rounds()
    for t in ticked:
        if t.error:
            click.echo(f"round {t.round_id}: failed, nothing changed ({t.error})", err=True)
        elif t.before != t.after or t.reminded:
            note = f", reminded {t.reminded} elector{'' if t.reminded == 1 else 's'}" if t.reminded else ""
            click.echo(f"round {t.round_id}: {t.before} -> {t.after}{note}")
    if any(t.error for t in ticked):
        raise SystemExit(1)


@rounds_cli.command("verify")
@click.argument("round_id", type=int)
def verify_command(round_id):
    """Recount closed round ROUND_ID from its ballots and compare with the stored results."""
    from .rounds.models import Round
    from .rounds.closing import recount_round

    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"No round {round_id}.")
    try:
        differing = recount_round(round_)
    except AppError as error:
        raise click.ClickException(error.message) from error
    if differing:
        raise click.ClickException(f"Stored results differ from a recount for questions {differing}.")
    click.echo(f"round {round_id}: {len(round_.questions)} questions recounted from the ballots; results match.")


@rounds_cli.command("scrub")
def scrub_command():
    """Rewrite the ballot and participation tables so that no deleted row version of a closed
    secret round is left in the database files. Every close does it; run this when the close
    logged that a transaction older than it kept some (the job queue will schedule it).
    Exit status 1 if it is not done."""
    from .rounds.storage import TABLES, scrub_ballot_storage

    kept = scrub_ballot_storage()
    tables = " and ".join(TABLES)
    if kept == 0:
        click.echo(f"{tables}: rewritten, no dead row version left.")
        return
    detail = (f"{kept} dead row versions cannot be removed yet: a transaction that began before a close still "
              "sees them; run this again when it has ended" if kept else
              "the rewrite did not run or could not be checked (see the log)")
    click.echo(f"{tables}: {detail}.", err=True)
    raise SystemExit(1)


@users_cli.command("reset-totp")
@click.argument("email")
@with_appcontext
def reset_totp_command(email):
    """Switch off two-factor authentication for EMAIL (lost phone and recovery codes) and log
    them out everywhere. Check who is asking first: this hands the account to its password."""
    from .accounts.services import revoke_sessions
    from .accounts.totp import reset_totp
    from .core.events import log_event

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the e-mail {email}.")
    reset_totp(user)
    revoke_sessions(user)
    log_event(None, "totp.reset_by_operator", user)
    db.session.commit()
    click.echo(f"Two-factor authentication is off for {user.email}; every session and token was revoked.")


@users_cli.command("site-admin")
@click.argument("email")
@click.option("--remove", is_flag=True, help="Take the right away instead.")
@with_appcontext
def site_admin_command(email, remove):
    """Make EMAIL a site administrator (the outbox page, /admin/outbox), or no longer one."""
    from .core.events import log_event

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the e-mail {email}.")
    user.is_site_admin = not remove
    log_event(None, "user.site_admin_removed" if remove else "user.site_admin_granted", user)
    db.session.commit()
    click.echo(f"{user.email} is {'no longer' if remove else 'now'} a site administrator.")


@mail_cli.command("digests")
@with_appcontext
def digests_command():
    """Queue the daily and weekly digests that are due (the worker does this every hour; this
    command is for cron users and for trying it out). The worker or `flask worker` sends them."""
    click.echo(f"{send_due_digests()} digest(s) queued.")


def init_cli(app):
    """Register the commands (the exports' too: a domain does not import this module)."""
    from .exports.cli import export_command, export_library_command

    if "export" not in policies_cli.commands:  # create_app may run more than once in a process
        policies_cli.add_command(export_library_command)
    app.cli.add_command(export_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(policies_cli)
    app.cli.add_command(rounds_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(translations_cli)
