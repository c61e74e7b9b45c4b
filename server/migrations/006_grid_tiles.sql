-- Grid data paged by area for devices (scheme_builder/tiles.py): each snapshot's features split
-- into tiles, stored as the JSON text a pull sends; and the area a team works in (a lon/lat box
-- as JSON [west, south, east, north]; NULL: the whole region), which chooses the tiles its
-- devices pull.
CREATE TABLE grid_tiles (
    snapshot_id INTEGER NOT NULL REFERENCES grid_snapshots(id),
    tile TEXT NOT NULL,
    features TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, tile)
);
ALTER TABLE teams ADD COLUMN area TEXT;
ALTER TABLE grid_snapshots ADD COLUMN centre TEXT;
