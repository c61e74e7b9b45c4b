"""Command-line tasks: ``flask --app wsgi user add …`` and ``flask --app wsgi demo``."""
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from server.db import connect, get_db, migrate, shown, transaction
from server.storage import transfer
from server.storage.users import ROLES, TeamRegionMismatch, add_user
from sync.engine import is_postgres_url

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


team_cli = AppGroup("team", help="Teams.")


@team_cli.command("area")
@click.argument("team")
@click.option("--bbox", help="west,south,east,north in degrees (WGS84)")
@click.option("--clear", is_flag=True, help="the whole region again")
def team_area_command(team, bbox, clear):
    """Set the area a team works in: its devices pull the grid tiles around it."""
    from server.grid import set_area
    if bool(bbox) == clear:
        raise click.UsageError("give --bbox or --clear")
    area = None if clear else parse_bbox(bbox)
    with transaction(get_db()):
        if not set_area(get_db(), team, area):
            raise click.BadParameter(f"no team {team!r}", param_hint="TEAM")
    click.echo(f"team {team}: {'its whole region' if area is None else area}")


def parse_bbox(text: str) -> list:
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise click.BadParameter("four numbers: west,south,east,north", param_hint="--bbox") from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise click.BadParameter("west < east within ±180, south < north within ±90", param_hint="--bbox")
    return [west, south, east, north]


@click.command("demo")
@with_appcontext
def demo_command():
    """Load demo users and tickets for Changzhou (again: no duplicates)."""
    from server.demo import load_demo
    app = current_app
    for line in load_demo(get_db(), app.extensions["yekuo.policies"], app.extensions["yekuo.services"]):
        click.echo(line)


grid_cli = AppGroup("grid", help="Grid data.")


@grid_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--by", "username", default="cli", show_default=True, help="recorded as the importer")
def import_grid_command(file, username):
    """Import a GeoJSON or CSV grid file: a new snapshot per region in it, all or nothing."""
    from scheme_builder.errors import GridDataError
    from server.grid import import_grid
    text = Path(file).read_text(encoding="utf-8-sig")
    try:
        result = import_grid(get_db(), current_app.extensions["yekuo.policies"], text, Path(file).name, username)
    except GridDataError as exc:
        for row in exc.report:
            click.echo(f"{row['where']}: {row['asset_id'] or '-'}: {row['field']}: {row['reason']}", err=True)
        raise click.ClickException(str(exc))
    for snapshot in result["snapshots"]:
        click.echo(f"{snapshot['region']}: snapshot {snapshot['id']} with {snapshot['asset_count']} assets")
        for held in snapshot["vanished_reserved_assets"]:
            click.echo(f"  warning: {held['asset_id']} is gone but ticket {held['ticket_id']} holds "
                       f"{held['kva']:g} kVA on it", err=True)


sync_cli = AppGroup("sync", help="Offline sync maintenance.")


@sync_cli.command("purge")
@click.option("--days", type=int, default=None, help="the tombstone horizon (default: TOMBSTONE_HORIZON_DAYS)")
def purge_command(days):
    """Drop superseded changes older than the horizon; older device cursors then get 410."""
    from server.jobs import purge_job
    from server.storage import utcnow
    config = current_app.config if days is None else {**current_app.config, "TOMBSTONE_HORIZON_DAYS": days}
    result = purge_job(get_db(), config, utcnow())
    click.echo(f"deleted {result['deleted']} superseded change(s); cursors below {result['horizon']} now re-seed")


pdf_cli = AppGroup("pdf", help="Signed scheme PDFs.")


@pdf_cli.command("verify")
@click.argument("file", type=click.Path(dir_okay=False))
def verify_pdf_command(file):
    """Check a signed scheme PDF. Exit 0 valid, 1 invalid, 2 unreadable."""
    from pdf.verify import UnreadablePdf, verify
    try:
        result = verify(Path(file).read_bytes(), [current_app.extensions["yekuo.services"].signing.cert_path])
    except (UnreadablePdf, OSError) as exc:
        click.echo(f"unreadable: {exc}", err=True)
        raise SystemExit(2)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    raise SystemExit(0 if result["valid"] else 1)


@click.command("backup")
@with_appcontext
def backup_command():
    """Copy the database now (SQLite online backup) into <data dir>/backups."""
    from server.jobs import backup_job
    from server.storage import utcnow
    click.echo(backup_job(get_db(), current_app.config, utcnow())["file"])


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.confirmation_option(prompt="Replace the current database with this backup?")
def restore_command(file):
    """Replace the database with a backup (stop the server first)."""
    from server.backup import NotABackup, restore
    try:
        version = restore(current_app.config["DATABASE"], Path(file))
    except NotABackup as exc:
        raise click.ClickException(str(exc))
    click.echo(f"restored {file} (schema version {version})")


@click.command("jobs")
@with_appcontext
@click.option("--run", "name", help="run this job now")
def jobs_command(name):
    """Show the scheduled jobs (last run, result), or run one now."""
    from server.jobs import JOBS, job_status, run_job
    if name:
        if name not in JOBS:
            raise click.BadParameter(f"one of {', '.join(JOBS)}", param_hint="--run")
        click.echo(json.dumps(run_job(get_db(), current_app.config, name), ensure_ascii=False))
        return
    for row in job_status(get_db()):
        click.echo(json.dumps(row, ensure_ascii=False))


@click.command("migrate-to-postgres")
@with_appcontext
@click.argument("url")
def migrate_to_postgres_command(url):
    """Copy this SQLite installation into the empty PostgreSQL database at URL, then check every table
    on both sides by row count and digest. Point YEKUO_DATABASE_URL at it afterwards."""
    if not is_postgres_url(url):
        raise click.BadParameter("a postgresql:// URL", param_hint="URL")
    source, target = get_db(), connect(url)
    migrate(source)
    migrate(target)
    try:
        transfer.require_empty(target)
    except transfer.NotEmpty as exc:
        raise click.ClickException(str(exc)) from None
    with transaction(target):
        for table in transfer.TABLES:
            click.echo(f"{table}: {transfer.copy_table(source, target, table)} rows copied")
    mismatched = [table for table in transfer.TABLES
                  if transfer.fingerprint(source, table) != transfer.fingerprint(target, table)]
    target.close()
    if mismatched:
        raise click.ClickException(f"copied, but these tables differ: {', '.join(mismatched)}")
    click.echo(f"every table copied to {shown(url)} and verified (row counts and digests equal)")


def init_app(app):
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(jobs_command)
    app.cli.add_command(pdf_cli)
    app.cli.add_command(sync_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(team_cli)
    app.cli.add_command(grid_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(migrate_to_postgres_command)
