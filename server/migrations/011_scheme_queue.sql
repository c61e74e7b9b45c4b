-- The back office's scheme queue a ticket waits in (manual: an engineer writes the scheme; cosign: the
-- chosen scheme awaits its co-signature), kept as a column by save_ticket: opening a queue reads the
-- tickets in it instead of the JSON of every open ticket. Filled here for the tickets saved before.
ALTER TABLE tickets ADD COLUMN scheme_queue TEXT;
UPDATE tickets SET scheme_queue = CASE
    WHEN json_extract(record, '$.scheme.decision') = 'manual'
         AND json_extract(record, '$.scheme.chosen_option') IS NULL THEN 'manual'
    WHEN json_extract(record, '$.scheme.decision') = 'cosign'
         AND json_extract(record, '$.scheme.chosen_option') IS NOT NULL
         AND json_extract(record, '$.scheme.cosigned_at') IS NULL THEN 'cosign'
END;
CREATE INDEX tickets_scheme_queue ON tickets(scheme_queue) WHERE scheme_queue IS NOT NULL;
