"""Ids for new ops and entities: UUIDv7 (RFC 9562), which begin with the millisecond they were made.

The op log, the change log, the tickets and the outbox are all indexed by such ids. Random (v4) ids land
on random pages of those indexes, so a commit of a hundred ops wrote ~340 pages of WAL, most of them
index pages changed by one entry; time-ordered ids append at the end of each index (a device's ops
within its own range of the op log), and the same commit writes less than half as much WAL (1.4 → 0.6 MB
a push of 100 ``ticket.create`` ops, measured with checkpoints off; its COMMIT 4.7 → 1.8 ms). The server
accepts any id: this is only what our clients choose. The field app makes the same ids
(field_app/src/queue.js ``newId``).
"""
from uuid6 import uuid7


def new_id() -> str:
    return str(uuid7())
