-- Every change to the working-day calendar, with who made it and why (docs/DOMAIN.md time limits
-- count working days; a wrong holiday moves every deadline). ``day`` is NULL for a whole year's notice.
CREATE TABLE calendar_changes (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    username TEXT NOT NULL,
    year INTEGER NOT NULL,
    day TEXT,
    change TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX calendar_changes_year ON calendar_changes(year, id);
