-- Append-only evidence, field conflicts and the versions of reference data. The op log, device
-- cursors and the change log belong to sync/ (sync/migrations).
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
CREATE TABLE reference_versions (
    entity_id TEXT PRIMARY KEY,
    version TEXT NOT NULL
);
