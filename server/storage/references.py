"""The version of each reference record devices were last told about (policy packs, tables, labels)."""


def known_versions(db) -> dict:
    return dict(db.execute("SELECT entity_id, version FROM reference_versions").fetchall())


def set_version(db, entity_id, version):
    db.execute("INSERT INTO reference_versions (entity_id, version) VALUES (?, ?) "
               "ON CONFLICT (entity_id) DO UPDATE SET version = excluded.version", [entity_id, version])
