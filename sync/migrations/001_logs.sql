-- The change log (every record's version and the pull cursor), the op log (also the audit log),
-- each device's cursor, and the purge horizon. IF NOT EXISTS: installations made before sync/
-- owned these tables already have them in this shape.
CREATE TABLE IF NOT EXISTS changes (
    change_seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    at TEXT NOT NULL,
    team TEXT,
    region TEXT
);
CREATE INDEX IF NOT EXISTS changes_seq_entity ON changes(entity, entity_id, change_seq);
CREATE TABLE IF NOT EXISTS ops (
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
CREATE INDEX IF NOT EXISTS ops_device ON ops(device_id, username, seq);
CREATE INDEX IF NOT EXISTS ops_entity ON ops(entity_id, received_at);
CREATE TABLE IF NOT EXISTS device_cursors (
    device_id TEXT NOT NULL,
    username TEXT NOT NULL,
    acked_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, username)
);
CREATE TABLE IF NOT EXISTS sync_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
