"""Who uploaded which blob, and which tickets reference it: the two facts blob scope is made of."""
from server.storage import now_iso


def record_upload(db, hex_, username, device_id):
    db.execute("INSERT INTO blob_uploads (hex, username, device_id, uploaded_at) VALUES (?, ?, ?, ?) "
               "ON CONFLICT DO NOTHING",
               [hex_, username, device_id, now_iso()])


def add_ref(db, hex_, ticket_id):
    db.execute("INSERT INTO blob_refs (hex, ticket_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [hex_, ticket_id])


def visible(db, hex_, username, ticket_filter) -> bool:
    """Referenced by a ticket in ``ticket_filter`` (SQL over tickets), or unreferenced and uploaded by
    ``username``."""
    sql, params = ticket_filter
    row = db.execute(
        f"SELECT EXISTS (SELECT 1 FROM blob_refs r JOIN tickets ON tickets.id = r.ticket_id "
        f"               WHERE r.hex = ? AND ({sql})) "
        f"    OR (NOT EXISTS (SELECT 1 FROM blob_refs WHERE hex = ?) "
        f"        AND EXISTS (SELECT 1 FROM blob_uploads WHERE hex = ? AND username = ?))",
        [hex_, *params, hex_, hex_, username]).fetchone()
    return bool(row[0])
