"""The `igot` command: set up, seed, deploy, fire timers, serve."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from engine.bootstrap import Database, init, open_database
from engine.config import Settings, load_mail_settings, load_settings
from engine.definitions import DeployResult, deploy
from engine.errors import Conflict, DeployRefused, Invalid, NotFound
from engine.services.accounts import console_password
from engine.services.digest import queue_digests
from engine.services.people import create_user
from engine.services.timers import fire_due_timers, next_timer_at
from engine.services.uploads import remove_unattached_uploads


@contextmanager
def _open(initialised: bool = False) -> Iterator[tuple[Settings, Database]]:
    """The settings and the database; with `initialised`, exit 1 with one line saying to run
    `igot init` first when the database has no schema yet (or cannot be reached)."""
    settings = load_settings()
    database = open_database(settings)
    try:
        if initialised:
            _require_schema(database)
        yield settings, database
    finally:
        database.engine.dispose()


def _require_schema(database: Database) -> None:
    try:
        with database.engine.connect() as connection:
            ready = inspect(connection).has_table("process_instances")
    except SQLAlchemyError as error:
        click.echo(f"error: the database cannot be read: {_one_line(error)}", err=True)
        sys.exit(1)
    if not ready:
        url = database.engine.url.render_as_string(hide_password=True)
        click.echo(f"error: the database {url} is not initialised: run igot init first", err=True)
        sys.exit(1)


@click.group()
def main() -> None:
    """iGOT MicroMasters workflow (DoPT, Training Division)."""


@main.command("init")
def init_command() -> None:
    """Create or upgrade the schema, load reference data, deploy processes/."""
    with _open() as (settings, database):
        try:
            results = init(settings, database)
        except DeployRefused as error:
            _refused("processes/", error.message, error.details)
            sys.exit(1)
        except Invalid as error:
            _refused("processes/scenarios", error.message, [f"{k}: {v}" for k, v in error.fields.items()])
            sys.exit(1)
        for result in results:
            click.echo(f"{result.key} v{result.version}: {_state(result)}")
        click.echo(f"database ready: {database.engine.url.render_as_string(hide_password=True)}")


def _state(result: DeployResult) -> str:
    if not result.created:
        return "unchanged"
    if not result.scenarios:
        return "deployed"
    return f"deployed ({len(result.scenarios)} scenarios rehearsed, all passed)"


def _refused(what: str, message: str, details: list[str]) -> None:
    click.echo(f"{what}: refused: {message}", err=True)
    for detail in details:
        click.echo(f"  - {detail}", err=True)


@main.command("demo")
@click.option(
    "--reminder-in",
    type=click.IntRange(min=1),
    default=120,
    show_default=True,
    help="Seconds after which a demo application's 7-day reminder falls due.",
)
def demo_command(reminder_in: int) -> None:
    """init, then demo users for every role and applications in several states."""
    from engine.demo import load_demo

    with _open() as (settings, database):
        init(settings, database)
        logins = load_demo(database, settings, datetime.now(UTC), timedelta(seconds=reminder_in))
    click.echo("Demo data loaded. Sign in with any of these (username / password):")
    for username, roles, password in logins:
        click.echo(f"  {username:<14} {password:<16} {', '.join(roles)}")


@main.group("user")
def user_group() -> None:
    """Manage users."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, help="Role to grant; repeat for several.")
@click.option("--cca", default=None, help="CCA code, for a cca_approver.")
@click.option("--password", default=None, help="Password (prompted for when left out).")
@click.option("--email", default=None, help="E-mail address for the user's notifications.")
def user_add(name: str, roles: tuple[str, ...], cca: str | None, password: str | None, email: str | None) -> None:
    """Create a user."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with _open() as (_settings, database), database.sessions() as session, session.begin():
            create_user(session, name, str(password), list(roles), cca, email)
    except Invalid as error:
        for field, message in error.fields.items():
            click.echo(f"{field}: {message}", err=True)
        sys.exit(2)
    except Conflict as error:
        click.echo(error.message, err=True)
        sys.exit(2)
    click.echo(f"user {name} created with roles {', '.join(roles)}")


@user_group.command("password")
@click.argument("name")
def user_password(name: str) -> None:
    """Give user NAME a new password: asked twice at a terminal, else the first line of stdin.

    Every API token of the user is revoked and every signed-in page of theirs ends
    (engine.services.auth.set_password); the account audit records the change.
    """
    if sys.stdin.isatty():
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        with _open() as (_settings, database), database.sessions() as session, session.begin():
            console_password(session, name, password, datetime.now(UTC))
    except NotFound as error:
        click.echo(error.message, err=True)
        sys.exit(2)
    except Invalid as error:
        for field, message in error.fields.items():
            click.echo(f"{field}: {message}", err=True)
        sys.exit(2)
    click.echo(f"new password set for {name}; their tokens and signed-in pages have ended")


@main.command("deploy")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def deploy_command(files: tuple[Path, ...]) -> None:
    """Deploy BPMN files as new versions, validated exactly as the API does.

    Prints one line per file deployed and one line per reason a file was not (unreadable,
    refused, or a database error); exits with 1 when any file was not deployed.
    """
    failures = 0
    try:
        with _open() as (settings, database):
            for path in files:
                lines = _deploy_file(database, settings, path)
                failures += any(not ok for ok, _line in lines)
                for ok, line in lines:
                    click.echo(line, err=not ok)
    except SQLAlchemyError as error:
        click.echo(f"igot deploy: the database cannot be used: {_one_line(error)}", err=True)
        sys.exit(1)
    if failures:
        sys.exit(1)


def _deploy_file(database: Database, settings: Settings, path: Path) -> list[tuple[bool, str]]:
    """Deploy one file in its own transaction; (deployed?, line) for each line to print."""
    try:
        xml = path.read_bytes()
    except OSError as error:
        return [(False, f"{path}: cannot be read: {error.strerror or error}")]
    try:
        with database.sessions() as session, session.begin():
            result = deploy(session, xml, "igot deploy", settings.forms_dir)
    except DeployRefused as error:
        return [(False, f"{path}: refused: {' '.join(detail.split())}") for detail in error.details or [error.message]]
    except SQLAlchemyError as error:
        return [(False, f"{path}: not deployed: database error: {_one_line(error)}")]
    except Exception as error:  # whatever it is: one line for the operator, never a traceback
        return [(False, f"{path}: not deployed: unexpected {type(error).__name__}: {_one_line(error)}")]
    return [(True, f"{path}: {result.key} v{result.version} {_state(result)}")]


def _one_line(error: Exception) -> str:
    """The first line of an error's text (SQLAlchemy appends the statement and a link)."""
    text = str(error).strip()
    return " ".join(text.splitlines()[0].split()) if text else type(error).__name__


def _moment(now_text: str | None) -> datetime | None:
    """The --now option as an aware time (None when not given); BadParameter otherwise."""
    if not now_text:
        return None
    try:
        now = datetime.fromisoformat(now_text)
    except ValueError as error:
        raise click.BadParameter(f"not an ISO 8601 time: {now_text}", param_hint="--now") from error
    if now.tzinfo is None:
        raise click.BadParameter("give an offset, e.g. 2027-03-02T10:00:00+05:30", param_hint="--now")
    return now


@main.command("timers")
@click.option("--now", "now_text", default=None, help="Run as if at this ISO 8601 time (with offset).")
@click.option("--loop", is_flag=True, help="Keep firing timers as they fall due.")
@click.option(
    "--poll",
    type=click.FloatRange(min=0.1),
    default=lambda: float(os.environ.get("IGOT_TIMER_POLL") or 30),
    help="Longest sleep between rounds, in seconds (IGOT_TIMER_POLL, default 30).",
)
def timers_command(now_text: str | None, loop: bool, poll: float) -> None:
    """Fire every due timer once (or keep doing so), queue the daily digests when due, and
    remove uploads no application used for a day (as `igot uploads cleanup`).

    With --loop the worker sleeps until the next timer falls due or `poll` seconds pass,
    whichever comes first; each due instance moves in its own transaction.
    """
    now = _moment(now_text)
    _log_to_stderr()
    mail = load_mail_settings()
    with _open(initialised=True) as (settings, database):
        while True:
            moment = now or datetime.now(UTC)
            fired = fire_due_timers(database.sessions, moment)
            queue_digests(database.sessions, moment, mail.digest_hour)
            removed = _clean_uploads(database, settings, moment)
            click.echo(f"{fired} instance(s) moved by timers")
            if removed:
                click.echo(f"{removed} unattached upload(s) removed")
            if not loop:
                return
            with database.sessions() as session:
                due = next_timer_at(session)
            wait = poll if due is None else min(poll, max((due - datetime.now(UTC)).total_seconds(), 0.0) + 1.0)
            time.sleep(wait)


def _clean_uploads(database: Database, settings: Settings, now: datetime) -> int:
    """The timer round's cleanup of uploads: a failure is logged and the round goes on."""
    try:
        return remove_unattached_uploads(database.sessions, settings.upload_dir, now)
    except (SQLAlchemyError, OSError):
        logging.getLogger(__name__).exception("the cleanup of unattached uploads failed")
        return 0


@main.group("uploads")
def uploads_group() -> None:
    """Manage uploaded files."""


@uploads_group.command("cleanup")
@click.option("--now", "now_text", default=None, help="Run as if at this ISO 8601 time (with offset).")
def uploads_cleanup(now_text: str | None) -> None:
    """Remove every uploaded file (row and file) that no application used within 24 hours of
    its upload. The timer worker (`igot timers`) does the same in each of its rounds."""
    now = _moment(now_text) or datetime.now(UTC)
    with _open() as (settings, database):
        removed = remove_unattached_uploads(database.sessions, settings.upload_dir, now)
    click.echo(f"{removed} unattached upload(s) removed")


@main.command("mail")
@click.option("--loop", is_flag=True, help="Keep sending as mail arrives in the outbox.")
@click.option(
    "--poll",
    type=click.FloatRange(min=0.1),
    default=lambda: float(os.environ.get("IGOT_MAIL_POLL") or 10),
    help="Seconds between looks at the outbox when it is empty (IGOT_MAIL_POLL, default 10).",
)
def mail_command(loop: bool, poll: float) -> None:
    """Send the e-mail waiting in the outbox (once, or keep doing so)."""
    from webapp import create_app
    from webapp.mail.sender import Sender

    _log_to_stderr()
    with _open(initialised=True) as (_settings, database):
        sender = Sender(create_app(), database.sessions, load_mail_settings())
        if not loop:
            click.echo(f"{sender.send_round()} mail(s) handled")
            return
        sender.run(poll)


def _log_to_stderr() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")


@main.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve_command(host: str, port: int) -> None:
    """Run the development server."""
    from webapp import create_app

    create_app().run(host=host, port=port)


if __name__ == "__main__":
    main()
