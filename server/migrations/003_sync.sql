-- The sync op log (also the audit log), device cursors, append-only evidence, field conflicts,
-- and the scope of each change (so a pull can send `remove` to devices that saw a ticket).
CREATE TABLE ops (
    op_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    username TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    entity_id TEXT,
    body TEXT NOT NULL,
    client_time TEXT,
    received_at TEXT NOT NULL,
    applied_at TEXT,
    status TEXT NOT NULL,
    result TEXT
);
CREATE INDEX ops_device ON ops(device_id, username, seq);
CREATE INDEX ops_entity ON ops(entity_id, received_at);
CREATE TABLE device_cursors (
    device_id TEXT NOT NULL,
    username TEXT NOT NULL,
    acked_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, username)
);
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    op_id TEXT,
    username TEXT NOT NULL,
    device_id TEXT,
    client_time TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX evidence_ticket ON evidence(ticket_id, id);
CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    path TEXT NOT NULL,
    base TEXT,
    server_value TEXT,
    device_value TEXT,
    op_id TEXT NOT NULL,
    username TEXT NOT NULL,
    device_id TEXT,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT,
    resolution TEXT
);
CREATE INDEX conflicts_open ON conflicts(ticket_id) WHERE resolved_at IS NULL;
ALTER TABLE changes ADD COLUMN team TEXT;
ALTER TABLE changes ADD COLUMN region TEXT;
CREATE INDEX changes_seq_entity ON changes(entity, entity_id, change_seq);
CREATE TABLE reference_versions (
    entity_id TEXT PRIMARY KEY,
    version TEXT NOT NULL
);
CREATE TABLE sync_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
