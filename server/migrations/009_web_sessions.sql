-- Console sessions held on the server: log-out deletes the row, so a copied cookie stops working,
-- and a session lasts SESSION_HOURS from log-in. The cookie carries only the random id.
CREATE TABLE web_sessions (
    sid_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username),
    created_at TEXT NOT NULL
);
CREATE INDEX web_sessions_created ON web_sessions(created_at);
