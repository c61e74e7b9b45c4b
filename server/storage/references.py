"""The version of each reference record devices were last told about (policy packs, tables, labels)."""


def known_versions(db) -> dict:
    return dict(db.execute("SELECT entity_id, version FROM reference_versions").fetchall())


def set_version(db, entity_id, version):
    db.execute("INSERT OR REPLACE INTO reference_versions VALUES (?, ?)", [entity_id, version])
