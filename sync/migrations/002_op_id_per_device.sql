-- An op_id is unique per device (docs/SYNC_PROTOCOL.md "Push"): the same op_id from another device or
-- user is another op. The log is keyed by (device, user, op_id) and keeps the body's hash, so a
-- resent op_id with a different body is told apart from a true resend.
CREATE TABLE ops_by_device (
    device_id TEXT NOT NULL,
    username TEXT NOT NULL,
    op_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    entity_id TEXT,
    body TEXT NOT NULL,
    body_hash TEXT,
    client_time TEXT,
    received_at TEXT NOT NULL,
    applied_at TEXT,
    status TEXT NOT NULL,
    result TEXT,
    PRIMARY KEY (device_id, username, op_id)
);
INSERT INTO ops_by_device (device_id, username, op_id, seq, type, entity_id, body, client_time, received_at,
                           applied_at, status, result)
    SELECT device_id, username, op_id, seq, type, entity_id, body, client_time, received_at, applied_at, status,
           result FROM ops;
DROP TABLE ops;
ALTER TABLE ops_by_device RENAME TO ops;
CREATE INDEX ops_device ON ops(device_id, username, seq);
CREATE INDEX ops_entity ON ops(entity_id, received_at);
