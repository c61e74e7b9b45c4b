"""The reference offline client: a handheld's queue, local copy and blob uploads in one SQLite file.

Everything the user does offline becomes an op with the next ``seq`` in the local queue. ``sync()``
pushes the whole queue (in batches of the server's ``max_ops``) and then pulls every page. Network
failures, 5xx, 429 and 503 are retried with exponential backoff and full jitter, honouring
``Retry-After``; a 401 stops with :class:`Unauthorized` and keeps the queue for after a new login.
Tickets and reference data pulled from the server let the device build a scheme offline with the
same ``scheme_builder`` and get the same ``scheme_hash`` as the server.

    client = Client("http://127.0.0.1:5000", "pda.sqlite", "pda-0042")
    client.login("cm1", "cm1-demo")
    ticket_id = client.create_ticket({...})
    client.sync()
"""
import hashlib
import json
import random
import sqlite3
import time
from datetime import datetime, timezone

import requests

from scheme_builder import Grid, build_scheme, pack_from_dict, tiles
from scheme_builder.errors import OutsideGridExtent
from scheme_builder.request import ticket_request
from sync.ids import new_id
from sync.merge import get_path, set_path
from sync.pull import digest

DONE = ("applied", "merged", "conflict", "rejected", "duplicate")
RETRY_STATUSES = (429, 500, 502, 503, 504)
CHUNK_BYTES = 256 * 1024
SCHEMA = """
CREATE TABLE IF NOT EXISTS queue (seq INTEGER PRIMARY KEY, op_id TEXT UNIQUE NOT NULL, op TEXT NOT NULL,
                                  status TEXT NOT NULL DEFAULT 'pending', result TEXT);
CREATE TABLE IF NOT EXISTS records (entity TEXT NOT NULL, entity_id TEXT NOT NULL, data TEXT NOT NULL,
                                    change_seq INTEGER NOT NULL, PRIMARY KEY (entity, entity_id));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class SyncError(Exception):
    """The server refused a request for good (a 4xx other than 401); ``problem`` is its body."""

    def __init__(self, problem):
        super().__init__(problem.get("detail") or problem.get("title") or str(problem))
        self.problem = problem


class Unauthorized(SyncError):
    """The token is unknown or revoked: log in again; the queue is kept."""


class Client:
    def __init__(self, base_url, db_path, device_id, *, http=None, max_attempts=8, base_delay=0.2, max_delay=10.0,
                 clock=None):
        self.base_url, self.device_id = base_url.rstrip("/"), device_id
        self.http = http or requests.Session()
        self.max_attempts, self.base_delay, self.max_delay = max_attempts, base_delay, max_delay
        self.clock = clock or (lambda: datetime.now(timezone.utc).astimezone())
        self.db = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)   # one user at a time
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    # ---- local state ------------------------------------------------------------------------

    def meta(self, key, default=None):
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else default

    def set_meta(self, key, value):
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, json.dumps(value)])

    def record(self, entity, entity_id):
        row = self.db.execute("SELECT data FROM records WHERE entity = ? AND entity_id = ?",
                              [entity, entity_id]).fetchone()
        return json.loads(row[0]) if row else None

    def records(self, entity) -> dict:
        rows = self.db.execute("SELECT entity_id, data FROM records WHERE entity = ?", [entity])
        return {entity_id: json.loads(data) for entity_id, data in rows}

    def queue(self, status="pending") -> list:
        rows = self.db.execute("SELECT op FROM queue WHERE status = ? ORDER BY seq", [status])
        return [json.loads(row[0]) for row in rows]

    def results(self) -> dict:
        """op_id → the server's final result, for every op the server answered."""
        rows = self.db.execute("SELECT op_id, result FROM queue WHERE result IS NOT NULL")
        return {op_id: json.loads(result) for op_id, result in rows}

    # ---- what the user does offline ---------------------------------------------------------

    def enqueue(self, type_, entity_id, **fields) -> dict:
        """Append an op with the next seq (in one local transaction: no seq is used twice)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            seq = (self.db.execute("SELECT coalesce(max(seq), 0) FROM queue").fetchone()[0]) + 1
            op = {"op_id": new_id(), "seq": seq, "type": type_, "entity_id": entity_id,
                  "client_time": self.clock().isoformat(), **fields}
            self.db.execute("INSERT INTO queue (seq, op_id, op) VALUES (?, ?, ?)",
                            [seq, op["op_id"], json.dumps(op, ensure_ascii=False)])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return op

    def create_ticket(self, data: dict) -> str:
        ticket_id = data.get("id") or f"T-{new_id()}"
        self.enqueue("ticket.create", ticket_id, data={k: v for k, v in data.items() if k != "id"})
        return ticket_id

    def update_ticket(self, ticket_id, values: dict) -> dict:
        """Field changes, each carrying the value it replaces as this device sees it."""
        record = self.local_ticket(ticket_id)
        changes = {path: {"base": get_path(record, path), "value": value} for path, value in values.items()}
        return self.enqueue("ticket.update", ticket_id, changes=changes, base_version=record.get("version"))

    def local_ticket(self, ticket_id) -> dict:
        """The ticket as this device sees it: pulled (or queued for creation), plus queued changes."""
        record = self.record("ticket", ticket_id)
        pending = [op for op in self.queue() if op["entity_id"] == ticket_id]
        if record is None:
            record = next(({**op["data"], "id": ticket_id} for op in pending if op["type"] == "ticket.create"), {})
        for op in pending:
            for path, change in op.get("changes", {}).items() if op["type"] == "ticket.update" else ():
                set_path(record, path, change["value"])
        return record

    def command(self, ticket_id, name, **args) -> dict:
        return self.enqueue("ticket.command", ticket_id, command=name, args=args)

    def add(self, type_, ticket_id, **data) -> dict:
        """Evidence: ``note.add``, ``photo.add``, ``document.add``, ``gps.add``, ``signature.add``."""
        return self.enqueue(type_, ticket_id, data=data)

    # ---- talking to the server --------------------------------------------------------------

    def login(self, username, password):
        response = self.request("POST", "/api/auth/token", auth=False,
                                json={"username": username, "password": password, "device_id": self.device_id})
        self.set_meta("token", response.json()["token"])
        self.set_meta("username", username)

    def request(self, method, path, auth=True, **kwargs) -> requests.Response:
        """One HTTP call with retries: backoff with full jitter, Retry-After honoured."""
        headers = kwargs.pop("headers", {})
        if auth:
            headers["Authorization"] = f"Bearer {self.meta('token')}"
        for attempt in range(self.max_attempts):
            try:
                response = self.http.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)
            except requests.RequestException:
                response = None
            if response is not None and response.status_code not in RETRY_STATUSES:
                return checked(response)
            if attempt == self.max_attempts - 1:
                break
            time.sleep(self.delay(attempt, response))
        if response is None:
            raise requests.ConnectionError(f"{method} {path}: no answer after {self.max_attempts} attempts")
        return checked(response)

    def delay(self, attempt, response) -> float:
        retry_after = response is not None and response.headers.get("Retry-After")
        if retry_after and retry_after.isdigit():
            return float(retry_after) + random.uniform(0, self.base_delay)
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** attempt))

    def info(self) -> dict:
        return self.request("GET", "/sync/info").json()

    def push(self) -> list:
        """One pass over the pending queue in seq order, in batches of the server's ``max_ops``."""
        answered, size, sent_upto = [], self.meta("max_ops") or self.remember_limits(), 0
        while True:
            batch = [op for op in self.queue("pending") if op["seq"] > sent_upto][:size]
            if not batch:
                return answered
            body = {"protocol": 1, "device_id": self.device_id, "ops": batch}
            results = self.request("POST", "/sync/push", json=body).json()["results"]
            for result in results:
                self.settle(result)
            answered += results
            sent_upto = batch[-1]["seq"]

    def remember_limits(self) -> int:
        max_ops = self.info()["max_ops"]
        self.set_meta("max_ops", max_ops)
        return max_ops

    def settle(self, result):
        """Record the server's answer; an answered op leaves the queue (a held one stays)."""
        final = result.get("first") if result["status"] == "duplicate" else result
        status = "pending" if final is None or final.get("status") == "held" else "done"
        self.db.execute("UPDATE queue SET status = ?, result = ? WHERE op_id = ?",
                        [status, json.dumps(final or result, ensure_ascii=False), result["op_id"]])

    def pull(self) -> int:
        """Every page since the stored cursor; returns how many changes arrived."""
        count = 0
        while True:
            since = self.meta("cursor", 0)
            page = self.request("GET", f"/sync/pull?since={since}&limit=500").json()
            self.db.execute("BEGIN IMMEDIATE")
            for change in page["changes"]:
                self.apply_change(change)
            self.set_meta("cursor", page["next"])
            self.db.execute("COMMIT")
            count += len(page["changes"])
            if not page["more"]:
                return count

    def apply_change(self, change):
        key = [change["entity"], change["entity_id"]]
        if change["op"] == "remove":
            self.db.execute("DELETE FROM records WHERE entity = ? AND entity_id = ?", key)
        else:
            self.db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)",
                            [*key, json.dumps(change["data"], ensure_ascii=False), change["change_seq"]])

    def sync(self) -> dict:
        """Push everything, then pull everything."""
        pushed = self.push()
        return {"pushed": len(pushed), "pulled": self.pull()}

    def digest(self) -> dict:
        """The local counterpart of ``GET /sync/digest``, computed the same way."""
        return digest((ticket_id, record["version"]) for ticket_id, record in self.records("ticket").items())

    def server_digest(self) -> dict:
        return self.request("GET", "/sync/digest").json()

    def conflicts(self) -> list:
        return self.request("GET", "/api/conflicts").json()

    # ---- blobs ------------------------------------------------------------------------------

    def upload_blob(self, content: bytes) -> str:
        """Upload (or resume uploading) ``content``; returns its ``sha256:`` reference."""
        hex_ = hashlib.sha256(content).hexdigest()
        path = f"/sync/blobs/{hex_}"
        offset = self.uploaded_offset(path)
        while offset < len(content):
            chunk = content[offset:offset + CHUNK_BYTES]
            headers = {"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset),
                       "Upload-Length": str(len(content))}
            try:
                response = self.request("PATCH", path, data=chunk, headers=headers)
                offset = int(response.headers["Upload-Offset"])
            except SyncError as exc:
                if exc.problem.get("type", "").endswith("/offset-mismatch"):
                    offset = self.uploaded_offset(path)
                else:
                    raise
        return f"sha256:{hex_}"

    def uploaded_offset(self, path) -> int:
        response = self.http.head(self.base_url + path, timeout=30,
                                  headers={"Authorization": f"Bearer {self.meta('token')}"})
        return int(response.headers["Upload-Offset"]) if response.status_code == 200 else 0

    # ---- offline scheme ---------------------------------------------------------------------

    def build_scheme(self, ticket_id) -> dict:
        """The scheme of a pulled ticket from pulled reference data: the server's hash, offline.

        Capacity reserved by other tickets' signed schemes is the region's ``reservations:`` record as
        of the last pull; one signed since can make the server's scheme differ (sign_scheme then says so).
        """
        ticket = self.record("ticket", ticket_id)
        pack = self.record("reference", f"policy:{ticket['region']}-{ticket['policy_year']}")
        engineering = self.record("reference", "engineering:")["engineering"]
        request = ticket_request(ticket)
        grid = self.grid_around(ticket["region"], request["location"], engineering)
        policy = pack_from_dict(pack["pack"], engineering)
        reservations = self.record("reference", f"reservations:{ticket['region']}") or {}
        return build_scheme(request, policy, grid, reservations.get(policy.room(request["business_type"]), {}))

    def grid_around(self, region, location, engineering) -> Grid:
        """The region's assets from the tiles held around ``location``, projected as the server does.

        Raises ``OutsideHeldTiles`` when a tile the scheme may look into is not held at the index's
        version: the device then says so rather than answer differently from the server.
        """
        index = self.record("reference", f"grid:{region}") or {"tiles": [], "version": None, "centre": None,
                                                                 "tile_degrees": tiles.TILE_DEGREES}
        needed = set(index["tiles"]) & set(tiles.tiles_around(location["lon"], location["lat"],
                                                              tiles.farthest_radius_m(engineering),
                                                              index["tile_degrees"]))
        held = {name: self.record("reference", f"tile:{region}:{name}") for name in needed}
        missing = {name for name, tile in held.items() if not tile or tile["version"] != index["version"]}
        if missing:
            raise tiles.OutsideHeldTiles(missing)
        features = dict(pair for tile in held.values() for pair in tile["features"])
        if not features:
            radius_km = tiles.farthest_radius_m(engineering) / 1000
            raise OutsideGridExtent(f"no asset of {region} within {radius_km:g} km",
                                    {"location": [f"farther than {radius_km:g} km from the region's grid data"]})
        return Grid.from_features([features[o] for o in sorted(features)], index["version"], index["centre"])


def checked(response: requests.Response) -> requests.Response:
    if response.status_code < 400:
        return response
    try:
        problem = response.json()
    except ValueError:
        problem = {"status": response.status_code, "detail": response.text[:200]}
    raise (Unauthorized if response.status_code == 401 else SyncError)(problem)


if __name__ == "__main__":
    from sync.cli import main
    raise SystemExit(main())
