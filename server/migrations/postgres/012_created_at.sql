-- When a ticket was accepted, as a column (see ../012_created_at.sql).
ALTER TABLE tickets ADD COLUMN created_at TEXT;
UPDATE tickets SET created_at = CAST(record AS json) #>> '{created_at}';
CREATE INDEX tickets_created_at ON tickets(created_at);
