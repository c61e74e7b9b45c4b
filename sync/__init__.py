"""The offline sync protocol (docs/SYNC_PROTOCOL.md): op log, push engine, merge, pull cursors, blobs.

The server (``server/``) plugs its ticket service in as the op handlers, so REST and sync share one
code path; this package never imports Flask or the server. ``sync.client`` is the reference
offline client.
"""
PROTOCOLS = (1,)
