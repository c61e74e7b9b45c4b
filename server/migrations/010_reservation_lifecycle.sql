-- A reservation lives from the signature to: the next grid import after the connection (the load is
-- then in the imported peak), the cancellation, or the end of the scheme's validity.
ALTER TABLE reservations ADD COLUMN connected_at TEXT;
ALTER TABLE reservations ADD COLUMN release_reason TEXT;
