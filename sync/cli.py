"""``python -m sync.client``: simulate a handheld from the shell.

    python -m sync.client --db pda.sqlite --device pda-0042 login cm1
    python -m sync.client --db pda.sqlite create ticket.json
    python -m sync.client --db pda.sqlite queue
    python -m sync.client --db pda.sqlite sync
    python -m sync.client --db pda.sqlite conflicts
"""
import argparse
import getpass
import json
import sys

from sync.client import Client, SyncError


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m sync.client", description="A simulated yekuo handheld.")
    top.add_argument("--server", default="http://127.0.0.1:5000")
    top.add_argument("--db", default="pda.sqlite", help="the device's local SQLite file")
    top.add_argument("--device", default="pda-cli", help="device id (fixed at login)")
    commands = top.add_subparsers(dest="command", required=True)
    login = commands.add_parser("login", help="log this device in")
    login.add_argument("username")
    login.add_argument("--password", help="prompted (hidden) when omitted")
    create = commands.add_parser("create", help="queue a new ticket from a JSON file (the ticket record)")
    create.add_argument("file", type=argparse.FileType("r", encoding="utf-8"))
    commands.add_parser("queue", help="list the ops waiting to be pushed")
    commands.add_parser("sync", help="push the queue, then pull everything new")
    commands.add_parser("conflicts", help="open conflicts on this user's tickets")
    commands.add_parser("tickets", help="the tickets pulled to this device")
    return top


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    client = Client(args.server, args.db, args.device)
    if args.command != "login" and client.meta("device_id"):
        client.device_id = client.meta("device_id")
    try:
        return ACTIONS[args.command](client, args)
    except SyncError as exc:
        print(f"error: {exc} ({exc.problem.get('type', '')})", file=sys.stderr)
        return 1


def login(client, args) -> int:
    client.login(args.username, args.password or getpass.getpass(f"password for {args.username}: "))
    client.set_meta("device_id", client.device_id)
    print(f"logged in as {args.username} on {client.device_id}")
    return 0


def create(client, args) -> int:
    print(client.create_ticket(json.load(args.file)))
    return 0


def show_queue(client, _args) -> int:
    for op in client.queue():
        print(f"{op['seq']:>6} {op['type']:<16} {op['entity_id']} {op['client_time']}")
    return 0


def sync(client, _args) -> int:
    outcome = client.sync()
    print(f"pushed {outcome['pushed']} op(s), pulled {outcome['pulled']} change(s); "
          f"digest {'matches' if client.digest() == client.server_digest() else 'DIFFERS'}")
    for op_id, result in client.results().items():
        if result.get("status") in ("rejected", "conflict"):
            print(f"  {result['status']}: op {op_id}: {result.get('error', {}).get('detail', '')}")
    return 0


def conflicts(client, _args) -> int:
    for conflict in client.conflicts():
        print(f"#{conflict['id']} {conflict['ticket_id']} {conflict['path']}: server {conflict['server_value']!r} "
              f"/ device {conflict['device_value']!r}")
    return 0


def tickets(client, _args) -> int:
    for ticket_id, record in sorted(client.records("ticket").items()):
        print(f"{ticket_id} {record['stage']} v{record['version']}")
    return 0


ACTIONS = {"login": login, "create": create, "queue": show_queue, "sync": sync, "conflicts": conflicts,
           "tickets": tickets}
