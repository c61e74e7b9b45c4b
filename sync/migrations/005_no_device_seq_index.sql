-- Only held ops are looked up by seq (everything up to a device's cursor is done), and ops_held
-- answers that: the full (device, user, seq) index was one more b-tree to write per op.
DROP INDEX IF EXISTS ops_device;
