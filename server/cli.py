"""Command-line tasks: ``flask --app wsgi user add …`` and ``flask --app wsgi demo``."""
import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from server.db import get_db, transaction
from server.storage.users import ROLES, TeamRegionMismatch, add_user

user_cli = AppGroup("user", help="Manage users.")


@user_cli.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--team", required=True, help="created on first use")
@click.option("--region", required=True, type=str)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def add_user_command(username, role, team, region, password):
    """Add a user (or reset the password of an existing one)."""
    if region not in current_app.extensions["yekuo.policies"].regions():
        raise click.BadParameter(f"no policy pack for region {region!r}", param_hint="--region")
    db = get_db()
    try:
        with transaction(db):
            add_user(db, username, password, role, team, region)
    except TeamRegionMismatch as exc:
        raise click.BadParameter(str(exc), param_hint="--team")
    click.echo(f"user {username} ({role}, team {team}, region {region}) saved")


@click.command("demo")
@with_appcontext
def demo_command():
    """Load demo users and tickets for Changzhou (again: no duplicates)."""
    from server.demo import load_demo
    for line in load_demo(get_db(), current_app.extensions["yekuo.policies"]):
        click.echo(line)


def init_app(app):
    app.cli.add_command(user_cli)
    app.cli.add_command(demo_command)
