-- Who may read a blob (docs/SYNC_PROTOCOL.md "Blobs"): its uploaders until a ticket references it,
-- then whoever may see a referencing ticket. Existing references are filled in from the records.
CREATE TABLE blob_uploads (
    hex TEXT NOT NULL,
    username TEXT NOT NULL,
    device_id TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (hex, username, device_id)
);
CREATE TABLE blob_refs (
    hex TEXT NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    PRIMARY KEY (hex, ticket_id)
);
INSERT OR IGNORE INTO blob_refs
    SELECT substr(json_extract(data, '$.blob'), 8), ticket_id FROM evidence
    WHERE json_extract(data, '$.blob') LIKE 'sha256:%';
INSERT OR IGNORE INTO blob_refs
    SELECT substr(json_extract(d.value, '$.blob'), 8), t.id FROM tickets t, json_each(t.record, '$.documents') d
    WHERE json_extract(d.value, '$.blob') LIKE 'sha256:%';
INSERT OR IGNORE INTO blob_refs
    SELECT substr(ref, 8), id FROM (
        SELECT id, json_extract(record, '$.scheme.signature_blob') AS ref FROM tickets
        UNION ALL SELECT id, json_extract(record, '$.signed_pdf.blob') FROM tickets)
    WHERE ref LIKE 'sha256:%';
