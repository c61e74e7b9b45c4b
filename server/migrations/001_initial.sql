-- Teams, users, devices and their tokens, tickets, stage history, calendar overrides and failed
-- log-ins. The change log (each record's version) belongs to sync/ (sync/migrations).
CREATE TABLE teams (
    name TEXT PRIMARY KEY,
    region TEXT NOT NULL
);
CREATE TABLE users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    team TEXT NOT NULL REFERENCES teams(name),
    region TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE devices (
    device_id TEXT NOT NULL,
    username TEXT NOT NULL REFERENCES users(username),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_seen_at TEXT,
    revoked_at TEXT,
    PRIMARY KEY (device_id, username)
);
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);
CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    region TEXT NOT NULL,
    team TEXT NOT NULL,
    manager TEXT,
    business_type TEXT NOT NULL,
    stage TEXT NOT NULL,
    version INTEGER NOT NULL,
    stage_due_at TEXT,
    process_due_at TEXT,
    updated_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX tickets_scope ON tickets(region, team);
CREATE INDEX tickets_version ON tickets(version);
CREATE TABLE stage_history (
    id INTEGER PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    command TEXT NOT NULL,
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    args TEXT NOT NULL,
    username TEXT NOT NULL,
    device_id TEXT,
    client_time TEXT,
    server_time TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX stage_history_ticket ON stage_history(ticket_id, id);
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    workday INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY,
    complete INTEGER NOT NULL
);
