-- Grid snapshots (numbered, per region), their assets, and capacity reserved by signed schemes.
CREATE TABLE grid_snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region TEXT NOT NULL,
    filename TEXT NOT NULL,
    asset_count INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX grid_snapshots_region ON grid_snapshots(region, id);
CREATE TABLE grid_assets (
    snapshot_id INTEGER NOT NULL REFERENCES grid_snapshots(id),
    asset_id TEXT NOT NULL,
    feature TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, asset_id)
);
CREATE TABLE reservations (
    id INTEGER PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    region TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    kva REAL NOT NULL,
    scheme_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    released_at TEXT
);
CREATE INDEX reservations_active ON reservations(region, asset_id) WHERE released_at IS NULL;
CREATE INDEX reservations_ticket ON reservations(ticket_id);
