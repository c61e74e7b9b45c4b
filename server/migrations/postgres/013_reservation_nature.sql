-- What a reservation holds: load room or back-feed room (see ../013_reservation_nature.sql).
ALTER TABLE reservations ADD COLUMN nature TEXT NOT NULL DEFAULT 'load';
UPDATE reservations SET nature = 'generation'
 WHERE ticket_id IN (SELECT id FROM tickets WHERE business_type = 'distributed_generation');
