-- A device's held ops (behind a seq gap) are counted and listed on every push: a partial index
-- keeps that a lookup instead of a scan of the device's whole history.
CREATE INDEX ops_held ON ops(device_id, username, seq) WHERE status = 'held';
