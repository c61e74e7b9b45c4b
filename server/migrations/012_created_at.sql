-- When a ticket was accepted, as a column (save_ticket keeps it): the dashboard's month is an index
-- range instead of the JSON of every ticket ever accepted. Filled here for the tickets saved before.
ALTER TABLE tickets ADD COLUMN created_at TEXT;
UPDATE tickets SET created_at = json_extract(record, '$.created_at');
CREATE INDEX tickets_created_at ON tickets(created_at);
