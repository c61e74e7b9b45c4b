-- The back office's scheme queue a ticket waits in (see ../011_scheme_queue.sql).
ALTER TABLE tickets ADD COLUMN scheme_queue TEXT;
UPDATE tickets SET scheme_queue = CASE
    WHEN CAST(record AS json) #>> '{scheme,decision}' = 'manual'
         AND CAST(record AS json) #>> '{scheme,chosen_option}' IS NULL THEN 'manual'
    WHEN CAST(record AS json) #>> '{scheme,decision}' = 'cosign'
         AND CAST(record AS json) #>> '{scheme,chosen_option}' IS NOT NULL
         AND CAST(record AS json) #>> '{scheme,cosigned_at}' IS NULL THEN 'cosign'
END;
CREATE INDEX tickets_scheme_queue ON tickets(scheme_queue) WHERE scheme_queue IS NOT NULL;
